/**
 * Users, sessions and API keys: the rules (who may log in, when tokens expire, lockout, first-run
 * setup) over plain SQL. Every change is written to the audit log in the same transaction.
 */
import { recordAudit, SYSTEM, type Actor } from '../audit/index.js';
import { HttpError } from '../http/errors.js';
import type { Database, Queryable } from '../store/index.js';
import { lockDurationMs } from './lockout.js';
import { dummyHash, hashPassword, passwordProblems, verifyPassword } from './password.js';
import type { Principal } from './principal.js';
import { ALL_SITES, ROLES, type ApiKeyScope, type Role } from './roles.js';
import { hashToken, newToken, tokenKind } from './tokens.js';
import { isConnectionError } from '../store/errors.js';

export interface AuthSettings {
  accessTtlS: number;
  refreshTtlS: number;
}

export interface RequestContext {
  actor: Actor;
  requestId?: string;
  ip?: string;
}

export interface Tokens {
  accessToken: string;
  accessExpiresAt: string;
  refreshToken: string;
  refreshExpiresAt: string;
}

export interface UserView {
  id: string;
  username: string;
  disabled: boolean;
  roles: Array<{ siteId: string; role: Role }>;
  lastLoginAt: string | null;
  createdAt: string;
}

const iso = (v: unknown): string | null => (v === null || v === undefined ? null : new Date(v as string).toISOString());
const USERNAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{1,63}$/;

export class AuthService {
  constructor(
    private readonly db: Database,
    private readonly settings: AuthSettings,
    private readonly now: () => Date = () => new Date(),
  ) {}

  // ---- first run -------------------------------------------------------------------------

  async userCount(): Promise<number> {
    const { rows } = await this.db.query<{ n: number }>('select count(*)::int as n from users');
    return rows[0]!.n;
  }

  /**
   * First start: with adminPassword, create that admin once (unattended installs); otherwise
   * issue a one-time setup token (stored hashed) and return it so the caller can print the link.
   */
  async bootstrap(
    adminUser: string,
    adminPassword: string | undefined,
  ): Promise<{ mode: 'has-users' } | { mode: 'created-admin' } | { mode: 'setup-token'; token: string }> {
    if ((await this.userCount()) > 0) return { mode: 'has-users' };
    if (adminPassword !== undefined) {
      await this.createUser(
        { username: adminUser, password: adminPassword, roles: [{ siteId: ALL_SITES, role: 'admin' }] },
        { actor: SYSTEM },
      );
      return { mode: 'created-admin' };
    }
    const token = newToken('setup');
    await this.db.query(
      `insert into settings (key, value, updated_at) values ('auth.setup_token_hash', $1, now())
       on conflict (key) do update set value = excluded.value, updated_at = now()`,
      [JSON.stringify(hashToken(token))],
    );
    return { mode: 'setup-token', token };
  }

  async setupNeeded(): Promise<boolean> {
    return (await this.userCount()) === 0;
  }

  async setup(token: string, username: string, password: string, ctx: RequestContext): Promise<UserView> {
    const { rows } = await this.db.query<{ value: string }>(`select value from settings where key = 'auth.setup_token_hash'`);
    const stored = rows[0]?.value;
    if ((await this.userCount()) > 0) throw new HttpError(409, 'already_set_up', 'Setup is done: an administrator exists. Log in instead.');
    if (!stored || tokenKind(token) !== 'setup' || stored !== hashToken(token)) {
      throw new HttpError(
        401,
        'invalid_setup_token',
        'The setup token is wrong or used; take the one printed in the service log at start-up',
      );
    }
    const user = await this.createUser({ username, password, roles: [{ siteId: ALL_SITES, role: 'admin' }] }, ctx);
    await this.db.query(`delete from settings where key = 'auth.setup_token_hash'`);
    return user;
  }

  // ---- sessions ------------------------------------------------------------------------------

  async login(
    username: string,
    password: string,
    ctx: Omit<RequestContext, 'actor'>,
    userAgent?: string,
  ): Promise<{ tokens: Tokens; user: UserView }> {
    const { rows } = await this.db.query<{
      id: string;
      username: string;
      password_hash: string;
      disabled: boolean;
      failed_logins: number;
      locked_until: string | null;
    }>('select id, username, password_hash, disabled, failed_logins, locked_until from users where lower(username) = lower($1)', [
      username,
    ]);
    const user = rows[0];
    const now = this.now();
    const fail = async (reason: string, status = 401, message = 'Wrong user name or password', retryAfterS?: number) => {
      await recordAudit(this.db, {
        actor: { type: 'anonymous', name: username.slice(0, 64) },
        action: 'auth.login_failed',
        target: user ? `user:${user.id}` : undefined,
        after: { reason },
        ...ctx,
      });
      throw new HttpError(status, status === 429 ? 'locked' : 'invalid_credentials', message, retryAfterS);
    };
    if (!user) {
      await verifyPassword(await dummyHash(), password);
      return fail('unknown user');
    }
    if (user.locked_until && new Date(user.locked_until) > now) {
      const seconds = Math.ceil((new Date(user.locked_until).getTime() - now.getTime()) / 1000);
      return fail('locked', 429, `Too many failed logins: try again in ${seconds} s`, seconds);
    }
    const ok = await verifyPassword(user.password_hash, password);
    if (!ok || user.disabled) {
      const failures = user.failed_logins + 1;
      const lockMs = lockDurationMs(failures);
      await this.db.query('update users set failed_logins = $2, locked_until = $3 where id = $1', [
        user.id,
        failures,
        lockMs > 0 ? new Date(now.getTime() + lockMs).toISOString() : null,
      ]);
      return fail(user.disabled && ok ? 'disabled' : `wrong password (${failures} in a row${lockMs ? `, locked ${lockMs / 1000} s` : ''})`);
    }
    await this.db.query('update users set failed_logins = 0, locked_until = null, last_login_at = $2 where id = $1', [
      user.id,
      now.toISOString(),
    ]);
    const tokens = await this.issueSession(this.db, user.id, userAgent);
    await recordAudit(this.db, {
      actor: { type: 'user', id: user.id, name: user.username },
      action: 'auth.login',
      target: `user:${user.id}`,
      ...ctx,
    });
    return { tokens, user: (await this.getUser(user.id))! };
  }

  private async issueSession(db: Queryable, userId: string, userAgent?: string): Promise<Tokens> {
    const now = this.now().getTime();
    const accessToken = newToken('at');
    const refreshToken = newToken('rt');
    const accessExpiresAt = new Date(now + this.settings.accessTtlS * 1000).toISOString();
    const refreshExpiresAt = new Date(now + this.settings.refreshTtlS * 1000).toISOString();
    await db.query(
      `insert into sessions (user_id, access_hash, access_expires_at, refresh_hash, refresh_expires_at, user_agent)
       values ($1, $2, $3, $4, $5, $6)`,
      [userId, hashToken(accessToken), accessExpiresAt, hashToken(refreshToken), refreshExpiresAt, userAgent?.slice(0, 256) ?? null],
    );
    return { accessToken, accessExpiresAt, refreshToken, refreshExpiresAt };
  }

  /** Rotates: the old session ends, a new one starts. A refresh token works once. */
  async refresh(refreshToken: string, userAgent?: string): Promise<Tokens> {
    if (tokenKind(refreshToken) !== 'rt') throw new HttpError(401, 'invalid_token', 'Not a refresh token');
    return this.db.transaction(async (tx) => {
      const { rows } = await tx.query<{ id: string; user_id: string; disabled: boolean }>(
        `update sessions s set revoked_at = $2 from users u
          where s.refresh_hash = $1 and s.revoked_at is null and s.refresh_expires_at > $2 and u.id = s.user_id
          returning s.id, s.user_id, u.disabled`,
        [hashToken(refreshToken), this.now().toISOString()],
      );
      const row = rows[0];
      if (!row || row.disabled) throw new HttpError(401, 'invalid_token', 'The refresh token is expired, used or revoked: log in again');
      return this.issueSession(tx, row.user_id, userAgent);
    });
  }

  async logout(sessionId: string, ctx: RequestContext): Promise<void> {
    await this.db.query('update sessions set revoked_at = now() where id = $1 and revoked_at is null', [sessionId]);
    await recordAudit(this.db, { ...ctx, action: 'auth.logout', target: `session:${sessionId}` });
  }

  /**
   * Last good answers, used only while the database is unreachable (stale-if-error), so that
   * gateways keep delivering into the store-and-forward buffer during an outage. Revocation needs
   * the database, so nothing revoked can be served from here; entries older than an hour are not used.
   */
  private readonly lastKnown = new Map<string, { principal: Principal; atMs: number }>();

  /** Resolves a bearer token or API key to a principal; undefined when unknown, expired, revoked or disabled. */
  async authenticate(token: string): Promise<Principal | undefined> {
    const key = hashToken(token);
    try {
      const principal = await this.authenticateNow(token);
      if (principal) this.lastKnown.set(key, { principal, atMs: this.now().getTime() });
      else this.lastKnown.delete(key);
      if (this.lastKnown.size > 10_000) this.lastKnown.delete(this.lastKnown.keys().next().value!);
      return principal;
    } catch (err) {
      const known = this.lastKnown.get(key);
      if (isConnectionError(err) && known && this.now().getTime() - known.atMs < 3_600_000) return known.principal;
      throw err;
    }
  }

  private async authenticateNow(token: string): Promise<Principal | undefined> {
    const kind = tokenKind(token);
    const now = this.now().toISOString();
    if (kind === 'at') {
      const { rows } = await this.db.query<{ session_id: string; user_id: string; username: string }>(
        `select s.id as session_id, u.id as user_id, u.username from sessions s join users u on u.id = s.user_id
          where s.access_hash = $1 and s.revoked_at is null and s.access_expires_at > $2 and not u.disabled`,
        [hashToken(token), now],
      );
      const row = rows[0];
      if (!row) return undefined;
      return {
        kind: 'user',
        userId: row.user_id,
        username: row.username,
        sessionId: row.session_id,
        grants: await this.grantsOf(row.user_id),
      };
    }
    if (kind === 'key') {
      const { rows } = await this.db.query<{ id: string; name: string; site_id: string; scopes: string[] }>(
        `update api_keys set last_used_at = $2 where key_hash = $1 and revoked_at is null returning id, name, site_id, scopes`,
        [hashToken(token), now],
      );
      const row = rows[0];
      if (!row) return undefined;
      return { kind: 'api_key', keyId: row.id, name: row.name, siteId: row.site_id, scopes: row.scopes as ApiKeyScope[] };
    }
    return undefined;
  }

  private async grantsOf(userId: string): Promise<Map<string, Role>> {
    const { rows } = await this.db.query<{ site_id: string; role: Role }>('select site_id, role from role_grants where user_id = $1', [
      userId,
    ]);
    return new Map(rows.map((r) => [r.site_id, r.role]));
  }

  // ---- users ---------------------------------------------------------------------------------

  async listUsers(): Promise<UserView[]> {
    const { rows } = await this.db.query<{ id: string }>('select id from users order by lower(username)');
    return Promise.all(rows.map(async (r) => (await this.getUser(r.id))!));
  }

  async getUser(id: string): Promise<UserView | undefined> {
    const { rows } = await this.db.query<{
      id: string;
      username: string;
      disabled: boolean;
      last_login_at: string | null;
      created_at: string;
    }>('select id, username, disabled, last_login_at, created_at from users where id = $1', [id]);
    const u = rows[0];
    if (!u) return undefined;
    const grants = await this.grantsOf(u.id);
    return {
      id: u.id,
      username: u.username,
      disabled: u.disabled,
      roles: [...grants].map(([siteId, role]) => ({ siteId, role })).sort((a, b) => a.siteId.localeCompare(b.siteId)),
      lastLoginAt: iso(u.last_login_at),
      createdAt: iso(u.created_at)!,
    };
  }

  async createUser(
    input: { username: string; password: string; roles: Array<{ siteId: string; role: Role }> },
    ctx: RequestContext,
  ): Promise<UserView> {
    if (!USERNAME.test(input.username)) {
      throw new HttpError(400, 'invalid_username', 'User name: 2–64 letters, digits, . _ @ -, starting with a letter or digit');
    }
    const problems = passwordProblems(input.password, input.username);
    if (problems.length) throw new HttpError(400, 'weak_password', `Password ${problems.join('; ')}`);
    await this.assertRoles(input.roles);
    const passwordHash = await hashPassword(input.password);
    const id = await this.db.transaction(async (tx) => {
      const exists = await tx.query('select 1 from users where lower(username) = lower($1)', [input.username]);
      if (exists.rows.length) throw new HttpError(409, 'username_taken', `User name "${input.username}" is taken`);
      const { rows } = await tx.query<{ id: string }>('insert into users (username, password_hash) values ($1, $2) returning id', [
        input.username,
        passwordHash,
      ]);
      const userId = rows[0]!.id;
      for (const g of input.roles)
        await tx.query('insert into role_grants (user_id, site_id, role) values ($1, $2, $3)', [userId, g.siteId, g.role]);
      await recordAudit(tx, {
        ...ctx,
        action: 'user.create',
        target: `user:${userId}`,
        after: { username: input.username, roles: input.roles },
      });
      return userId;
    });
    return (await this.getUser(id))!;
  }

  async updateUser(id: string, change: { disabled?: boolean; password?: string }, ctx: RequestContext): Promise<UserView> {
    const before = await this.getUser(id);
    if (!before) throw new HttpError(404, 'not_found', `No user ${id}`);
    if (change.password !== undefined) {
      const problems = passwordProblems(change.password, before.username);
      if (problems.length) throw new HttpError(400, 'weak_password', `Password ${problems.join('; ')}`);
    }
    const hash = change.password !== undefined ? await hashPassword(change.password) : undefined;
    await this.db.transaction(async (tx) => {
      if (change.disabled !== undefined)
        await tx.query('update users set disabled = $2, updated_at = now() where id = $1', [id, change.disabled]);
      if (hash !== undefined)
        await tx.query('update users set password_hash = $2, failed_logins = 0, locked_until = null, updated_at = now() where id = $1', [
          id,
          hash,
        ]);
      // Disabling a user or changing the password ends every session at once.
      if (change.disabled === true || hash !== undefined)
        await tx.query('update sessions set revoked_at = now() where user_id = $1 and revoked_at is null', [id]);
      await recordAudit(tx, {
        ...ctx,
        action: 'user.update',
        target: `user:${id}`,
        before: { disabled: before.disabled },
        after: {
          ...(change.disabled !== undefined ? { disabled: change.disabled } : {}),
          ...(hash !== undefined ? { password: 'changed' } : {}),
        },
      });
    });
    return (await this.getUser(id))!;
  }

  async setRoles(id: string, roles: Array<{ siteId: string; role: Role }>, ctx: RequestContext): Promise<UserView> {
    const before = await this.getUser(id);
    if (!before) throw new HttpError(404, 'not_found', `No user ${id}`);
    await this.assertRoles(roles);
    await this.db.transaction(async (tx) => {
      await tx.query('delete from role_grants where user_id = $1', [id]);
      for (const g of roles) await tx.query('insert into role_grants (user_id, site_id, role) values ($1, $2, $3)', [id, g.siteId, g.role]);
      await recordAudit(tx, { ...ctx, action: 'user.roles', target: `user:${id}`, before: { roles: before.roles }, after: { roles } });
    });
    return (await this.getUser(id))!;
  }

  async revokeSessions(id: string, ctx: RequestContext): Promise<number> {
    if (!(await this.getUser(id))) throw new HttpError(404, 'not_found', `No user ${id}`);
    const { rows } = await this.db.query<{ id: string }>(
      'update sessions set revoked_at = now() where user_id = $1 and revoked_at is null returning id',
      [id],
    );
    await recordAudit(this.db, { ...ctx, action: 'user.revoke_sessions', target: `user:${id}`, after: { sessions: rows.length } });
    return rows.length;
  }

  private async assertRoles(roles: Array<{ siteId: string; role: Role }>): Promise<void> {
    const seen = new Set<string>();
    for (const g of roles) {
      if (!ROLES.includes(g.role)) throw new HttpError(400, 'invalid_role', `Role must be one of ${ROLES.join(', ')}`);
      if (seen.has(g.siteId)) throw new HttpError(400, 'duplicate_site', `Site ${g.siteId} is listed twice; give one role per site`);
      seen.add(g.siteId);
      if (g.siteId !== ALL_SITES) {
        const { rows } = await this.db.query('select 1 from sites where id = $1', [g.siteId]);
        if (!rows.length) throw new HttpError(400, 'unknown_site', `No site "${g.siteId}" (use "*" for every site)`);
      }
    }
  }
}
