/**
 * Flexible-load demands (EV charging sessions and the like): list (read), create and cancel
 * (operate). One line of rules per endpoint; the checks are in model.ts, the SQL in store.ts.
 * A created or cancelled demand re-plans the site (`onChange`).
 */
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { contextOf } from '../auth/guard.js';
import { HttpError } from '../http/errors.js';
import { errorResponses, notFound, strict } from '../http/schemas.js';
import { getSiteEnergy } from '../site-energy/store.js';
import { mustGetSite } from '../sites/index.js';
import type { Database } from '../store/index.js';
import { DEMAND_STATES, validateDemand, type FlexibleDemandRecord } from './model.js';
import { cancelDemand, createDemand, DemandError, listDemands, refreshDemands } from './store.js';

const DemandView = Type.Object({
  id: Type.String(),
  siteId: Type.String(),
  assetId: Type.String({ description: 'a flexible load of the site energy configuration' }),
  energyKWh: Type.Number({ description: 'energy asked for, kWh' }),
  deliveredKWh: Type.Number({ description: 'delivered so far (for missed: by the deadline), kWh' }),
  remainingKWh: Type.Number({ description: 'still needed, kWh (what the planner plans)' }),
  deliveredSource: Type.Union([Type.Literal('readings'), Type.Literal('commands'), Type.Null()], {
    description: "readings: the asset's measured powerSeries; commands: the setpoints the control agents wrote (no power series)",
  }),
  availableFrom: Type.String({ format: 'date-time' }),
  deadline: Type.String({ format: 'date-time' }),
  createdAt: Type.String({ format: 'date-time' }),
  createdBy: Type.Union([Type.String(), Type.Null()]),
  state: Type.Union(DEMAND_STATES.map((s) => Type.Literal(s))),
  closedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});

const SiteParams = Type.Object({ siteId: Type.String({ maxLength: 63 }) }, strict);
const DemandParams = Type.Object({ siteId: Type.String({ maxLength: 63 }), demandId: Type.String({ maxLength: 100 }) }, strict);
const Instant = Type.Union([Type.String(), Type.Number()], { description: 'ISO 8601 with offset (2026-11-28T07:00:00+01:00) or epoch ms' });
const DemandBody = Type.Object(
  {
    assetId: Type.String({ maxLength: 63, description: 'a flexible load of the site (GET /sites/:siteId/energy → flexibleLoads)' }),
    energyKWh: Type.Number({ description: "> 0; at most what the load's max power delivers before the deadline" }),
    deadline: { ...Instant, description: 'delivered by then: in the future, at most 7 days ahead' },
    availableFrom: Type.Optional({ ...Instant, description: 'earliest start (default: now), before the deadline' }),
  },
  strict,
);

const kWh = (wh: number) => Math.round(wh) / 1000;
const isoOrNull = (v: number | null) => (v === null ? null : new Date(v).toISOString());
const view = (d: FlexibleDemandRecord) => ({
  id: d.id,
  siteId: d.siteId,
  assetId: d.assetId,
  energyKWh: kWh(d.energyWh),
  deliveredKWh: kWh(d.deliveredWh),
  remainingKWh: d.state === 'open' || d.state === 'missed' ? kWh(Math.max(0, d.energyWh - d.deliveredWh)) : 0,
  deliveredSource: d.deliveredSource,
  availableFrom: new Date(d.availableFromMs).toISOString(),
  deadline: new Date(d.deadlineMs).toISOString(),
  createdAt: new Date(d.createdAtMs).toISOString(),
  createdBy: d.createdBy,
  state: d.state,
  closedAt: isoOrNull(d.closedAtMs),
});

function mapped(err: unknown): never {
  if (err instanceof DemandError) throw new HttpError(err.status, err.code, err.message);
  throw err;
}

/** Called after a demand was created or cancelled (the planner re-plans the site). */
export type DemandListener = (siteId: string) => void;

export function registerFlexibleRoutes(app: FastifyInstance, db: Database, onChange?: DemandListener, now: () => number = Date.now): void {
  app.get<{ Params: Static<typeof SiteParams> }>(
    '/sites/:siteId/flexible-demands',
    {
      schema: {
        tags: ['planning'],
        summary: 'Flexible-load demands (EV charging sessions…): open ones with what was delivered so far, and the recent ones',
        description:
          'Delivered energy is measured from the asset’s powerSeries when it has one, else from the setpoints the control agents wrote. ' +
          'A demand is done when delivered ≥ energy; missed when the deadline passed before that.',
        params: SiteParams,
        response: {
          200: {
            ...Type.Object({ demands: Type.Array(DemandView) }),
            description: 'Open demands and those of the last 7 days, newest first',
          },
          ...errorResponses,
          ...notFound,
        },
      },
    },
    async (req) => {
      const { siteId } = req.params;
      await mustGetSite(db, siteId);
      const nowMs = now();
      const energy = await getSiteEnergy(db, siteId);
      if (energy) await refreshDemands(db, siteId, energy.config, nowMs);
      return { demands: (await listDemands(db, siteId, nowMs)).map(view) };
    },
  );

  app.post<{ Params: Static<typeof SiteParams>; Body: Static<typeof DemandBody> }>(
    '/sites/:siteId/flexible-demands',
    {
      schema: {
        tags: ['planning'],
        summary: 'Ask for energy for a flexible load by a deadline (operator): the planner plans it into the site’s plan',
        description:
          'E.g. an EV on charger "ev" needs 40 kWh by 07:00. One open demand per asset. Audited (flexible.demand.create); the site is re-planned.',
        params: SiteParams,
        body: DemandBody,
        response: {
          201: { ...DemandView, description: 'Created' },
          ...errorResponses,
          ...notFound,
          409: { ...errorResponses[400], description: 'The asset already has an open demand, or the site has no energy configuration' },
        },
      },
    },
    async (req, reply) => {
      const { siteId } = req.params;
      await mustGetSite(db, siteId);
      const energy = await getSiteEnergy(db, siteId);
      if (!energy)
        throw new HttpError(
          409,
          'not_configured',
          `Site "${siteId}" has no energy configuration (PUT /sites/${siteId}/energy); no flexible loads`,
        );
      const nowMs = now();
      const v = validateDemand(req.body, energy.config, nowMs);
      if (!v.ok) throw new HttpError(400, 'invalid_demand', `${v.field}: ${v.message}`);
      const created = await createDemand(db, siteId, v.value, contextOf(req), nowMs).catch(mapped);
      onChange?.(siteId);
      return reply.code(201).send(view(created));
    },
  );

  app.delete<{ Params: Static<typeof DemandParams> }>(
    '/sites/:siteId/flexible-demands/:demandId',
    {
      schema: {
        tags: ['planning'],
        summary: 'Cancel an open flexible-load demand (operator); audited (flexible.demand.cancel); the site is re-planned',
        params: DemandParams,
        response: {
          200: { ...DemandView, description: 'The cancelled demand' },
          ...errorResponses,
          ...notFound,
          409: { ...errorResponses[400], description: 'The demand is not open' },
        },
      },
    },
    async (req) => {
      const { siteId, demandId } = req.params;
      await mustGetSite(db, siteId);
      const cancelled = await cancelDemand(db, siteId, demandId, contextOf(req), now()).catch(mapped);
      onChange?.(siteId);
      return view(cancelled);
    },
  );
}
