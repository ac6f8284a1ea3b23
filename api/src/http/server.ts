/**
 * The Fastify service shell: request ids, strict validation (unknown fields rejected), one error
 * mapper, OpenAPI document + interactive docs at /docs, HTTP metrics, and the dashboard build at /.
 */
import { existsSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import Fastify, { type FastifyBaseLogger, type FastifyError, type FastifyInstance } from 'fastify';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import fastifyStatic from '@fastify/static';
import fastifyCookie from '@fastify/cookie';
import fastifyCors from '@fastify/cors';
import fastifyHelmet from '@fastify/helmet';
import fastifyRateLimit from '@fastify/rate-limit';
import type { Logger } from '../ops/logger.js';
import { HttpError } from './errors.js';
import { isConnectionError } from '../store/errors.js';

export { HttpError };
import type { Metrics } from '../ops/metrics.js';

export const FRONTEND_DIST = fileURLToPath(new URL('../../../frontend/dist/', import.meta.url));

export interface ServerOptions {
  logger: Logger;
  metrics: Metrics;
  version: string;
  frontendDir?: string;
  /** Browser origins allowed by CORS; empty = CORS off. */
  corsOrigins?: string[];
  /** PEM certificate and key: serve HTTPS. */
  tls?: { cert: Buffer; key: Buffer };
  /** Installed before any route: authentication/authorisation hooks (auth/guard.ts). */
  guard?: (app: FastifyInstance) => void;
}

export async function buildServer(opts: ServerOptions): Promise<FastifyInstance> {
  const app = Fastify({
    ...(opts.tls ? { https: { cert: opts.tls.cert, key: opts.tls.key } } : {}),
    loggerInstance: opts.logger as FastifyBaseLogger,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && /^[\w.-]{1,64}$/.test(given) ? given : randomUUID();
    },
    bodyLimit: 10 * 1024 * 1024,
    forceCloseConnections: 'idle',
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true, allErrors: false } },
  });

  // Cookies are parsed first so that the guard (next) sees the dashboard's session cookie; the guard
  // is installed before any plugin or route that registers routes, so every route passes its check.
  await app.register(fastifyCookie);
  opts.guard?.(app);
  await app.register(fastifyHelmet, {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        frameAncestors: ["'none'"],
        upgradeInsecureRequests: null,
      },
    },
    hsts: opts.tls ? { maxAge: 15552000 } : false,
  });
  if (opts.corsOrigins?.length) await app.register(fastifyCors, { origin: opts.corsOrigins, credentials: true });
  // Scoped, not global: only routes that opt in (login, setup, refresh; ingest later) are limited.
  await app.register(fastifyRateLimit, { global: false });

  // File uploads (CSV/XLSX imports) arrive as the raw body.
  app.addContentTypeParser(
    ['text/csv', 'text/plain', 'application/octet-stream', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'],
    { parseAs: 'buffer' },
    (_req, body, done) => done(null, body),
  );

  app.addHook('onSend', async (req, reply) => {
    reply.header('x-request-id', req.id);
  });
  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? 'unmatched';
    const labels = { method: req.method, route };
    opts.metrics.httpRequests.inc({ ...labels, status: String(reply.statusCode) });
    opts.metrics.httpDuration.observe(labels, reply.elapsedTime / 1000);
  });

  app.setErrorHandler((error: FastifyError | HttpError, req, reply) => {
    if (error instanceof HttpError) {
      if (error.retryAfterS !== undefined) reply.header('retry-after', String(error.retryAfterS));
      return reply.code(error.statusCode).send({
        error: error.code,
        message: error.message,
        requestId: req.id,
        ...(error.retryAfterS !== undefined ? { retryAfterS: error.retryAfterS } : {}),
      });
    }
    if ('validation' in error && error.validation) {
      return reply.code(400).send({ error: 'bad_request', message: validationMessage(error), requestId: req.id });
    }
    if (isConnectionError(error)) {
      req.log.warn({ err: error.message }, 'database unreachable');
      reply.header('retry-after', '5');
      return reply
        .code(503)
        .send({ error: 'unavailable', message: 'The database is unreachable; try again shortly', requestId: req.id, retryAfterS: 5 });
    }
    const status = error.statusCode ?? 500;
    if (status < 500) {
      return reply.code(status).send({ error: error.code ?? 'bad_request', message: error.message, requestId: req.id });
    }
    req.log.error({ err: error }, 'request failed');
    return reply
      .code(500)
      .send({ error: 'internal', message: `Internal error — quote request id ${req.id} when reporting it`, requestId: req.id });
  });
  app.setNotFoundHandler((req, reply) =>
    reply.code(404).send({ error: 'not_found', message: `No route ${req.method} ${req.url.split('?')[0]}`, requestId: req.id }),
  );

  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Luna-IEMS API',
        version: opts.version,
        description:
          'Open, local-first energy management system. Times are UTC (ISO 8601) unless a field says otherwise; power in W, energy in Wh.',
        license: { name: 'Apache-2.0', url: 'https://www.apache.org/licenses/LICENSE-2.0' },
      },
      tags: [{ name: 'ops', description: 'Liveness, readiness and metrics' }],
    },
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/docs', staticCSP: true, uiConfig: { docExpansion: 'list', deepLinking: true } });

  const frontendDir = opts.frontendDir ?? FRONTEND_DIST;
  if (existsSync(`${frontendDir}/index.html`)) {
    await app.register(fastifyStatic, { root: frontendDir, prefix: '/', wildcard: true });
  } else {
    app.get('/', { schema: { hide: true } }, async (_req, reply) =>
      reply
        .type('text/html; charset=utf-8')
        .send(
          '<!doctype html><html lang="en"><meta charset="utf-8"><title>Luna-IEMS</title><body style="font-family:sans-serif;max-width:40em;margin:3em auto">' +
            '<h1>Luna-IEMS</h1><p>The service runs, but the dashboard is not built. Run <code>npm run build</code> (or <code>npm start</code>, which builds first).</p>' +
            '<p><a href="/ready">/ready</a> · <a href="/docs">API reference</a> · <a href="/metrics">/metrics</a></p></body></html>',
        ),
    );
  }
  return app;
}

/** "body/password must NOT have fewer than 1 characters" → names the field; unknown fields say so plainly. */
function validationMessage(error: FastifyError): string {
  const first = error.validation?.[0];
  if (first?.keyword === 'additionalProperties') {
    const field = (first.params as { additionalProperty?: string }).additionalProperty;
    const where = `${error.validationContext ?? 'body'}${first.instancePath.replace(/\//g, '.')}`;
    return `${where} has an unknown field "${field}"; remove it (see the API reference at /docs)`;
  }
  return error.message;
}
