/** GET /health (liveness), GET /ready (every configured dependency), GET /metrics (Prometheus text). */
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Extensions } from '../store/index.js';
import { checkAll, type Dependency } from './dependency.js';
import type { Metrics } from './metrics.js';

const Check = Type.Object({
  name: Type.String({ description: 'adapter family, e.g. database, mqtt, queue' }),
  adapter: Type.String({ description: 'active adapter, e.g. pglite, postgres, embedded, redis' }),
  target: Type.String({ description: 'where it is (no secrets)' }),
  state: Type.Union([Type.Literal('up'), Type.Literal('down'), Type.Literal('disabled')]),
  detail: Type.String(),
  latencyMs: Type.Integer({ description: 'duration of the check in milliseconds' }),
});

const Ready = Type.Object({
  status: Type.Union([Type.Literal('ready'), Type.Literal('not_ready')]),
  checks: Type.Array(Check),
  extensions: Type.Object({ timescaledb: Type.Boolean(), vector: Type.Boolean() }),
  version: Type.String(),
  uptimeS: Type.Integer({ description: 'seconds since the service started' }),
  devices: Type.Optional(
    Type.Array(
      Type.Object({
        siteId: Type.String(),
        deviceId: Type.String(),
        protocol: Type.String(),
        state: Type.String({ description: 'connecting, online, degraded, offline, stopped' }),
        lastValueMs: Type.Union([Type.Number(), Type.Null()], { description: 'time of the newest value (epoch ms)' }),
        errors: Type.Integer({ description: 'errors since start, all kinds (details: GET /sites/:siteId/devices)' }),
        lastError: Type.Union([Type.String(), Type.Null()]),
      }),
      { description: 'Field devices; an offline device does not make the service not_ready' },
    ),
  ),
});

/** What /ready shows of a device (DeviceHealth from api/src/devices/driver.ts fits). */
export interface ReadyDevice {
  siteId: string;
  deviceId: string;
  protocol: string;
  state: string;
  lastValueMs: number | null;
  errors: Record<string, number>;
  lastError: { message: string } | null;
}

export interface OpsContext {
  dependencies: () => readonly Dependency[];
  extensions: () => Extensions;
  metrics: Metrics;
  readyTimeoutMs: number;
  version: string;
  startedAt: number;
  /** field devices' health (shown, not part of readiness) */
  devices?: () => readonly ReadyDevice[];
}

export function registerOpsRoutes(app: FastifyInstance, ctx: OpsContext): void {
  app.get(
    '/health',
    {
      schema: {
        tags: ['ops'],
        summary: 'Liveness: the process runs and serves HTTP',
        response: { 200: Type.Object({ status: Type.Literal('ok') }, { description: 'The process is alive' }) },
      },
    },
    async () => ({ status: 'ok' as const }),
  );

  app.get(
    '/ready',
    {
      schema: {
        tags: ['ops'],
        summary: 'Readiness: checks every configured dependency',
        description: '200 when every enabled dependency is up, 503 otherwise; the body lists each one.',
        response: {
          200: { ...Ready, description: 'Every enabled dependency is up' },
          503: { ...Ready, description: 'At least one enabled dependency is down; see checks' },
        },
      },
    },
    async (_req, reply) => {
      const checks = await checkAll(ctx.dependencies(), ctx.readyTimeoutMs);
      for (const c of checks) {
        if (c.state !== 'disabled') ctx.metrics.dependencyUp.set({ name: c.name, adapter: c.adapter }, c.state === 'up' ? 1 : 0);
      }
      const ready = checks.every((c) => c.state !== 'down');
      return reply.code(ready ? 200 : 503).send({
        status: ready ? 'ready' : 'not_ready',
        checks,
        extensions: ctx.extensions(),
        version: ctx.version,
        uptimeS: Math.floor((Date.now() - ctx.startedAt) / 1000),
        ...(ctx.devices
          ? {
              devices: ctx.devices().map((d) => ({
                siteId: d.siteId,
                deviceId: d.deviceId,
                protocol: d.protocol,
                state: d.state,
                lastValueMs: d.lastValueMs,
                errors: Object.values(d.errors).reduce((a, b) => a + b, 0),
                lastError: d.lastError?.message ?? null,
              })),
            }
          : {}),
      });
    },
  );

  app.get(
    '/metrics',
    {
      schema: {
        tags: ['ops'],
        summary: 'Prometheus metrics (text exposition format)',
        produces: ['text/plain'],
        response: { 200: Type.String({ description: 'Prometheus text exposition format 0.0.4' }) },
      },
    },
    async (_req, reply) => {
      const body = await ctx.metrics.registry.metrics();
      return reply.type(ctx.metrics.registry.contentType).send(body);
    },
  );
}
