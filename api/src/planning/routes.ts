/** Plans of a site: history (paged), the plan in force, and "re-plan now". */
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { recordAudit } from '../audit/index.js';
import { contextOf } from '../auth/guard.js';
import { HttpError, parseTimeRange } from '../http/errors.js';
import { errorResponses, notFound, strict } from '../http/schemas.js';
import { mustGetSite } from '../sites/index.js';
import type { Database } from '../store/index.js';
import { getSiteEnergy } from '../site-energy/store.js';
import type { PlanningService } from './service.js';
import { isCursor, type StoredPlan } from './store.js';

const SiteParams = Type.Object({ siteId: Type.String({ maxLength: 63 }) }, strict);
const ListQuery = Type.Object(
  {
    from: Type.Optional(Type.String({ format: 'date-time', description: 'plans created at or after (default: any)' })),
    to: Type.Optional(Type.String({ format: 'date-time', description: 'plans created before (default: any)' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
    before: Type.Optional(Type.String({ maxLength: 90, description: 'cursor: nextBefore of the previous page' })),
  },
  strict,
);

const Step = Type.Object({
  start: Type.String({ format: 'date-time' }),
  gridW: Type.Number({ description: 'planned grid import (+) / export (−), W' }),
  batteryW: Type.Record(Type.String(), Type.Number(), { description: 'per battery asset id, W, + discharge / − charge' }),
  batterySocPct: Type.Record(Type.String(), Type.Number(), { description: 'per battery: SoC at the end of the step, %' }),
  pvCapW: Type.Record(Type.String(), Type.Number(), { description: 'per PV asset: output cap, W (absent = no curtailment)' }),
  flexibleW: Type.Record(Type.String(), Type.Number(), { description: 'per flexible load asset id, W' }),
});
const PlanSummary = Type.Object({
  id: Type.String(),
  siteId: Type.String(),
  createdAt: Type.String({ format: 'date-time' }),
  reason: Type.String({
    description: 'why: startup, schedule, prices, forecast, deviation, signal, configuration, manual (joined by + when coalesced)',
  }),
  status: Type.String({ description: 'optimal | infeasible (best effort, see problems) | invalid | failed' }),
  horizonStart: Type.String({ format: 'date-time' }),
  horizonEnd: Type.String({ format: 'date-time' }),
  peakTargetW: Type.Number({ description: 'max(billing-period peak so far, planned peak, the site peakTargetW), W' }),
  costEur: Type.Union([Type.Number(), Type.Null()], {
    description: 'objective: import − feed-in + demand increment + wear − terminal value, EUR',
  }),
  baselineCostEur: Type.Union([Type.Number(), Type.Null()], {
    description:
      'the same objective over the same horizon with the batteries idle (same forecasts, prices and limits; the energy they hold valued like the terminal value), EUR: baselineCostEur − costEur is what the plan saves; null when not computed',
  }),
  solveMs: Type.Number(),
  problems: Type.Array(Type.Unknown(), { description: 'the optimiser problems: which limit, which step' }),
});
const PlanDetail = Type.Composite([
  PlanSummary,
  Type.Object({
    cost: Type.Unknown({
      description:
        'cost breakdown (tariff costBreakdown of the planned grid profile, import, feed-in, demand increment, wear, terminal value)',
    }),
    inputs: Type.Unknown({
      description: 'what the plan was made from: forecasts (model, issue time), prices, SoC, peak so far, signals, warnings',
    }),
    steps: Type.Array(Step),
  }),
]);

const iso = (ms: number) => new Date(ms).toISOString();
function summary(p: StoredPlan) {
  return {
    id: p.id,
    siteId: p.siteId,
    createdAt: iso(p.createdAtMs),
    reason: p.reason,
    status: p.status,
    horizonStart: iso(p.horizonStartMs),
    horizonEnd: iso(p.horizonEndMs),
    peakTargetW: p.peakTargetW,
    costEur: p.cost?.objectiveEur ?? null,
    baselineCostEur: p.cost?.baselineCostEur ?? null,
    solveMs: Math.round(p.solveMs * 10) / 10,
    problems: p.problems,
  };
}
function detail(p: StoredPlan) {
  return {
    ...summary(p),
    cost: p.cost,
    inputs: p.inputs,
    steps: p.steps.map(({ startMs, ...s }) => ({ start: iso(startMs), ...s })),
  };
}

export function registerPlanningRoutes(app: FastifyInstance, db: Database, planning: PlanningService): void {
  app.get<{ Params: Static<typeof SiteParams>; Querystring: Static<typeof ListQuery> }>(
    '/sites/:siteId/plans',
    {
      schema: {
        tags: ['planning'],
        summary: 'Plan history of a site, newest first (without steps), paged',
        params: SiteParams,
        querystring: ListQuery,
        response: {
          200: Type.Object(
            { plans: Type.Array(PlanSummary), nextBefore: Type.Union([Type.String(), Type.Null()]) },
            { description: 'A page of plans; pass nextBefore as before for the next page' },
          ),
          ...errorResponses,
          ...notFound,
        },
      },
    },
    async (req) => {
      await mustGetSite(db, req.params.siteId);
      const { from, to, limit, before } = req.query;
      let range: { fromMs?: number; toMs?: number } = {};
      if (from !== undefined && to !== undefined) range = parseTimeRange(from, to);
      else if (from !== undefined) range = { fromMs: Date.parse(from) };
      else if (to !== undefined) range = { toMs: Date.parse(to) };
      if (before !== undefined && !isCursor(before))
        throw new HttpError(400, 'bad_cursor', 'before must be the nextBefore of a previous page');
      const page = await planning.store.list(req.params.siteId, { ...range, ...(limit ? { limit } : {}), ...(before ? { before } : {}) });
      return { plans: page.plans.map(summary), nextBefore: page.nextBefore };
    },
  );

  app.get<{ Params: Static<typeof SiteParams> }>(
    '/sites/:siteId/plans/current',
    {
      schema: {
        tags: ['planning'],
        summary: 'The plan in force now: steps, cost breakdown, peak target, problems, inputs',
        params: SiteParams,
        response: {
          200: { ...PlanDetail, description: 'The newest optimal or infeasible plan covering now' },
          ...errorResponses,
          ...notFound,
        },
      },
    },
    async (req) => {
      const { siteId } = req.params;
      await mustGetSite(db, siteId);
      const plan = await planning.store.active(siteId, Date.now());
      if (!plan) {
        const st = planning.status(siteId);
        const latest = await planning.store.latest(siteId);
        const configured = (await getSiteEnergy(db, siteId)) !== undefined;
        const why = !configured
          ? `it has no energy configuration (PUT /sites/${siteId}/energy), so it is not planned for`
          : st
            ? st.message
            : latest
              ? `the last plan (${latest.status}, ${iso(latest.createdAtMs)}) does not cover now`
              : 'no plan has been made yet';
        throw new HttpError(404, 'no_plan', `No plan in force for site "${siteId}": ${why}`);
      }
      return detail(plan);
    },
  );

  app.post<{ Params: Static<typeof SiteParams> }>(
    '/sites/:siteId/plans',
    {
      schema: {
        tags: ['planning'],
        summary: 'Re-plan now; returns the new plan, or 409 with the reason it could not plan (e.g. waiting for a forecast)',
        params: SiteParams,
        response: {
          201: { ...PlanDetail, description: 'The new plan (its status may be infeasible, invalid or failed: see problems)' },
          ...errorResponses,
          ...notFound,
          409: { ...errorResponses[400], description: 'Could not plan: not configured, or waiting for inputs; the message says which' },
        },
      },
    },
    async (req, reply) => {
      const { siteId } = req.params;
      await mustGetSite(db, siteId);
      const outcome = await planning.planNow(siteId, 'manual');
      await recordAudit(db, {
        ...contextOf(req),
        action: 'plan.replan',
        target: `site:${siteId}/plans`,
        siteId,
        after: outcome.planned
          ? { planId: outcome.plan.id, status: outcome.plan.status }
          : { state: outcome.state, message: outcome.message },
      });
      if (!outcome.planned)
        throw new HttpError(
          409,
          outcome.state === 'not-configured' ? 'not_configured' : 'cannot_plan',
          `Could not plan site "${siteId}": ${outcome.message}`,
        );
      return reply.status(201).send(detail(outcome.plan));
    },
  );
}
