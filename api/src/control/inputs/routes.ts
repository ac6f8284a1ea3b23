/**
 * Manual overrides (operator) and grid-operator signals (ingest: the DSO's gateway with an API key
 * of scope ingest, or an engineer/admin) — one line per endpoint, the rules are in service.ts and
 * validate.ts. Every change is audited and published live.
 */
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { contextOf } from '../../auth/guard.js';
import { HttpError, parseTimeRange } from '../../http/errors.js';
import { errorResponses, notFound, strict } from '../../http/schemas.js';
import { mustGetSite } from '../../sites/index.js';
import type { Database } from '../../store/index.js';
import { InputError, type ControlInputsService } from './service.js';
import { GRID_SIGNAL_KINDS, parseSignalInput } from './validate.js';

const W = (description: string) => Type.Number({ description });

const OverrideView = Type.Object({
  id: Type.String(),
  siteId: Type.String(),
  assetId: Type.String(),
  setpointW: W('the fixed setpoint, W (battery + discharge / − charge; PV: output cap; flexible load: consumption)'),
  createdAtMs: Type.Number(),
  expiresAtMs: Type.Number(),
  userId: Type.Optional(Type.String()),
  userName: Type.Optional(Type.String()),
  reason: Type.Optional(Type.String()),
  releasedAtMs: Type.Optional(Type.Number({ description: 'handed back to automation before the expiry' })),
});

const SignalView = Type.Object({
  id: Type.String(),
  siteId: Type.String(),
  kind: Type.Union(GRID_SIGNAL_KINDS.map((k) => Type.Literal(k))),
  fromMs: Type.Number(),
  toMs: Type.Number(),
  maxControllablePowerW: Type.Optional(W('§14a: all controllable consumption devices together at most this, W')),
  maxPvPowerW: Type.Optional(W('redispatch curtailment: PV output at most this, W')),
  maxExportPowerW: Type.Optional(W('redispatch curtailment: feed-in at most this, W')),
  targetGridW: Type.Optional(W('redispatch activation: grid power held at this, W (+ import / − export)')),
  source: Type.Union([Type.Literal('api'), Type.Literal('mqtt'), Type.Literal('modbus')]),
  reference: Type.Optional(Type.String()),
  receivedAtMs: Type.Number(),
  cancelledAtMs: Type.Optional(Type.Number()),
});

const SiteParams = Type.Object({ siteId: Type.String({ maxLength: 63 }) }, strict);
const AssetParams = Type.Object({ siteId: Type.String({ maxLength: 63 }), assetId: Type.String({ maxLength: 63 }) }, strict);
const SignalParams = Type.Object({ siteId: Type.String({ maxLength: 63 }), signalId: Type.String({ maxLength: 100 }) }, strict);

const OverrideBody = Type.Object(
  {
    setpointW: Type.Number({ description: "W, within the asset's physical range (a clear 400 names the limit)" }),
    expiresInS: Type.Optional(Type.Integer({ description: 'seconds from now, 1 … 86400 (24 h); this or expiresAt is required' })),
    expiresAt: Type.Optional(Type.String({ description: 'ISO 8601 with offset, in the future, at most 24 h ahead' })),
    reason: Type.Optional(Type.String({ maxLength: 500 })),
  },
  strict,
);

const Instant = Type.Union([Type.String(), Type.Number()], { description: 'ISO 8601 with offset (2026-11-27T10:00:00Z) or epoch ms' });
const SignalBody = Type.Object(
  {
    kind: Type.String({ description: GRID_SIGNAL_KINDS.join(' | ') }),
    from: Type.Optional({ ...Instant, description: 'start; default: now' }),
    to: Type.Optional({ ...Instant, description: 'end (required), after from, at most 7 days later' }),
    reference: Type.Optional(Type.String({ description: "the grid operator's order id; a repeated delivery with it is idempotent" })),
    maxControllablePowerW: Type.Optional(W('section14a-dimming (required): ≥ 0')),
    maxPvPowerW: Type.Optional(W('redispatch-curtailment: ≥ 0 (this and/or maxExportPowerW)')),
    maxExportPowerW: Type.Optional(W('redispatch-curtailment: ≥ 0')),
    targetGridW: Type.Optional(W('redispatch-activation (required): grid power to hold, + import / − export')),
  },
  strict,
);
const SignalListQuery = Type.Object(
  {
    from: Type.Optional(Type.String({ format: 'date-time', description: 'default: 7 days ago' })),
    to: Type.Optional(Type.String({ format: 'date-time', description: 'default: 7 days ahead' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 200 })),
  },
  strict,
);

function mapped(err: unknown): never {
  if (err instanceof InputError) throw new HttpError(err.status, err.code, err.message);
  throw err;
}

export function registerControlInputRoutes(app: FastifyInstance, db: Database, inputs: ControlInputsService): void {
  app.get<{ Params: Static<typeof SiteParams> }>(
    '/sites/:siteId/overrides',
    {
      schema: {
        tags: ['control'],
        summary: 'Manual overrides: the active ones and the recent history',
        params: SiteParams,
        response: {
          200: { ...Type.Object({ active: Type.Array(OverrideView), recent: Type.Array(OverrideView) }), description: 'Overrides' },
          ...errorResponses,
          ...notFound,
        },
      },
    },
    async (req) => {
      await mustGetSite(db, req.params.siteId);
      return inputs.listOverrides(req.params.siteId);
    },
  );

  app.put<{ Params: Static<typeof AssetParams>; Body: Static<typeof OverrideBody> }>(
    '/sites/:siteId/overrides/:assetId',
    {
      schema: {
        tags: ['control'],
        summary: 'Set an asset to a fixed setpoint until the expiry (operator); beats plan and rules',
        description:
          'Replaces an active override of the asset. The safety envelope still applies when the agents write it. Audited; published live.',
        params: AssetParams,
        body: OverrideBody,
        response: { 200: { ...OverrideView, description: 'The override in force' }, ...errorResponses, ...notFound },
      },
    },
    async (req) => {
      await mustGetSite(db, req.params.siteId);
      return inputs.setOverride(req.params.siteId, req.params.assetId, req.body, contextOf(req)).catch(mapped);
    },
  );

  app.delete<{ Params: Static<typeof AssetParams> }>(
    '/sites/:siteId/overrides/:assetId',
    {
      schema: {
        tags: ['control'],
        summary: 'Hand the asset back to automation (operator)',
        params: AssetParams,
        response: { 200: { ...OverrideView, description: 'The released override' }, ...errorResponses, ...notFound },
      },
    },
    async (req) => {
      const { siteId, assetId } = req.params;
      await mustGetSite(db, siteId);
      const released = await inputs.releaseOverride(siteId, assetId, contextOf(req));
      if (!released) throw new HttpError(404, 'not_found', `No active override for asset "${assetId}" on site ${siteId}`);
      return released;
    },
  );

  app.post<{ Params: Static<typeof SiteParams>; Body: Static<typeof SignalBody> }>(
    '/sites/:siteId/grid-signals',
    {
      schema: {
        tags: ['control'],
        summary: 'Receive a grid-operator signal: §14a dimming, Redispatch 2.0 curtailment or activation',
        description:
          'For the grid operator’s gateway (an API key with scope ingest) or an engineer. Every problem is named by field. ' +
          'A repeated delivery with the same reference answers 200 with the stored signal; the same reference with other content 409.',
        params: SiteParams,
        body: SignalBody,
        response: {
          201: { ...SignalView, description: 'Stored; takes precedence over the plan from `fromMs`' },
          200: { ...SignalView, description: 'Already stored (same reference and content)' },
          ...errorResponses,
          ...notFound,
          409: { ...errorResponses[400], description: 'The reference is already used by a signal with other content' },
        },
      },
    },
    async (req, reply) => {
      const { siteId } = req.params;
      await mustGetSite(db, siteId);
      const parsed = parseSignalInput(req.body, inputs.nowFor(siteId));
      if (!parsed.ok) throw new HttpError(400, 'invalid_signal', parsed.errors.join('; '));
      const r = await inputs
        .receiveSignal(siteId, parsed.value, 'api', contextOf(req), { fromDefaulted: parsed.fromDefaulted })
        .catch(mapped);
      return reply.code(r.duplicate ? 200 : 201).send(r.signal);
    },
  );

  app.get<{ Params: Static<typeof SiteParams>; Querystring: Static<typeof SignalListQuery> }>(
    '/sites/:siteId/grid-signals',
    {
      schema: {
        tags: ['control'],
        summary: 'Grid signals overlapping a time range (newest first), cancelled ones included',
        params: SiteParams,
        querystring: SignalListQuery,
        response: { 200: { ...Type.Array(SignalView), description: 'Signals' }, ...errorResponses, ...notFound },
      },
    },
    async (req) => {
      const { siteId } = req.params;
      await mustGetSite(db, siteId);
      const now = Date.now();
      const { fromMs, toMs } = parseTimeRange(
        req.query.from ?? new Date(now - 7 * 86_400_000).toISOString(),
        req.query.to ?? new Date(now + 7 * 86_400_000).toISOString(),
        400,
      );
      return inputs.listSignals(siteId, fromMs, toMs, req.query.limit ?? 200);
    },
  );

  app.delete<{ Params: Static<typeof SignalParams> }>(
    '/sites/:siteId/grid-signals/:signalId',
    {
      schema: {
        tags: ['control'],
        summary: 'Cancel a grid signal before its end (its issuer: ingest key or engineer)',
        params: SignalParams,
        response: { 200: { ...SignalView, description: 'The cancelled signal' }, ...errorResponses, ...notFound },
      },
    },
    async (req) => {
      const { siteId, signalId } = req.params;
      await mustGetSite(db, siteId);
      return inputs.cancelSignal(siteId, { id: signalId }, contextOf(req)).catch(mapped);
    },
  );
}
