/**
 * Rule set routes (thin): GET active + built-ins, GET versions, PUT (new version, audited),
 * POST validate (nothing stored), POST dry-run over the site's stored history.
 */
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { contextOf } from '../auth/guard.js';
import { HttpError } from '../http/errors.js';
import { ErrorBody, errorResponses, notFound, strict } from '../http/schemas.js';
import { loadSiteHistory } from '../recommend/history.js';
import { getSiteEnergy } from '../site-energy/store.js';
import { mustGetSite } from '../sites/index.js';
import type { Database } from '../store/index.js';
import { loadTariff } from '../tariffs/loader.js';
import { dryRunOverHistory } from './history-run.js';
import {
  BUILTIN_NAMES,
  RuleRequestError,
  resolveRuleSet,
  type BuiltinName,
  type RuleSetRequest,
  type RuleSetStore,
  type StoredRuleSet,
} from './store.js';

/** longest dry run, days: longer ranges are cut to this and the answer says so */
export const DRY_RUN_MAX_DAYS = 92;
const DAY_MS = 86_400_000;

const SiteParams = Type.Object({ siteId: Type.String({ maxLength: 63 }) }, strict);
const RuleSetJson = Type.Unknown({ description: 'a RuleSet (api/src/rules/schema.ts): id, name, version, timeZone, rules[]' });
const StoredView = Type.Object({
  version: Type.Integer({ description: "the site's rule set version (every PUT adds one)" }),
  builtin: Type.Union([Type.String(), Type.Null()], { description: 'the built-in set it was made from, null for a custom set' }),
  enabled: Type.Boolean({ description: 'false: rules are switched off for the site' }),
  createdAt: Type.String({ format: 'date-time' }),
  createdBy: Type.Union([Type.String(), Type.Null()]),
  ruleSet: RuleSetJson,
});
const Issue = Type.Object({
  path: Type.String(),
  ruleIndex: Type.Optional(Type.Integer()),
  ruleId: Type.Optional(Type.String()),
  field: Type.Optional(Type.String()),
  message: Type.String(),
});
const InvalidRules = Type.Object(
  {
    ...ErrorBody.properties,
    issues: Type.Optional(Type.Array(Issue, { description: 'for invalid_rules: every issue with rule index and field' })),
  },
  { description: 'Invalid input; an invalid rule set lists every issue with its rule index and field' },
);

const RequestFields = {
  builtin: Type.Optional(Type.String({ enum: [...BUILTIN_NAMES], description: 'use a built-in set' })),
  params: Type.Optional(
    Type.Object(
      {
        pvPeakW: Type.Optional(Type.Number({ minimum: 0, description: 'grid-friendly: PV peak, W (default Σ PV ratings)' })),
        importCapW: Type.Optional(
          Type.Number({ minimum: 0, description: 'grid-friendly: import cap, W (default peak target or import limit)' }),
        ),
      },
      strict,
    ),
  ),
  ruleSet: Type.Optional(Type.Unknown({ description: 'a custom RuleSet; version is set by the service, timeZone defaults to the site’s' })),
};
const PutBody = Type.Object(
  { ...RequestFields, enabled: Type.Optional(Type.Literal(false, { description: 'false: switch the rules off (a new version)' })) },
  { ...strict, description: 'exactly one of builtin, ruleSet or enabled: false' },
);
const DryRunBody = Type.Object(
  {
    ...RequestFields,
    from: Type.String({ format: 'date-time' }),
    to: Type.String({ format: 'date-time', description: `at most ${DRY_RUN_MAX_DAYS} days after from (longer ranges are cut)` }),
  },
  { ...strict, description: 'builtin or ruleSet to try (none: the active set), and the history range' },
);

const view = (s: StoredRuleSet) => ({
  version: s.version,
  builtin: s.builtin,
  enabled: s.enabled,
  createdAt: new Date(s.createdAtMs).toISOString(),
  createdBy: s.createdBy,
  ruleSet: s.ruleSet,
});

function toRequest(body: {
  builtin?: string;
  params?: { pvPeakW?: number; importCapW?: number };
  ruleSet?: unknown;
  enabled?: false;
}): RuleSetRequest | undefined {
  const given = [body.builtin !== undefined, body.ruleSet !== undefined, body.enabled !== undefined].filter(Boolean).length;
  if (given > 1) throw new HttpError(400, 'bad_request', 'give exactly one of builtin, ruleSet or enabled: false');
  if (body.builtin !== undefined) return { builtin: body.builtin as BuiltinName, ...(body.params ? { params: body.params } : {}) };
  if (body.params !== undefined) throw new HttpError(400, 'bad_request', 'params: only with builtin');
  if (body.ruleSet !== undefined) return { ruleSet: body.ruleSet };
  if (body.enabled === false) return { enabled: false };
  return undefined;
}

function sendInvalid(req: FastifyRequest, reply: FastifyReply, err: RuleRequestError) {
  return reply
    .code(400)
    .send({ error: 'invalid_rules', message: `Invalid rule set: ${err.message}`, requestId: req.id, issues: err.issues });
}

export function registerRuleRoutes(app: FastifyInstance, db: Database, store: RuleSetStore): void {
  const siteContext = async (siteId: string) => {
    const site = await mustGetSite(db, siteId);
    const energy = await getSiteEnergy(db, siteId);
    return { timeZone: site.timeZone, energy: energy?.config };
  };

  app.get<{ Params: Static<typeof SiteParams> }>(
    '/sites/:siteId/rules',
    {
      schema: {
        tags: ['rules'],
        summary: "The site's active rule set and the built-in sets (with the parameters they would get on this site)",
        params: SiteParams,
        response: {
          200: Type.Object(
            {
              active: Type.Union([StoredView, Type.Null()], { description: 'null: no rule set stored yet' }),
              builtins: Type.Array(
                Type.Object({
                  name: Type.String(),
                  ruleSet: Type.Union([RuleSetJson, Type.Null()]),
                  unavailable: Type.Optional(Type.String({ description: 'why it cannot be resolved for this site without params' })),
                }),
              ),
            },
            { description: 'Active set and built-ins' },
          ),
          ...errorResponses,
          ...notFound,
        },
      },
    },
    async (req) => {
      const ctx = await siteContext(req.params.siteId);
      const cur = await store.current(req.params.siteId);
      const builtins = BUILTIN_NAMES.map((name) => {
        try {
          return { name, ruleSet: resolveRuleSet({ builtin: name }, ctx, 1).ruleSet };
        } catch (err) {
          return { name, ruleSet: null, unavailable: (err as Error).message };
        }
      });
      return { active: cur ? view(cur) : null, builtins };
    },
  );

  app.get<{ Params: Static<typeof SiteParams> }>(
    '/sites/:siteId/rules/versions',
    {
      schema: {
        tags: ['rules'],
        summary: 'Every stored version of the site’s rule set, newest first (the first is active)',
        params: SiteParams,
        response: { 200: { ...Type.Array(StoredView), description: 'Versions' }, ...errorResponses, ...notFound },
      },
    },
    async (req) => {
      await mustGetSite(db, req.params.siteId);
      return (await store.versions(req.params.siteId)).map(view);
    },
  );

  app.put<{ Params: Static<typeof SiteParams>; Body: Static<typeof PutBody> }>(
    '/sites/:siteId/rules',
    {
      schema: {
        tags: ['rules'],
        summary: 'Configure the site’s rules: a built-in set, a custom set, or off (a new version; audited with before/after)',
        params: SiteParams,
        body: PutBody,
        response: { 200: { ...StoredView, description: 'Stored and active' }, ...errorResponses, 400: InvalidRules, ...notFound },
      },
    },
    async (req, reply) => {
      const ctx = await siteContext(req.params.siteId);
      const r = toRequest(req.body);
      if (!r) throw new HttpError(400, 'bad_request', 'give one of builtin, ruleSet or enabled: false');
      try {
        return view(await store.put(req.params.siteId, r, ctx, contextOf(req)));
      } catch (err) {
        if (err instanceof RuleRequestError) return sendInvalid(req, reply, err);
        throw err;
      }
    },
  );

  app.post<{ Params: Static<typeof SiteParams>; Body: Static<typeof PutBody> }>(
    '/sites/:siteId/rules/validate',
    {
      schema: {
        tags: ['rules'],
        summary: 'Validate a rule set (nothing is stored); 400 lists every issue with rule index and field',
        params: SiteParams,
        body: PutBody,
        response: {
          200: Type.Object({ valid: Type.Literal(true), ruleSet: RuleSetJson }, { description: 'Valid; the set as it would be stored' }),
          ...errorResponses,
          400: InvalidRules,
          ...notFound,
        },
      },
    },
    async (req, reply) => {
      const ctx = await siteContext(req.params.siteId);
      const r = toRequest(req.body);
      if (!r) throw new HttpError(400, 'bad_request', 'give one of builtin, ruleSet or enabled: false');
      try {
        const next = ((await store.current(req.params.siteId))?.version ?? 0) + 1;
        return { valid: true as const, ruleSet: resolveRuleSet(r, ctx, next).ruleSet };
      } catch (err) {
        if (err instanceof RuleRequestError) return sendInvalid(req, reply, err);
        throw err;
      }
    },
  );

  app.post<{ Params: Static<typeof SiteParams>; Body: Static<typeof DryRunBody> }>(
    '/sites/:siteId/rules/dry-run',
    {
      schema: {
        tags: ['rules'],
        summary: `What a rule set (default: the active one) would have changed over the site's stored history (at most ${DRY_RUN_MAX_DAYS} days)`,
        params: SiteParams,
        body: DryRunBody,
        response: {
          200: Type.Object(
            {
              ruleSet: Type.Object({ id: Type.String(), version: Type.Integer() }),
              from: Type.String({ format: 'date-time' }),
              to: Type.String({ format: 'date-time' }),
              capped: Type.Optional(Type.String({ description: 'set when the requested range was cut' })),
              steps: Type.Integer(),
              withoutRules: Type.Object({ totalEur: Type.Number(), peakKw: Type.Number(), exportPeakKw: Type.Number() }),
              withRules: Type.Object({ totalEur: Type.Number(), peakKw: Type.Number(), exportPeakKw: Type.Number() }),
              costDeltaEur: Type.Number({ description: 'withRules − withoutRules (positive: the rules cost money)' }),
              rules: Type.Array(Type.Unknown({ description: 'per rule: stepsChanged, batteryEnergyShiftedWh, pvCappedWh, examples' })),
              coverage: Type.Record(Type.String(), Type.Integer(), { description: 'stored steps per series' }),
              missingSeries: Type.Array(Type.String(), { description: 'series keys of the energy configuration that do not exist' }),
              filledSteps: Type.Record(Type.String(), Type.Integer(), { description: 'steps filled because nothing was stored' }),
            },
            { description: 'Dry run' },
          ),
          ...errorResponses,
          400: InvalidRules,
          ...notFound,
          409: { ...ErrorBody, description: 'No rule set given and none active, or no energy configuration / tariff' },
        },
      },
    },
    async (req, reply) => {
      const { siteId } = req.params;
      const ctx = await siteContext(siteId);
      if (!ctx.energy)
        throw new HttpError(
          409,
          'not_configured',
          `Site "${siteId}" has no energy configuration (PUT /sites/${siteId}/energy): no series to replay`,
        );
      const fromMs = Date.parse(req.body.from);
      let toMs = Date.parse(req.body.to);
      if (!(toMs > fromMs)) throw new HttpError(400, 'bad_range', 'to must be after from');
      let capped: string | undefined;
      if (toMs - fromMs > DRY_RUN_MAX_DAYS * DAY_MS) {
        const asked = req.body.to;
        toMs = fromMs + DRY_RUN_MAX_DAYS * DAY_MS;
        capped = `the range was cut to ${DRY_RUN_MAX_DAYS} days: ${new Date(fromMs).toISOString()} – ${new Date(toMs).toISOString()} (asked up to ${asked}); run several dry runs for a longer period`;
      }
      const r = toRequest(req.body);
      let set;
      try {
        set = r ? resolveRuleSet(r, ctx, 1).ruleSet : await store.active(siteId);
      } catch (err) {
        if (err instanceof RuleRequestError) return sendInvalid(req, reply, err);
        throw err;
      }
      if (!set) throw new HttpError(409, 'no_rules', `Site "${siteId}" has no active rule set; give builtin or ruleSet`);
      let tariff;
      try {
        tariff = await loadTariff(ctx.energy.tariffId);
      } catch (err) {
        throw new HttpError(
          409,
          'tariff_missing',
          `Tariff "${ctx.energy.tariffId}" of site "${siteId}" cannot be loaded: ${(err as Error).message}`,
        );
      }
      const history = await loadSiteHistory(db, siteId, ctx.energy, fromMs, toMs);
      const result = dryRunOverHistory(set, history, ctx.energy, tariff);
      return {
        ruleSet: result.ruleSet,
        from: new Date(history.startMs).toISOString(),
        to: new Date(history.startMs + history.steps * 900_000).toISOString(),
        ...(capped ? { capped } : {}),
        steps: result.steps,
        withoutRules: result.withoutRules,
        withRules: result.withRules,
        costDeltaEur: result.costDeltaEur,
        rules: result.rules,
        coverage: history.coverage,
        missingSeries: history.missingSeries,
        filledSteps: result.filledSteps,
      };
    },
  );
}
