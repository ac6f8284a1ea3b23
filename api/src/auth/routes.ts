/** /auth (setup, login, refresh, logout, me), /users and /api-keys — one line of wiring per endpoint. */
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { ErrorBody, errorResponses, strict } from '../http/schemas.js';
import { HttpError } from '../http/errors.js';
import { contextOf, SESSION_COOKIE } from './guard.js';

const REFRESH_COOKIE = 'luna_refresh';
const REFRESH_PATH = '/auth/refresh';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from './password.js';
import { API_KEY_SCOPES, ROLES } from './roles.js';
import type { ApiKeyService } from './api-keys.js';
import type { AuthService, Tokens } from './service.js';

const Username = Type.String({ minLength: 2, maxLength: 64, description: 'letters, digits, . _ @ -' });
const Password = Type.String({
  minLength: 1,
  maxLength: PASSWORD_MAX_LENGTH,
  description: `at least ${PASSWORD_MIN_LENGTH} characters, not containing the user name`,
});
const RoleGrant = Type.Object(
  { siteId: Type.String({ description: 'site id, or * for every site' }), role: Type.Union(ROLES.map((r) => Type.Literal(r))) },
  strict,
);
const User = Type.Object({
  id: Type.String({ format: 'uuid' }),
  username: Type.String(),
  disabled: Type.Boolean(),
  roles: Type.Array(RoleGrant),
  lastLoginAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  createdAt: Type.String({ format: 'date-time' }),
});
const TokensSchema = Type.Object({
  accessToken: Type.String(),
  accessExpiresAt: Type.String({ format: 'date-time' }),
  refreshToken: Type.String(),
  refreshExpiresAt: Type.String({ format: 'date-time' }),
});
const Scope = Type.Union(API_KEY_SCOPES.map((s) => Type.Literal(s)));
const ApiKey = Type.Object({
  id: Type.String({ format: 'uuid' }),
  name: Type.String(),
  prefix: Type.String({ description: 'first characters of the key, to recognise it' }),
  siteId: Type.String(),
  scopes: Type.Array(Scope),
  createdAt: Type.String({ format: 'date-time' }),
  lastUsedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  revokedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});
const errors = errorResponses;
const UserId = Type.Object({ userId: Type.String({ format: 'uuid' }) }, strict);

export function registerAuthRoutes(
  app: FastifyInstance,
  auth: AuthService,
  keys: ApiKeyService,
  opts: { secureCookies: boolean; rateLimitPerMin: number },
): void {
  const rateLimit = { max: opts.rateLimitPerMin, timeWindow: '1 minute' };
  /** The dashboard's session: the access token for every path, the refresh token only for /auth/refresh. */
  const setCookie = (reply: { setCookie: (name: string, value: string, o: object) => unknown }, tokens: Tokens) => {
    const base = { httpOnly: true, sameSite: 'strict', secure: opts.secureCookies };
    reply.setCookie(SESSION_COOKIE, tokens.accessToken, { ...base, path: '/', expires: new Date(tokens.accessExpiresAt) });
    reply.setCookie(REFRESH_COOKIE, tokens.refreshToken, { ...base, path: REFRESH_PATH, expires: new Date(tokens.refreshExpiresAt) });
  };

  app.get(
    '/auth/setup',
    {
      schema: {
        tags: ['auth'],
        summary: 'Whether the first administrator still has to be created',
        response: { 200: Type.Object({ setupNeeded: Type.Boolean() }, { description: 'Setup state' }) },
      },
    },
    async () => ({ setupNeeded: await auth.setupNeeded() }),
  );

  const SetupBody = Type.Object(
    { token: Type.String({ description: 'one-time setup token from the start-up log' }), username: Username, password: Password },
    strict,
  );
  app.post<{ Body: Static<typeof SetupBody> }>(
    '/auth/setup',
    {
      config: { rateLimit },
      schema: {
        tags: ['auth'],
        summary: 'Create the first administrator with the one-time setup token',
        body: SetupBody,
        response: { 201: { ...User, description: 'The administrator' }, ...errors, 409: { ...ErrorBody, description: 'Already set up' } },
      },
    },
    async (req, reply) => reply.code(201).send(await auth.setup(req.body.token, req.body.username, req.body.password, contextOf(req))),
  );

  const LoginBody = Type.Object(
    { username: Type.String({ maxLength: 64 }), password: Type.String({ maxLength: PASSWORD_MAX_LENGTH }) },
    strict,
  );
  app.post<{ Body: Static<typeof LoginBody> }>(
    '/auth/login',
    {
      bodyLimit: 4096,
      config: { rateLimit },
      schema: {
        tags: ['auth'],
        summary: 'Sign in: returns a bearer token (and sets an HTTP-only session cookie for the dashboard)',
        body: LoginBody,
        response: {
          200: Type.Object({ ...TokensSchema.properties, user: User }, { description: 'Signed in' }),
          ...errors,
          429: { ...ErrorBody, description: 'Locked after repeated failures, or too many requests' },
        },
      },
    },
    async (req, reply) => {
      const { tokens, user } = await auth
        .login(req.body.username, req.body.password, { requestId: req.id, ip: req.ip }, req.headers['user-agent'])
        .catch((err: Error) => {
          req.log.warn({ username: req.body.username.slice(0, 64), ip: req.ip, reason: err.message }, 'login failed');
          throw err;
        });
      setCookie(reply, tokens);
      return { ...tokens, user };
    },
  );

  const RefreshBody = Type.Object(
    { refreshToken: Type.Optional(Type.String({ description: 'omit to use the HTTP-only refresh cookie set at login' })) },
    strict,
  );
  app.post<{ Body: Static<typeof RefreshBody> }>(
    '/auth/refresh',
    {
      config: { rateLimit },
      schema: {
        tags: ['auth'],
        summary: 'Trade a refresh token for a new token pair (the old pair ends)',
        body: RefreshBody,
        response: { 200: { ...TokensSchema, description: 'New tokens' }, ...errors },
      },
    },
    async (req, reply) => {
      const token = req.body?.refreshToken ?? req.cookies[REFRESH_COOKIE];
      if (!token) throw new HttpError(401, 'invalid_token', 'No refresh token: send {"refreshToken"} or sign in again');
      const tokens = await auth.refresh(token, req.headers['user-agent']);
      setCookie(reply, tokens);
      return tokens;
    },
  );

  app.post(
    '/auth/logout',
    {
      schema: {
        tags: ['auth'],
        summary: 'End this session at once',
        response: { 204: { type: 'null', description: 'Signed out' }, ...errors },
      },
    },
    async (req, reply) => {
      const p = req.principal!;
      if (p.kind === 'user') await auth.logout(p.sessionId, contextOf(req));
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      reply.clearCookie(REFRESH_COOKIE, { path: REFRESH_PATH });
      return reply.code(204).send();
    },
  );

  app.get(
    '/auth/me',
    {
      schema: {
        tags: ['auth'],
        summary: 'Who is calling: the user with roles, or the API key with its site and scopes',
        response: {
          200: Type.Union(
            [
              Type.Object({ kind: Type.Literal('user'), user: User }),
              Type.Object({
                kind: Type.Literal('api_key'),
                key: Type.Object({ id: Type.String(), name: Type.String(), siteId: Type.String(), scopes: Type.Array(Scope) }),
              }),
            ],
            { description: 'The caller' },
          ),
          ...errors,
        },
      },
    },
    async (req) => {
      const p = req.principal!;
      if (p.kind === 'user') return { kind: 'user' as const, user: (await auth.getUser(p.userId))! };
      return { kind: 'api_key' as const, key: { id: p.keyId, name: p.name, siteId: p.siteId, scopes: [...p.scopes] } };
    },
  );

  // ---- users (admin) ----
  app.get(
    '/users',
    {
      schema: {
        tags: ['users'],
        summary: 'List users with their roles',
        response: { 200: { ...Type.Array(User), description: 'Users' }, ...errors },
      },
    },
    () => auth.listUsers(),
  );

  const CreateUser = Type.Object({ username: Username, password: Password, roles: Type.Array(RoleGrant, { default: [] }) }, strict);
  app.post<{ Body: Static<typeof CreateUser> }>(
    '/users',
    {
      schema: {
        tags: ['users'],
        summary: 'Create a user',
        body: CreateUser,
        response: { 201: { ...User, description: 'Created' }, ...errors, 409: { ...ErrorBody, description: 'User name taken' } },
      },
    },
    async (req, reply) => reply.code(201).send(await auth.createUser(req.body, contextOf(req))),
  );

  const UpdateUser = Type.Object(
    { disabled: Type.Optional(Type.Boolean()), password: Type.Optional(Password) },
    { ...strict, minProperties: 1 },
  );
  app.patch<{ Params: Static<typeof UserId>; Body: Static<typeof UpdateUser> }>(
    '/users/:userId',
    {
      schema: {
        tags: ['users'],
        summary: 'Disable/enable a user or set a new password (ends their sessions)',
        params: UserId,
        body: UpdateUser,
        response: { 200: { ...User, description: 'Updated' }, ...errors, 404: { ...ErrorBody, description: 'No such user' } },
      },
    },
    async (req) => auth.updateUser(req.params.userId, req.body, contextOf(req)),
  );

  const Roles = Type.Object({ roles: Type.Array(RoleGrant) }, strict);
  app.put<{ Params: Static<typeof UserId>; Body: Static<typeof Roles> }>(
    '/users/:userId/roles',
    {
      schema: {
        tags: ['users'],
        summary: "Replace a user's roles (one per site, * for every site)",
        params: UserId,
        body: Roles,
        response: { 200: { ...User, description: 'Updated' }, ...errors, 404: { ...ErrorBody, description: 'No such user' } },
      },
    },
    async (req) => auth.setRoles(req.params.userId, req.body.roles, contextOf(req)),
  );

  app.post<{ Params: Static<typeof UserId> }>(
    '/users/:userId/revoke-sessions',
    {
      schema: {
        tags: ['users'],
        summary: "End all of a user's sessions now",
        params: UserId,
        response: {
          200: Type.Object({ revoked: Type.Integer() }, { description: 'Sessions ended' }),
          ...errors,
          404: { ...ErrorBody, description: 'No such user' },
        },
      },
    },
    async (req) => ({ revoked: await auth.revokeSessions(req.params.userId, contextOf(req)) }),
  );

  // ---- API keys (admin) ----
  app.get(
    '/api-keys',
    {
      schema: {
        tags: ['api-keys'],
        summary: 'List API keys (never their secrets)',
        response: { 200: { ...Type.Array(ApiKey), description: 'Keys' }, ...errors },
      },
    },
    () => keys.listApiKeys(),
  );

  const CreateKey = Type.Object(
    { name: Type.String({ minLength: 1, maxLength: 100 }), siteId: Type.String(), scopes: Type.Array(Scope, { minItems: 1 }) },
    strict,
  );
  app.post<{ Body: Static<typeof CreateKey> }>(
    '/api-keys',
    {
      schema: {
        tags: ['api-keys'],
        summary: 'Create an API key for one site; the secret is in this response only',
        body: CreateKey,
        response: {
          201: Type.Object(
            { key: ApiKey, secret: Type.String({ description: 'send as Authorization: Bearer <secret>; shown once' }) },
            { description: 'Created' },
          ),
          ...errors,
        },
      },
    },
    async (req, reply) => {
      const p = req.principal!;
      return reply
        .code(201)
        .send(await keys.createApiKey(req.body, { ...contextOf(req), ...(p.kind === 'user' ? { userId: p.userId } : {}) }));
    },
  );

  const KeyId = Type.Object({ keyId: Type.String({ format: 'uuid' }) }, strict);
  app.delete<{ Params: Static<typeof KeyId> }>(
    '/api-keys/:keyId',
    {
      schema: {
        tags: ['api-keys'],
        summary: 'Revoke an API key (effective immediately)',
        params: KeyId,
        response: { 200: { ...ApiKey, description: 'Revoked' }, ...errors, 404: { ...ErrorBody, description: 'No such key' } },
      },
    },
    async (req) => keys.revokeApiKey(req.params.keyId, contextOf(req)),
  );
}
