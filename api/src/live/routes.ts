/**
 * GET /sites/:siteId/live — the WebSocket of the live API, authorised exactly like REST: the
 * guard checks the upgrade request against the access table (read on the site) with the bearer
 * token, the session cookie (the dashboard on the same origin) or an API key with read scope.
 * Browsers on another origin cannot set headers on a WebSocket: they may pass the token as
 * `?access_token=`; it is moved into the Authorization header and cut from the URL before the
 * request is routed (so it is never logged). The caller is checked again every `recheckMs`: a
 * revoked or expired session, a disabled user or a role change closes the socket (4401/4403).
 */
import fastifyWebsocket from '@fastify/websocket';
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { IncomingMessage } from 'node:http';
import { authorise, SESSION_COOKIE } from '../auth/guard.js';
import type { AuthService } from '../auth/service.js';
import { HttpError } from '../http/errors.js';
import { ErrorBody, errorResponses, notFound, strict } from '../http/schemas.js';
import { mustGetSite } from '../sites/index.js';
import type { Database } from '../store/index.js';
import type { LiveHub, LiveSocket } from './hub.js';
import { CLOSE } from './protocol.js';

const LIVE_PATH = /^\/sites\/[^/?#]+\/live(?:\?|$)/;

/** `?access_token=` on an upgrade to the live route → Authorization header; the token leaves the URL. */
export function moveQueryToken(req: IncomingMessage): void {
  if (!req.url || !LIVE_PATH.test(req.url) || !req.url.includes('access_token=')) return;
  const u = new URL(req.url, 'http://x');
  const token = u.searchParams.get('access_token');
  u.searchParams.delete('access_token');
  req.url = u.pathname + (u.search === '?' ? '' : u.search);
  if (token && !req.headers.authorization) req.headers.authorization = `Bearer ${token}`;
}

function tokenOf(req: FastifyRequest): string | undefined {
  const header = req.headers.authorization;
  if (header) return /^Bearer\s+(\S+)$/i.exec(header)?.[1];
  return req.cookies?.[SESSION_COOKIE];
}

const Params = Type.Object({ siteId: Type.String({ maxLength: 63 }) }, strict);

export interface LiveRouteOptions {
  /** re-check the caller's session/key and role this often (default 60 s) */
  recheckMs?: number;
  /** largest client frame in bytes (default 64 KiB) */
  maxPayloadBytes?: number;
}

export async function registerLiveRoutes(
  app: FastifyInstance,
  db: Database,
  hub: LiveHub,
  auth: () => AuthService,
  o: LiveRouteOptions = {},
): Promise<void> {
  const recheckMs = o.recheckMs ?? 60_000;
  // before @fastify/websocket's own listener, so the guard sees the header
  app.server.prependListener('upgrade', (req: IncomingMessage) => moveQueryToken(req));
  await app.register(fastifyWebsocket, {
    options: { maxPayload: o.maxPayloadBytes ?? 64 * 1024 },
    // the hub closes its sockets itself (1001) in app.stop(); then the server closes
    preClose(done) {
      hub.close();
      done();
    },
  });

  // A refused upgrade (401/403/404 from the guard or the site check) is answered over the raw socket, which
  // @fastify/websocket only ends when its own onRequest hook ran — not when the guard threw first. Without
  // this the connection stays open and a graceful shutdown waits for it forever.
  app.addHook('onResponse', async (req) => {
    if (req.headers.upgrade?.toLowerCase() !== 'websocket' || !LIVE_PATH.test(req.url)) return;
    const socket = req.raw.socket;
    socket.end();
    setTimeout(() => socket.destroy(), 1_000).unref();
  });

  app.route<{ Params: Static<typeof Params> }>({
    method: 'GET',
    url: '/sites/:siteId/live',
    schema: {
      tags: ['live'],
      summary: 'Live updates of a site over a WebSocket (readings, plans, commands, overrides, signals, agents, devices, events, alerts)',
      description:
        'Upgrade to a WebSocket (plain GET answers 426). Authorisation as for GET /sites/:siteId: bearer token, session cookie or API key ' +
        'with read scope; browsers on another origin may pass `?access_token=`. The session is checked again every minute. ' +
        'Send `{"subscribe":["readings","device"],"cursor":<last cursor>,"epoch":"<from hello>"}`; the server replays what you missed ' +
        'from its per-site journal (last 10,000 messages / 15 min), says `{"type":"gap","from","to"}` when that is not enough ' +
        '(reload through REST), then streams `{"type":"msg","cursor","topic","atMs","data"}`. Slow readers are closed with 1013. ' +
        'Message format: docs/live.md.',
      params: Params,
      response: {
        426: { ...ErrorBody, description: 'Not a WebSocket upgrade request: connect with a WebSocket client' },
        ...errorResponses,
        ...notFound,
      },
    },
    preHandler: async (req) => {
      await mustGetSite(db, req.params.siteId);
    },
    handler: async (_req, reply) => {
      reply.header('upgrade', 'websocket');
      throw new HttpError(426, 'upgrade_required', 'This is a WebSocket endpoint: connect with a WebSocket client (see docs/live.md)');
    },
    wsHandler: (socket, req) => {
      const siteId = req.params.siteId;
      const access = req.routeOptions.config.access!;
      const client = hub.attach(socket as unknown as LiveSocket, siteId);
      const token = tokenOf(req);
      if (!token) return;
      const timer = setInterval(() => {
        void auth()
          .authenticate(token)
          .then(
            (principal) => {
              if (!principal)
                return hub.drop(client, CLOSE.unauthenticated, 'session ended (expired, revoked or disabled): sign in again', 'auth');
              try {
                authorise(access, principal, { siteId });
              } catch (err) {
                hub.drop(client, CLOSE.forbidden, `no longer allowed: ${(err as Error).message}`, 'auth');
              }
            },
            // database unreachable: keep the socket; the next check decides
            () => undefined,
          );
      }, recheckMs);
      timer.unref();
      socket.on('close', () => clearInterval(timer));
    },
  });
}
