/** Access control end to end on the real service: first run, lockout, revocation, audit, input and transport protection. */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, startTestApp, type TestApp } from '../test/app.js';
import { tempDir } from '../test/services.js';

const ADMIN_PASSWORD = 'Sonnenstrom-2026!';
const PASSWORD = 'Lastgang-Leistungspreis-15';

describe('first start without users', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('prints a one-time setup link and creates the first admin with it, once', async () => {
    const line = t.logs().find((l) => typeof l.setupUrl === 'string');
    expect(line?.msg).toMatch(/No users yet\. Create the first administrator/);
    const token = new URL(line!.setupUrl as string).searchParams.get('setup')!;
    expect(token).toMatch(/^luna_setup_/);

    expect((await call(t.base, 'GET', '/auth/setup')).body).toEqual({ setupNeeded: true });
    expect((await call(t.base, 'POST', '/auth/login', { body: { username: 'admin', password: 'anything-at-all' } })).status).toBe(401);
    const wrong = await call(t.base, 'POST', '/auth/setup', {
      body: { token: token.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')), username: 'chef', password: PASSWORD },
    });
    expect(wrong.status).toBe(401);
    const weak = await call(t.base, 'POST', '/auth/setup', { body: { token, username: 'chef', password: 'chef-2026' } });
    expect(weak.status).toBe(400);
    expect(weak.body.message).toBe('Password must be at least 12 characters; must not contain the user name');

    const created = await call(t.base, 'POST', '/auth/setup', { body: { token, username: 'chef', password: PASSWORD } });
    expect(created.status).toBe(201);
    expect(created.body.roles).toEqual([{ siteId: '*', role: 'admin' }]);
    expect((await call(t.base, 'POST', '/auth/setup', { body: { token, username: 'chef2', password: PASSWORD } })).status).toBe(409);
    expect((await call(t.base, 'GET', '/auth/setup')).body).toEqual({ setupNeeded: false });
    expect((await call(t.base, 'POST', '/auth/login', { body: { username: 'chef', password: PASSWORD } })).status).toBe(200);
  });
});

describe('an installation with users', () => {
  let t: TestApp;
  let admin = '';
  const login = (username: string, password = PASSWORD) => call(t.base, 'POST', '/auth/login', { body: { username, password } });
  const createUser = async (username: string, role = 'viewer') => {
    const r = await call(t.base, 'POST', '/users', {
      token: admin,
      body: { username, password: PASSWORD, roles: [{ siteId: 'musterwerk', role }] },
    });
    expect(r.status).toBe(201);
    return r.body.id as string;
  };

  beforeAll(async () => {
    t = await startTestApp({ LUNA_ADMIN_PASSWORD: ADMIN_PASSWORD, LUNA_LOGIN_RATE_LIMIT: '1000' });
    admin = (await login('admin', ADMIN_PASSWORD)).body.accessToken;
    expect((await call(t.base, 'POST', '/sites', { token: admin, body: { id: 'musterwerk', name: 'Musterwerk' } })).status).toBe(201);
  });
  afterAll(() => t.close());

  it('creates the admin from LUNA_ADMIN_PASSWORD and prints no setup link', () => {
    expect(t.logs().some((l) => l.msg === 'created the first administrator "admin" from LUNA_ADMIN_PASSWORD')).toBe(true);
    expect(t.logs().some((l) => 'setupUrl' in l)).toBe(false);
  });

  it('locks an account after repeated failures, even for the right password, and logs and audits each failure', async () => {
    await createUser('bruteforced');
    for (let i = 1; i <= 5; i++) {
      const r = await login('bruteforced', `wrong-password-${i}`);
      expect(r.status, `attempt ${i}`).toBe(401);
      expect(r.body.message).toBe('Wrong user name or password');
    }
    const locked = await login('bruteforced');
    expect(locked.status).toBe(429);
    expect(locked.body.message).toMatch(/^Too many failed logins: try again in \d+ s$/);
    expect(locked.body.retryAfterS).toBeGreaterThan(0);
    expect(locked.headers.get('retry-after')).toBe(String(locked.body.retryAfterS));
    expect(t.logs().filter((l) => l.msg === 'login failed' && l.username === 'bruteforced')).toHaveLength(6);
    const audit = await call(t.base, 'GET', '/audit?action=auth.login_failed&actor=bruteforced', { token: admin });
    expect(audit.body).toHaveLength(6);
    expect(audit.body[0].after).toEqual({ reason: 'locked' });
    expect(audit.body[5].after.reason).toBe('wrong password (1 in a row)');
  });

  it('answers the same for an unknown user as for a wrong password', async () => {
    const r = await login('nobody-here', 'whatever-password');
    expect(r.status).toBe(401);
    expect(r.body.message).toBe('Wrong user name or password');
  });

  it('stops a token at once on logout, on disabling the user, and on a password change', async () => {
    const id = await createUser('leaver');
    const a = (await login('leaver')).body.accessToken;
    expect((await call(t.base, 'GET', '/auth/me', { token: a })).status).toBe(200);
    expect((await call(t.base, 'POST', '/auth/logout', { token: a })).status).toBe(204);
    expect((await call(t.base, 'GET', '/auth/me', { token: a })).status).toBe(401);

    const b = (await login('leaver')).body.accessToken;
    await call(t.base, 'PATCH', `/users/${id}`, { token: admin, body: { disabled: true } });
    expect((await call(t.base, 'GET', '/auth/me', { token: b })).status).toBe(401);
    expect((await login('leaver')).status).toBe(401);

    await call(t.base, 'PATCH', `/users/${id}`, { token: admin, body: { disabled: false } });
    const c = (await login('leaver')).body.accessToken;
    await call(t.base, 'PATCH', `/users/${id}`, { token: admin, body: { password: 'Ein-neues-Passwort-2027' } });
    expect((await call(t.base, 'GET', '/auth/me', { token: c })).status).toBe(401);
    expect((await login('leaver', 'Ein-neues-Passwort-2027')).status).toBe(200);
  });

  it('signs the dashboard in with HTTP-only cookies, refreshes by cookie, and ends both on logout', async () => {
    await createUser('browser');
    const res = await fetch(`${t.base}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'browser', password: PASSWORD }),
    });
    const cookies = res.headers.getSetCookie();
    const session = cookies.find((c) => c.startsWith('luna_session='))!;
    const refresh = cookies.find((c) => c.startsWith('luna_refresh='))!;
    expect(session).toMatch(/HttpOnly/);
    expect(session).toMatch(/SameSite=Strict/);
    expect(refresh).toMatch(/Path=\/auth\/refresh/);
    const cookie = (c: string) => c.split(';')[0]!;
    expect((await call(t.base, 'GET', '/auth/me', { headers: { cookie: cookie(session) } })).status).toBe(200);
    const renewed = await fetch(`${t.base}/auth/refresh`, {
      method: 'POST',
      headers: { cookie: cookie(refresh), 'content-type': 'application/json' },
      body: '{}',
    });
    expect(renewed.status).toBe(200);
    const newSession = renewed.headers.getSetCookie().find((c) => c.startsWith('luna_session='))!;
    expect((await call(t.base, 'GET', '/auth/me', { headers: { cookie: cookie(session) } })).status).toBe(401);
    expect((await call(t.base, 'POST', '/auth/logout', { headers: { cookie: cookie(newSession) } })).status).toBe(204);
    expect((await call(t.base, 'GET', '/auth/me', { headers: { cookie: cookie(newSession) } })).status).toBe(401);
  });

  it('rotates refresh tokens: each works once, and not after logout', async () => {
    await createUser('refresher');
    const first = (await login('refresher')).body;
    const second = await call(t.base, 'POST', '/auth/refresh', { body: { refreshToken: first.refreshToken } });
    expect(second.status).toBe(200);
    expect((await call(t.base, 'GET', '/auth/me', { token: first.accessToken })).status).toBe(401);
    expect((await call(t.base, 'GET', '/auth/me', { token: second.body.accessToken })).status).toBe(200);
    expect((await call(t.base, 'POST', '/auth/refresh', { body: { refreshToken: first.refreshToken } })).status).toBe(401);
    await call(t.base, 'POST', '/auth/logout', { token: second.body.accessToken });
    expect((await call(t.base, 'POST', '/auth/refresh', { body: { refreshToken: second.body.refreshToken } })).status).toBe(401);
  });

  it('shows an API key once, stores only its hash, records its use, and stops it on revocation', async () => {
    const created = await call(t.base, 'POST', '/api-keys', {
      token: admin,
      body: { name: 'Zähler-Gateway', siteId: 'musterwerk', scopes: ['read'] },
    });
    expect(created.status).toBe(201);
    const { secret, key } = created.body;
    expect(secret).toMatch(/^luna_key_/);
    expect(JSON.stringify((await call(t.base, 'GET', '/api-keys', { token: admin })).body)).not.toContain(secret.slice(16));
    const stored = await t.app.db.query<{ key_hash: string }>('select key_hash from api_keys where id = $1', [key.id]);
    expect(stored.rows[0]!.key_hash).toMatch(/^[0-9a-f]{64}$/);

    expect((await call(t.base, 'GET', '/sites/musterwerk', { token: secret })).status).toBe(200);
    const listed = (await call(t.base, 'GET', '/api-keys', { token: admin })).body.find((k: { id: string }) => k.id === key.id);
    expect(listed.lastUsedAt).not.toBeNull();
    expect((await call(t.base, 'PATCH', '/sites/musterwerk', { token: secret, body: { name: 'x' } })).status).toBe(403);
    await call(t.base, 'DELETE', `/api-keys/${key.id}`, { token: admin });
    expect((await call(t.base, 'GET', '/sites/musterwerk', { token: secret })).status).toBe(401);
  });

  it('records who did what and when, with before and after, and refuses to change the record', async () => {
    const started = new Date(Date.now() - 1000).toISOString();
    const opId = await createUser('schichtleiter', 'operator');
    const op = (await login('schichtleiter')).body.accessToken;
    expect(
      (await call(t.base, 'PUT', '/sites/musterwerk/automation', { token: op, body: { enabled: true, reason: 'Inbetriebnahme' } })).status,
    ).toBe(200);
    await call(t.base, 'PUT', `/users/${opId}/roles`, { token: admin, body: { roles: [{ siteId: 'musterwerk', role: 'engineer' }] } });
    await call(t.base, 'PATCH', '/sites/musterwerk', { token: op, body: { timeZone: 'Europe/Vienna' } });
    await call(t.base, 'PUT', '/settings/ui.default_language', { token: admin, body: { value: 'de' } });

    const entries = (await call(t.base, 'GET', `/audit?from=${encodeURIComponent(started)}`, { token: admin })).body as Array<
      Record<string, unknown>
    >;
    const find = (action: string) => entries.find((e) => e.action === action);
    expect(find('user.create')).toMatchObject({
      actorType: 'user',
      actorName: 'admin',
      after: { username: 'schichtleiter', roles: [{ siteId: 'musterwerk', role: 'operator' }] },
    });
    expect(find('auth.login')).toMatchObject({ actorName: 'schichtleiter' });
    expect(find('command.automation_start')).toMatchObject({
      actorName: 'schichtleiter',
      siteId: 'musterwerk',
      before: { automationEnabled: false },
      after: { automationEnabled: true, reason: 'Inbetriebnahme' },
    });
    expect(find('user.roles')).toMatchObject({
      before: { roles: [{ siteId: 'musterwerk', role: 'operator' }] },
      after: { roles: [{ siteId: 'musterwerk', role: 'engineer' }] },
    });
    expect(find('site.update')).toMatchObject({
      actorName: 'schichtleiter',
      before: { timeZone: 'Europe/Berlin' },
      after: { timeZone: 'Europe/Vienna' },
    });
    expect(find('settings.update')).toMatchObject({ after: 'de', target: 'setting:ui.default_language' });
    for (const e of entries) expect(Date.parse(e.at as string)).toBeGreaterThanOrEqual(Date.parse(started));

    await expect(t.app.db.query(`update audit_log set actor_name = 'someone else'`)).rejects.toThrow(/append-only/);
    await expect(t.app.db.query('delete from audit_log')).rejects.toThrow(/append-only/);
    const doc = (await call(t.base, 'GET', '/docs/json')).body as { paths: Record<string, object> };
    expect(Object.keys(doc.paths['/audit']!)).toEqual(['get']);
  });

  it('rejects unknown fields naming them, and oversized login bodies', async () => {
    const r = await call(t.base, 'POST', '/auth/login', { body: { username: 'admin', password: ADMIN_PASSWORD, rememberMe: true } });
    expect(r.status).toBe(400);
    expect(r.body.message).toBe('body has an unknown field "rememberMe"; remove it (see the API reference at /docs)');
    const nested = await call(t.base, 'POST', '/users', {
      token: admin,
      body: { username: 'x2', password: PASSWORD, roles: [{ siteId: '*', role: 'viewer', until: 'never' }] },
    });
    expect(nested.status).toBe(400);
    expect(nested.body.message).toBe('body.roles.0 has an unknown field "until"; remove it (see the API reference at /docs)');
    const big = await call(t.base, 'POST', '/auth/login', { body: { username: 'admin', password: 'x'.repeat(5000) } });
    expect(big.status).toBe(413);
  });

  it('sends security headers and no CORS headers by default', async () => {
    const r = await call(t.base, 'GET', '/health', { headers: { origin: 'https://evil.example' } });
    expect(r.headers.get('x-content-type-options')).toBe('nosniff');
    expect(r.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(r.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(r.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('protection settings', () => {
  it('limits login requests per client address', async () => {
    const t = await startTestApp({ LUNA_ADMIN_PASSWORD: ADMIN_PASSWORD, LUNA_LOGIN_RATE_LIMIT: '3' });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++)
        statuses.push((await call(t.base, 'POST', '/auth/login', { body: { username: 'x', password: 'y' } })).status);
      expect(statuses).toEqual([401, 401, 401, 429]);
      // other routes are not limited by it
      expect((await call(t.base, 'GET', '/health')).status).toBe(200);
    } finally {
      await t.close();
    }
  });

  it('allows configured CORS origins only', async () => {
    const t = await startTestApp({ LUNA_CORS_ORIGINS: 'https://ems.example.org' });
    try {
      expect(
        (await call(t.base, 'GET', '/health', { headers: { origin: 'https://ems.example.org' } })).headers.get(
          'access-control-allow-origin',
        ),
      ).toBe('https://ems.example.org');
      expect(
        (await call(t.base, 'GET', '/health', { headers: { origin: 'https://evil.example' } })).headers.get('access-control-allow-origin'),
      ).toBeNull();
    } finally {
      await t.close();
    }
  });

  it.skipIf(!existsSync('/usr/bin/openssl'))('serves HTTPS with the configured certificate and key', async () => {
    const tmp = tempDir();
    const cert = join(tmp.dir, 'cert.pem');
    const key = join(tmp.dir, 'key.pem');
    execFileSync(
      '/usr/bin/openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        key,
        '-out',
        cert,
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
      ],
      { stdio: 'ignore' },
    );
    const t = await startTestApp({ LUNA_TLS_CERT: cert, LUNA_TLS_KEY: key });
    try {
      expect(t.base).toMatch(/^https:\/\//);
      const body = await new Promise<string>((resolve, reject) => {
        request(`${t.base}/health`, { ca: readFileSync(cert) }, (res) => {
          let data = '';
          res.on('data', (d: Buffer) => (data += d.toString()));
          res.on('end', () => resolve(data));
        })
          .on('error', reject)
          .end();
      });
      expect(JSON.parse(body)).toEqual({ status: 'ok' });
    } finally {
      await t.close();
      tmp.remove();
    }
  });
});
