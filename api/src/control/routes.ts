/**
 * Control API (read): the commands the agents sent (paged, newest first) and the agents' state
 * (mode, last setpoint, measurement age, watchdog) per site.
 */
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { HttpError } from '../http/errors.js';
import { errorResponses, notFound, strict } from '../http/schemas.js';
import { mustGetSite } from '../sites/index.js';
import type { Database } from '../store/index.js';
import type { ControlService } from './service.js';

const SOURCES = ['plan', 'rule', 'live-correction', 'peak-shaving', 'grid-signal', 'manual', 'safe-state'] as const;

const Command = Type.Object({
  id: Type.Integer(),
  siteId: Type.String(),
  assetId: Type.String(),
  deviceId: Type.String(),
  setpoint: Type.String(),
  requestedW: Type.Number({ description: 'what the deciding layer asked for, W (battery + discharge; PV: cap; flexible: consumption)' }),
  writtenW: Type.Number({ description: 'what was written after the safety envelope, W' }),
  clampedBy: Type.Array(Type.String(), { description: 'envelope limits that clamped it (soc-min, ramp, import-limit, section14a …)' }),
  source: Type.String({ description: SOURCES.join(', ') }),
  revertTimeoutS: Type.Integer(),
  atMs: Type.Number({ description: 'site time of the tick (epoch ms)' }),
  result: Type.String({ description: 'ok, failed, skipped' }),
  error: Type.Optional(Type.String()),
  userId: Type.Optional(Type.String()),
  userName: Type.Optional(Type.String()),
});

const Agent = Type.Object({
  siteId: Type.String(),
  assetId: Type.String(),
  kind: Type.String({ description: 'battery, pv, flexible' }),
  mode: Type.String({ description: 'auto, override, grid-signal, stopped' }),
  reason: Type.Optional(Type.String()),
  setpointW: Type.Optional(Type.Number()),
  atMs: Type.Number(),
  lastWrittenW: Type.Optional(Type.Number()),
  lastWrittenAtMs: Type.Optional(Type.Number()),
  lastResult: Type.Optional(Type.String()),
  lastError: Type.Optional(Type.String()),
  measurementAgeMs: Type.Union([Type.Number(), Type.Null()]),
  watchdog: Type.String({ description: 'ok, or overdue when the loop stalled for more than three ticks' }),
});

const SiteParams = Type.Object({ siteId: Type.String({ maxLength: 63 }) }, strict);
const CommandQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
    beforeId: Type.Optional(Type.Integer({ minimum: 1, description: 'nextBeforeId of the previous page' })),
    from: Type.Optional(Type.String({ format: 'date-time' })),
    to: Type.Optional(Type.String({ format: 'date-time' })),
    assetId: Type.Optional(Type.String({ maxLength: 63 })),
    source: Type.Optional(Type.Union(SOURCES.map((s) => Type.Literal(s)))),
  },
  strict,
);

export function registerControlRoutes(app: FastifyInstance, db: Database, control: ControlService | undefined): void {
  app.get<{ Params: Static<typeof SiteParams>; Querystring: Static<typeof CommandQuery> }>(
    '/sites/:siteId/control/commands',
    {
      schema: {
        tags: ['control'],
        summary: 'Setpoint commands of the control agents, newest first (source, requested, written, clamping, device result, user)',
        params: SiteParams,
        querystring: CommandQuery,
        response: {
          200: Type.Object(
            { commands: Type.Array(Command), nextBeforeId: Type.Union([Type.Integer(), Type.Null()]) },
            { description: 'One page of commands, newest first; nextBeforeId fetches the next (older) page' },
          ),
          ...notFound,
          ...errorResponses,
        },
      },
    },
    async (req) => {
      await mustGetSite(db, req.params.siteId);
      const q = req.query;
      const fromMs = q.from !== undefined ? Date.parse(q.from) : undefined;
      const toMs = q.to !== undefined ? Date.parse(q.to) : undefined;
      if (fromMs !== undefined && toMs !== undefined && !(toMs > fromMs)) throw new HttpError(400, 'bad_range', 'to must be after from');
      if (!control) return { commands: [], nextBeforeId: null };
      return control.store.list(req.params.siteId, {
        limit: q.limit ?? 100,
        ...(q.beforeId !== undefined ? { beforeId: q.beforeId } : {}),
        ...(fromMs !== undefined ? { fromMs } : {}),
        ...(toMs !== undefined ? { toMs } : {}),
        ...(q.assetId !== undefined ? { assetId: q.assetId } : {}),
        ...(q.source !== undefined ? { source: q.source } : {}),
      });
    },
  );

  app.get<{ Params: Static<typeof SiteParams> }>(
    '/sites/:siteId/control/agents',
    {
      schema: {
        tags: ['control'],
        summary: "The site's control agents: mode, last setpoint, measurement age, watchdog, plan and peak shaving state",
        params: SiteParams,
        response: {
          200: Type.Object(
            {
              siteId: Type.String(),
              running: Type.Boolean({
                description: 'false when control is off (LUNA_CONTROL=off) or the site has no energy configuration',
              }),
              tickMs: Type.Union([Type.Integer(), Type.Null()]),
              ticks: Type.Integer(),
              lastTickAtMs: Type.Union([Type.Number(), Type.Null()]),
              lastTickDurationMs: Type.Union([Type.Number(), Type.Null()]),
              overdue: Type.Boolean(),
              planId: Type.Union([Type.String(), Type.Null()]),
              peak: Type.Union([
                Type.Object({
                  targetW: Type.Optional(Type.Number()),
                  lineW: Type.Optional(Type.Number()),
                  projectedAverageW: Type.Optional(Type.Number()),
                  averageSoFarW: Type.Optional(Type.Number()),
                }),
                Type.Null(),
              ]),
              agents: Type.Array(Agent),
            },
            { description: 'The loop and its agents (running false: no loop for the site)' },
          ),
          ...notFound,
          ...errorResponses,
        },
      },
    },
    async (req) => {
      await mustGetSite(db, req.params.siteId);
      const s = control?.status(req.params.siteId);
      if (!s)
        return {
          siteId: req.params.siteId,
          running: false,
          tickMs: null,
          ticks: 0,
          lastTickAtMs: null,
          lastTickDurationMs: null,
          overdue: false,
          planId: null,
          peak: null,
          agents: [],
        };
      return { ...s, running: true };
    },
  );
}
