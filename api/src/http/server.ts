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
import type { Logger } from '../ops/logger.js';
import type { Metrics } from '../ops/metrics.js';

export const FRONTEND_DIST = fileURLToPath(new URL('../../../frontend/dist/', import.meta.url));

export interface ServerOptions {
  logger: Logger;
  metrics: Metrics;
  version: string;
  frontendDir?: string;
}

/** Errors that know their HTTP status; anything else becomes a 500 that leaks nothing but the request id. */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export async function buildServer(opts: ServerOptions): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: opts.logger as FastifyBaseLogger,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && /^[\w.-]{1,64}$/.test(given) ? given : randomUUID();
    },
    bodyLimit: 10 * 1024 * 1024,
    forceCloseConnections: 'idle',
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true, allErrors: false } },
  });

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
      return reply.code(error.statusCode).send({ error: error.code, message: error.message, requestId: req.id });
    }
    if ('validation' in error && error.validation) {
      return reply.code(400).send({ error: 'bad_request', message: error.message, requestId: req.id });
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
  await app.register(fastifySwaggerUi, { routePrefix: '/docs', uiConfig: { docExpansion: 'list', deepLinking: true } });

  const frontendDir = opts.frontendDir ?? FRONTEND_DIST;
  if (existsSync(`${frontendDir}/index.html`)) {
    await app.register(fastifyStatic, { root: frontendDir, prefix: '/', wildcard: false });
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
