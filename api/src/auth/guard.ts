/**
 * Authentication and authorisation for every route, in one place. At registration each route must
 * have an entry in the access table (route-table.ts) or the service refuses to start. At request
 * time the caller is identified (bearer token, session cookie or API key) and checked against it.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Actor } from '../audit/index.js';
import { HttpError } from '../http/errors.js';
import type { Principal } from './principal.js';
import { ALL_SITES, ROLES, roleAllows, userMay, type Permission } from './roles.js';
import { accessFor, type Access } from './route-table.js';
import type { AuthService, RequestContext } from './service.js';

export const SESSION_COOKIE = 'luna_session';

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
  interface FastifyContextConfig {
    access?: Access;
  }
}

function rolesWith(permission: Permission): string {
  return ROLES.filter((r) => roleAllows(r, permission)).join(' or ');
}

export function actorOf(principal: Principal | undefined): Actor {
  if (!principal) return { type: 'anonymous' };
  return principal.kind === 'user'
    ? { type: 'user', id: principal.userId, name: principal.username }
    : { type: 'api_key', id: principal.keyId, name: principal.name };
}

export function contextOf(req: FastifyRequest): RequestContext {
  return { actor: actorOf(req.principal), requestId: req.id, ip: req.ip };
}

function bearerOf(req: FastifyRequest): string | undefined {
  const header = req.headers.authorization;
  if (header) {
    const m = /^Bearer\s+(\S+)$/i.exec(header);
    return m?.[1];
  }
  return req.cookies?.[SESSION_COOKIE];
}

/** Decides a request; pure apart from the principal already resolved. Throws 401/403 HttpErrors. */
export function authorise(access: Access, principal: Principal | undefined, params: Record<string, string | undefined>): void {
  if (access.kind === 'public') return;
  if (!principal) {
    throw new HttpError(401, 'unauthenticated', 'Sign in first: send "Authorization: Bearer <token>" from POST /auth/login, or an API key');
  }
  if (access.kind === 'authenticated') {
    if (principal.kind === 'api_key' && !access.keys)
      throw new HttpError(403, 'forbidden', 'API keys cannot use this route; sign in as a user');
    return;
  }
  const siteId = access.site === 'param' ? params.siteId : ALL_SITES;
  if (siteId === undefined) throw new Error('access table says site: param but the route has no :siteId');
  if (principal.kind === 'api_key') {
    if (access.site === 'global' || principal.siteId !== siteId || !(principal.scopes as readonly string[]).includes(access.permission)) {
      throw new HttpError(
        403,
        'forbidden',
        `This API key (site ${principal.siteId}, scopes ${principal.scopes.join(', ')}) may not ${access.permission}${access.site === 'param' ? ` on site ${siteId}` : ''}`,
      );
    }
    return;
  }
  if (!userMay(principal.grants, access.permission, siteId)) {
    throw new HttpError(
      403,
      'forbidden',
      access.site === 'param'
        ? `Your role on site ${siteId} does not allow ${access.permission} (needs ${rolesWith(access.permission)})`
        : `This needs the ${rolesWith(access.permission)} role on every site (*)`,
    );
  }
}

export function installGuard(app: FastifyInstance, auth: () => AuthService): void {
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      const access = accessFor(method === 'HEAD' ? 'GET' : method, route.url);
      if (!access) {
        throw new Error(`Route ${method} ${route.url} has no entry in the access table (api/src/auth/route-table.ts); add one`);
      }
      route.config = { ...(route.config ?? {}), access };
    }
  });

  app.addHook('onRequest', async (req: FastifyRequest, _reply: FastifyReply) => {
    const access = req.routeOptions.config?.access;
    if (!access) return; // unmatched route: the 404 handler answers
    const token = bearerOf(req);
    if (token) req.principal = await auth().authenticate(token);
    if (token && !req.principal && access.kind !== 'public') {
      throw new HttpError(401, 'invalid_token', 'The token or API key is expired, revoked or unknown: sign in again');
    }
    // A site named in the body can only be checked once the body is parsed (preValidation below).
    if (access.kind === 'permission' && access.site === 'body') authorise({ kind: 'authenticated', keys: true }, req.principal, {});
    else authorise(access, req.principal, req.params as Record<string, string | undefined>);
  });

  app.addHook('preValidation', async (req: FastifyRequest) => {
    const access = req.routeOptions.config?.access;
    if (access?.kind !== 'permission' || access.site !== 'body') return;
    const siteId = (req.body as { siteId?: unknown } | undefined)?.siteId;
    if (typeof siteId !== 'string') throw new HttpError(400, 'bad_request', 'body/siteId is required: the site the data belongs to');
    authorise({ ...access, site: 'param' }, req.principal, { siteId });
  });
}
