/**
 * The authorisation matrix: every route in the service's OpenAPI document × every kind of caller.
 * Expectations come from the access table (route-table.ts) and an independent role → permission
 * list below; a route without a table entry or without a sample request here fails the test.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, startTestApp, type TestApp } from '../test/app.js';
import { ROUTE_ACCESS } from './route-table.js';
import { upsertEvents } from '../events/store.js';
import { insertFiring } from '../alerts/store.js';
import { SYSTEM } from '../audit/index.js';
import { ensureSiteEnergy, putSiteEnergy } from '../site-energy/store.js';
import { DEMO_SITE_ENERGY, siteEnergySchema } from '../site-energy/model.js';
import { createDemand, validateDemand } from '../flexible/index.js';

const SITE = 'musterwerk';
const ADMIN_PASSWORD = 'Sonnenstrom-2026!';
const PASSWORD = 'Lastgang-Leistungspreis-15';
const CSV = 'Datum;Uhrzeit;Wirkleistung [kW]\n15.01.2025;10:00;1,5\n15.01.2025;10:15;1,6\n';

// Independent of roles.ts on purpose: what each role should be able to do, as the issue says.
const ROLE_CAN: Record<string, string[]> = {
  viewer: ['read'],
  operator: ['read', 'operate'],
  engineer: ['read', 'operate', 'ingest', 'configure'],
  admin: ['read', 'operate', 'ingest', 'configure', 'administer'],
};

type Caller =
  | { name: string; kind: 'anonymous' }
  | { name: string; kind: 'revoked'; token: string }
  | { name: string; kind: 'user'; username: string; role: string; site: string; token: string }
  | { name: string; kind: 'key'; scopes: string[]; site: string; token: string };

interface Sample {
  path: string;
  body?: unknown;
  raw?: { body: string; contentType: string };
  /** status a permitted caller gets (default: any 2xx) */
  ok?: number;
}

let t: TestApp;
let adminToken = '';
let seq = 0;
let seriesId = 0;
const unique = (p: string) => `${p}-${process.pid}-${++seq}`;

async function login(username: string, password = PASSWORD) {
  const r = await call(t.base, 'POST', '/auth/login', { body: { username, password } });
  expect(r.status, `login ${username}: ${JSON.stringify(r.body)}`).toBe(200);
  return r.body as { accessToken: string; refreshToken: string; user: { id: string } };
}
async function newUser(role = 'viewer', site = SITE) {
  const username = unique('u');
  const r = await call(t.base, 'POST', '/users', {
    token: adminToken,
    body: { username, password: PASSWORD, roles: [{ siteId: site, role }] },
  });
  expect(r.status).toBe(201);
  return { id: r.body.id as string, username };
}
const DISABLED_DEVICE = {
  model: 'generic-modbus-battery',
  protocol: 'modbus',
  enabled: false,
  connection: { host: '127.0.0.1', port: 1 },
};
async function newDevice() {
  const id = unique('dev');
  const r = await call(t.base, 'PUT', `/sites/${SITE}/devices/${id}`, { token: adminToken, body: DISABLED_DEVICE });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return id;
}
async function newKey(scopes: string[], site = SITE) {
  const r = await call(t.base, 'POST', '/api-keys', { token: adminToken, body: { name: unique('key'), siteId: site, scopes } });
  expect(r.status).toBe(201);
  return { id: r.body.key.id as string, secret: r.body.secret as string };
}

/** The matrix site with an EV charger "ev" and no open demand for it (one open demand per asset). */
async function evWithoutDemand() {
  const withEv = siteEnergySchema.parse({ ...DEMO_SITE_ENERGY, flexibleLoads: [{ id: 'ev', deviceId: 'ev', maxPowerW: 11_000 }] });
  await putSiteEnergy(t.app.db, SITE, withEv, { actor: SYSTEM });
  await t.app.db.query(`update flexible_demands set state = 'cancelled' where site_id = $1 and state = 'open'`, [SITE]);
  return withEv;
}
const demandBody = () => ({ assetId: 'ev', energyKWh: 10, deadline: new Date(Date.now() + 8 * 3_600_000).toISOString() });

/** One request per route that succeeds for a permitted caller. */
const SAMPLES: Record<string, () => Promise<Sample>> = {
  'GET /health': async () => ({ path: '/health' }),
  'GET /ready': async () => ({ path: '/ready' }),
  'GET /metrics': async () => ({ path: '/metrics' }),
  'GET /auth/setup': async () => ({ path: '/auth/setup' }),
  'POST /auth/setup': async () => ({ path: '/auth/setup', body: { token: 'luna_setup_x', username: 'late', password: PASSWORD }, ok: 409 }),
  'POST /auth/login': async () => ({ path: '/auth/login', body: { username: (await newUser()).username, password: PASSWORD } }),
  'POST /auth/refresh': async () => ({
    path: '/auth/refresh',
    body: { refreshToken: (await login((await newUser()).username)).refreshToken },
  }),
  'POST /auth/logout': async () => ({ path: '/auth/logout' }),
  'GET /auth/me': async () => ({ path: '/auth/me' }),
  'GET /sites': async () => ({ path: '/sites' }),
  'POST /sites': async () => ({ path: '/sites', body: { id: unique('site'), name: 'Neues Werk' } }),
  'GET /sites/{siteId}': async () => ({ path: `/sites/${SITE}` }),
  'PATCH /sites/{siteId}': async () => ({ path: `/sites/${SITE}`, body: { name: 'Musterwerk GmbH' } }),
  'PUT /sites/{siteId}/automation': async () => ({ path: `/sites/${SITE}/automation`, body: { enabled: false, reason: 'matrix test' } }),
  'GET /sites/{siteId}/series': async () => ({ path: `/sites/${SITE}/series` }),
  'POST /sites/{siteId}/series': async () => ({
    path: `/sites/${SITE}/series`,
    body: { key: unique('s'), quantity: 'active_power', semantics: 'instantaneous' },
  }),
  'GET /sites/{siteId}/series/{seriesId}/readings': async () => ({
    path: `/sites/${SITE}/series/${seriesId}/readings?from=2025-06-14T00:00:00Z&to=2025-06-15T00:00:00Z`,
  }),
  'GET /sites/{siteId}/prices': async () => ({ path: `/sites/${SITE}/prices?from=2025-06-14T00:00:00Z&to=2025-06-15T00:00:00Z` }),
  'POST /sites/{siteId}/prices': async () => ({
    path: `/sites/${SITE}/prices`,
    raw: { body: 'timestamp;price\n2025-06-14T00:00:00Z;80,5\n2025-06-14T01:00:00Z;75\n', contentType: 'text/csv' },
  }),
  'GET /sites/{siteId}/weather': async () => ({ path: `/sites/${SITE}/weather?from=2025-06-14T00:00:00Z&to=2025-06-15T00:00:00Z` }),
  'POST /sites/{siteId}/weather': async () => ({
    path: `/sites/${SITE}/weather`,
    raw: {
      body: 'timestamp,ghi [W/m2],temp [°C]\n2025-06-14T11:00:00Z,612,18.4\n2025-06-14T12:00:00Z,735,19.9\n',
      contentType: 'text/csv',
    },
  }),
  'GET /sites/{siteId}/forecasts': async () => ({ path: `/sites/${SITE}/forecasts?target=load` }),
  'GET /sites/{siteId}/energy': async () => {
    await ensureSiteEnergy(t.app.db, SITE, DEMO_SITE_ENERGY, SYSTEM);
    return { path: `/sites/${SITE}/energy` };
  },
  'PUT /sites/{siteId}/energy': async () => ({ path: `/sites/${SITE}/energy`, body: DEMO_SITE_ENERGY }),
  'GET /sites/{siteId}/plans': async () => ({ path: `/sites/${SITE}/plans?limit=5` }),
  // the matrix site has no readings, forecasts or prices: no plan in force (404) and a re-plan waits (409)
  'GET /sites/{siteId}/plans/current': async () => ({ path: `/sites/${SITE}/plans/current`, ok: 404 }),
  'POST /sites/{siteId}/plans': async () => {
    await ensureSiteEnergy(t.app.db, SITE, DEMO_SITE_ENERGY, SYSTEM);
    return { path: `/sites/${SITE}/plans`, ok: 409 };
  },
  'GET /sites/{siteId}/flexible-demands': async () => ({ path: `/sites/${SITE}/flexible-demands` }),
  'POST /sites/{siteId}/flexible-demands': async () => {
    await evWithoutDemand();
    return { path: `/sites/${SITE}/flexible-demands`, body: demandBody(), ok: 201 };
  },
  'DELETE /sites/{siteId}/flexible-demands/{demandId}': async () => {
    const v = validateDemand(demandBody(), await evWithoutDemand(), Date.now());
    if (!v.ok) throw new Error(v.message);
    const d = await createDemand(t.app.db, SITE, v.value, { actor: SYSTEM }, Date.now());
    return { path: `/sites/${SITE}/flexible-demands/${d.id}` };
  },
  'GET /sites/{siteId}/control/commands': async () => ({ path: `/sites/${SITE}/control/commands?limit=5&source=manual` }),
  'GET /sites/{siteId}/control/agents': async () => ({ path: `/sites/${SITE}/control/agents` }),
  'GET /sites/{siteId}/events': async () => ({ path: `/sites/${SITE}/events?severity=warning` }),
  // a WebSocket route: a plain GET that passed the guard gets 426 Upgrade Required (sockets: api/src/live/live.test.ts)
  'GET /sites/{siteId}/live': async () => ({ path: `/sites/${SITE}/live`, ok: 426 }),
  'POST /sites/{siteId}/events/{eventId}/ack': async () => {
    const key = unique('ev');
    await upsertEvents(t.app.db, [
      { siteId: SITE, kind: 'anomaly.gap', severity: 'warning', startMs: 0, endMs: 900_000, message: 'matrix test', dedupKey: key },
    ]);
    const { rows } = await t.app.db.query<{ id: number }>('select id from events where dedup_key = $1', [key]);
    return { path: `/sites/${SITE}/events/${rows[0]!.id}/ack` };
  },
  'GET /sites/{siteId}/alert-rules': async () => ({ path: `/sites/${SITE}/alert-rules` }),
  'PUT /sites/{siteId}/alert-rules': async () => ({
    path: `/sites/${SITE}/alert-rules?dryRun=true`,
    body: {
      rules: [
        { id: 'grid-high', kind: 'threshold', name: 'Grid import high', severity: 'warning', seriesKey: 'grid/power', op: '>', value: 1e6 },
      ],
    },
  }),
  'GET /sites/{siteId}/alerts': async () => ({ path: `/sites/${SITE}/alerts?state=open` }),
  'POST /sites/{siteId}/alerts/{alertId}/ack': async () => {
    const alert = await insertFiring(
      t.app.db,
      SITE,
      'threshold',
      { ruleId: unique('rule'), subject: 'series:grid/power', severity: 'warning', message: 'matrix test' },
      Date.now(),
      false,
    );
    return { path: `/sites/${SITE}/alerts/${alert!.id}/ack` };
  },
  'POST /ingest/readings': async () => ({
    path: '/ingest/readings',
    body: { siteId: SITE, readings: [{ series: seriesId, ts: '2025-06-14T10:00:00Z', value: 1 }] },
  }),
  'POST /sites/{siteId}/imports/preview': async () => ({
    path: `/sites/${SITE}/imports/preview?filename=lastgang.csv`,
    raw: { body: CSV, contentType: 'text/csv' },
  }),
  'POST /sites/{siteId}/imports': async () => {
    const preview = await call(t.base, 'POST', `/sites/${SITE}/imports/preview?filename=lastgang.csv`, {
      token: adminToken,
      raw: { body: CSV, contentType: 'text/csv' },
    });
    return {
      path: `/sites/${SITE}/imports`,
      body: {
        uploadId: preview.body.uploadId,
        filename: 'lastgang.csv',
        columns: [{ column: 2, key: unique('imp'), create: { quantity: 'active_power', semantics: 'instantaneous' } }],
      },
    };
  },
  'POST /rag/ask': async () => ({ path: '/rag/ask', body: { question: 'Was regelt § 14a EnWG?' } }),
  'GET /knowledge/documents': async () => ({ path: '/knowledge/documents' }),
  'GET /knowledge/documents/{documentId}': async () => {
    const r = await call(t.base, 'POST', `/ingest/doc?filename=${unique('note')}.md&type=note`, {
      token: adminToken,
      raw: { body: `# Matrix note\n\nLastgang ${unique('x')}`, contentType: 'text/markdown' },
    });
    return { path: `/knowledge/documents/${r.body.document.id}` };
  },
  'POST /ingest/doc': async () => ({
    path: `/ingest/doc?filename=${unique('note')}.md&type=note`,
    raw: { body: `# Betriebsnotiz\n\nDer Leistungspreis steigt ${unique('y')}.`, contentType: 'text/markdown' },
  }),
  'GET /device-models': async () => ({ path: '/device-models' }),
  'GET /sites/{siteId}/devices': async () => ({ path: `/sites/${SITE}/devices` }),
  'PUT /sites/{siteId}/devices/{deviceId}': async () => ({ path: `/sites/${SITE}/devices/${unique('dev')}`, body: DISABLED_DEVICE }),
  'DELETE /sites/{siteId}/devices/{deviceId}': async () => ({ path: `/sites/${SITE}/devices/${await newDevice()}`, ok: 204 }),
  'POST /sites/{siteId}/devices/{deviceId}/setpoints/{setpoint}': async () => ({
    // a disabled device is not connected: a permitted caller gets 409, the others 401/403
    path: `/sites/${SITE}/devices/${await newDevice()}/setpoints/power_setpoint_w`,
    body: { value: 1000, revertTimeoutS: 60 },
    ok: 409,
  }),
  // overrides need the site's assets (the demo's energy configuration on the matrix site)
  'GET /sites/{siteId}/overrides': async () => ({ path: `/sites/${SITE}/overrides` }),
  'PUT /sites/{siteId}/overrides/{assetId}': async () => {
    await ensureSiteEnergy(t.app.db, SITE, DEMO_SITE_ENERGY, SYSTEM);
    return { path: `/sites/${SITE}/overrides/battery`, body: { setpointW: 1000, expiresInS: 600, reason: 'matrix test' } };
  },
  'DELETE /sites/{siteId}/overrides/{assetId}': async () => {
    await ensureSiteEnergy(t.app.db, SITE, DEMO_SITE_ENERGY, SYSTEM);
    await t.app.controlInputs.setOverride(SITE, 'battery', { setpointW: -2000, expiresInS: 600 }, { actor: SYSTEM });
    return { path: `/sites/${SITE}/overrides/battery` };
  },
  'GET /sites/{siteId}/grid-signals': async () => ({ path: `/sites/${SITE}/grid-signals` }),
  'POST /sites/{siteId}/grid-signals': async () => ({
    path: `/sites/${SITE}/grid-signals`,
    body: {
      kind: 'section14a-dimming',
      to: new Date(Date.now() + 3_600_000).toISOString(),
      maxControllablePowerW: 8400,
      reference: unique('rd'),
    },
  }),
  'DELETE /sites/{siteId}/grid-signals/{signalId}': async () => {
    const toMs = Date.now() + 3_600_000;
    const r = await t.app.controlInputs.receiveSignal(
      SITE,
      { kind: 'redispatch-curtailment', fromMs: Date.now(), toMs, maxPvPowerW: 0 },
      'api',
      {
        actor: SYSTEM,
      },
    );
    return { path: `/sites/${SITE}/grid-signals/${r.signal.id}` };
  },
  // rules and recommendations (dry run and recommend read the site's energy configuration)
  'GET /sites/{siteId}/rules': async () => ({ path: `/sites/${SITE}/rules` }),
  'GET /sites/{siteId}/rules/versions': async () => ({ path: `/sites/${SITE}/rules/versions` }),
  'PUT /sites/{siteId}/rules': async () => ({ path: `/sites/${SITE}/rules`, body: { builtin: 'self-consumption' } }),
  'POST /sites/{siteId}/rules/validate': async () => ({ path: `/sites/${SITE}/rules/validate`, body: { builtin: 'self-consumption' } }),
  'POST /sites/{siteId}/rules/dry-run': async () => {
    await ensureSiteEnergy(t.app.db, SITE, DEMO_SITE_ENERGY, SYSTEM);
    return {
      path: `/sites/${SITE}/rules/dry-run`,
      body: { builtin: 'self-consumption', from: '2025-06-14T00:00:00Z', to: '2025-06-15T00:00:00Z' },
    };
  },
  'POST /sites/{siteId}/recommend': async () => {
    await ensureSiteEnergy(t.app.db, SITE, DEMO_SITE_ENERGY, SYSTEM);
    return { path: `/sites/${SITE}/recommend`, body: { days: 7, at: '2025-06-15T00:00:00Z' } };
  },
  'GET /users': async () => ({ path: '/users' }),
  'POST /users': async () => ({ path: '/users', body: { username: unique('new'), password: PASSWORD, roles: [] } }),
  'PATCH /users/{userId}': async () => ({ path: `/users/${(await newUser()).id}`, body: { disabled: true } }),
  'PUT /users/{userId}/roles': async () => ({
    path: `/users/${(await newUser()).id}/roles`,
    body: { roles: [{ siteId: SITE, role: 'operator' }] },
  }),
  'POST /users/{userId}/revoke-sessions': async () => ({ path: `/users/${(await newUser()).id}/revoke-sessions` }),
  'GET /api-keys': async () => ({ path: '/api-keys' }),
  'POST /api-keys': async () => ({ path: '/api-keys', body: { name: unique('k'), siteId: SITE, scopes: ['ingest'] } }),
  'DELETE /api-keys/{keyId}': async () => ({ path: `/api-keys/${(await newKey(['read'])).id}` }),
  'GET /settings': async () => ({ path: '/settings' }),
  'PUT /settings/{key}': async () => ({ path: '/settings/ui.default_language', body: { value: 'de' } }),
  'GET /audit': async () => ({ path: '/audit?limit=5' }),
};

function expected(routeKey: string, caller: Caller): 'allowed' | 401 | 403 {
  const access = ROUTE_ACCESS[routeKey.replace(/\{(\w+)\}/g, ':$1')];
  if (!access) throw new Error(`${routeKey} has no entry in the access table`);
  if (access.kind === 'public') return 'allowed';
  if (caller.kind === 'anonymous' || caller.kind === 'revoked') return 401;
  if (access.kind === 'authenticated') return caller.kind === 'user' || access.keys ? 'allowed' : 403;
  if (caller.kind === 'key')
    return access.site !== 'global' && caller.site === SITE && caller.scopes.includes(access.permission) ? 'allowed' : 403;
  const siteOk = access.site === 'global' ? caller.site === '*' : caller.site === SITE || caller.site === '*';
  return siteOk && ROLE_CAN[caller.role]!.includes(access.permission) ? 'allowed' : 403;
}

describe('authorisation matrix', () => {
  const callers: Caller[] = [];
  let routes: Array<{ method: string; path: string }> = [];

  beforeAll(async () => {
    t = await startTestApp({ LUNA_ADMIN_PASSWORD: ADMIN_PASSWORD, LUNA_LOGIN_RATE_LIMIT: '10000' });
    adminToken = (await login('admin', ADMIN_PASSWORD)).accessToken;
    for (const id of [SITE, 'other'])
      expect((await call(t.base, 'POST', '/sites', { token: adminToken, body: { id, name: id } })).status).toBe(201);

    seriesId = (
      await call(t.base, 'POST', `/sites/${SITE}/series`, {
        token: adminToken,
        body: { key: 'grid/power', quantity: 'active_power', semantics: 'instantaneous' },
      })
    ).body.id;
    callers.push({ name: 'anonymous', kind: 'anonymous' });
    callers.push({ name: 'global admin', kind: 'user', username: 'admin', role: 'admin', site: '*', token: adminToken });
    for (const role of ['viewer', 'operator', 'engineer', 'admin']) {
      const u = await newUser(role);
      callers.push({
        name: `${role} of ${SITE}`,
        kind: 'user',
        username: u.username,
        role,
        site: SITE,
        token: (await login(u.username)).accessToken,
      });
    }
    const wrong = await newUser('admin', 'other');
    callers.push({
      name: 'admin of another site',
      kind: 'user',
      username: wrong.username,
      role: 'admin',
      site: 'other',
      token: (await login(wrong.username)).accessToken,
    });
    for (const scopes of [['read'], ['ingest'], ['read', 'ingest']]) {
      callers.push({
        name: `API key ${scopes.join('+')} on ${SITE}`,
        kind: 'key',
        scopes,
        site: SITE,
        token: (await newKey(scopes)).secret,
      });
    }
    callers.push({
      name: 'API key read on another site',
      kind: 'key',
      scopes: ['read'],
      site: 'other',
      token: (await newKey(['read'], 'other')).secret,
    });

    const loggedOut = await newUser('admin', '*');
    const revokedToken = (await login(loggedOut.username)).accessToken;
    expect((await call(t.base, 'POST', '/auth/logout', { token: revokedToken })).status).toBe(204);
    const revokedKey = await newKey(['read', 'ingest']);
    expect((await call(t.base, 'DELETE', `/api-keys/${revokedKey.id}`, { token: adminToken })).status).toBe(200);
    const disabled = await newUser('admin', '*');
    const disabledToken = (await login(disabled.username)).accessToken;
    expect((await call(t.base, 'PATCH', `/users/${disabled.id}`, { token: adminToken, body: { disabled: true } })).status).toBe(200);
    callers.push({ name: 'logged-out admin token', kind: 'revoked', token: revokedToken });
    callers.push({ name: 'revoked API key', kind: 'revoked', token: revokedKey.secret });
    callers.push({ name: 'disabled admin', kind: 'revoked', token: disabledToken });

    const doc = (await call(t.base, 'GET', '/docs/json')).body as { paths: Record<string, Record<string, unknown>> };
    routes = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => ({ method: m.toUpperCase(), path })));
  });
  afterAll(() => t.close());

  it('covers every route of the OpenAPI document with an access entry and a sample', () => {
    expect(routes.length).toBeGreaterThan(20);
    const missing = routes
      .filter((r) => !ROUTE_ACCESS[`${r.method} ${r.path.replace(/\{(\w+)\}/g, ':$1')}`])
      .map((r) => `${r.method} ${r.path}`);
    expect(missing, 'routes without an access-table entry').toEqual([]);
    const noSample = routes.filter((r) => !SAMPLES[`${r.method} ${r.path}`]).map((r) => `${r.method} ${r.path}`);
    expect(noSample, 'routes without a sample in this test').toEqual([]);
  });

  it('gives every caller exactly the expected 2xx/401/403 on every route', async () => {
    const wrong: string[] = [];
    let checked = 0;
    for (const route of routes) {
      const key = `${route.method} ${route.path}`;
      for (const caller of callers) {
        let token = 'token' in caller ? caller.token : undefined;
        // Logging out ends the caller's session: use a fresh one of the same user.
        if (key === 'POST /auth/logout' && caller.kind === 'user')
          token = (await login(caller.username, caller.username === 'admin' ? ADMIN_PASSWORD : PASSWORD)).accessToken;
        const sample = await SAMPLES[key]!();
        const res = await call(t.base, route.method, sample.path, {
          ...(token ? { token } : {}),
          ...(sample.body !== undefined ? { body: sample.body } : {}),
          ...(sample.raw ? { raw: sample.raw } : {}),
        });
        const want = expected(key, caller);
        const ok =
          want === 'allowed' ? (sample.ok ? res.status === sample.ok : res.status >= 200 && res.status < 300) : res.status === want;
        if (!ok)
          wrong.push(
            `${key} as ${caller.name}: got ${res.status}, want ${want === 'allowed' ? (sample.ok ?? '2xx') : want} ${JSON.stringify(res.body)?.slice(0, 160)}`,
          );
        checked++;
      }
    }
    expect(wrong).toEqual([]);
    expect(checked).toBe(routes.length * callers.length);
    // ~110 routes × 16 callers, some of which solve plans or read history: generous on a loaded 2-core box
  }, 300_000);
});
