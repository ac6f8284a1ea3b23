/**
 * POST /sites/:siteId/recommend (thin): loads the site's history, tariff and energy configuration,
 * runs the pure generator, and adds the strategy bandits' current choice in today's context.
 */
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { latestForecasts } from '../forecast/store.js';
import { HttpError } from '../http/errors.js';
import { ErrorBody, errorResponses, notFound, strict } from '../http/schemas.js';
import { queryPrices, siteScope } from '../markets/store.js';
import { getSiteEnergy } from '../site-energy/store.js';
import { mustGetSite } from '../sites/index.js';
import type { Database } from '../store/index.js';
import { loadTariff } from '../tariffs/loader.js';
import { recommend } from './generate.js';
import { loadSiteHistory, STEP_MS } from './history.js';
import type { BanditStore } from './store.js';
import { CONTEXT_NAMES, strategyContext } from './strategy.js';

const DAY_MS = 86_400_000;
export const RECOMMEND_MAX_DAYS = 92;

const SiteParams = Type.Object({ siteId: Type.String({ maxLength: 63 }) }, strict);
const Body = Type.Object(
  {
    days: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: RECOMMEND_MAX_DAYS,
        default: 28,
        description: 'history analysed, days before `at` (default 28)',
      }),
    ),
    at: Type.Optional(Type.String({ format: 'date-time', description: 'the "now" of the recommendation (default: the current time)' })),
  },
  strict,
);
const Score = Type.Object({ armId: Type.String(), n: Type.Integer(), mean: Type.Number(), spread: Type.Number(), upper: Type.Number() });
const Recommendation = Type.Object({
  rank: Type.Integer(),
  id: Type.String(),
  kind: Type.String(),
  title: Type.String(),
  reason: Type.String({ description: 'why, with numbers, units and the time zone' }),
  expectedSavingEur: Type.Number(),
  savingPeriod: Type.Literal('year'),
  observedSavingEur: Type.Number({ description: 'what it would have saved over the analysed history' }),
  confidence: Type.Number({ minimum: 0, maximum: 1 }),
  evidence: Type.Object({
    series: Type.Array(Type.String()),
    from: Type.String(),
    to: Type.String(),
    days: Type.Integer(),
    figures: Type.Record(Type.String(), Type.Number()),
  }),
  overlapsWith: Type.Optional(Type.Array(Type.String(), { description: 'share the same saving: do not add them up' })),
  action: Type.Record(Type.String(), Type.Unknown(), { description: 'what to set' }),
});
const Response = Type.Object(
  {
    generatedAt: Type.String({ format: 'date-time' }),
    timeZone: Type.String(),
    window: Type.Object({ from: Type.String(), to: Type.String(), days: Type.Integer({ description: 'days with enough grid data' }) }),
    recommendations: Type.Array(Recommendation),
    notes: Type.Array(Type.String()),
    coverage: Type.Record(Type.String(), Type.Integer(), { description: 'stored 15-minute steps per series' }),
    missingSeries: Type.Array(Type.String()),
    strategy: Type.Object({
      context: Type.Record(Type.String(), Type.Number(), { description: 'the context vector by name' }),
      contextSources: Type.Record(Type.String(), Type.String()),
      chosen: Type.Object({ policy: Type.String(), armId: Type.String(), params: Type.Record(Type.String(), Type.Number()) }),
      policies: Type.Array(
        Type.Object({
          policy: Type.String(),
          choice: Type.Object({ armId: Type.String(), params: Type.Record(Type.String(), Type.Number()) }),
          updates: Type.Integer({ description: 'realised outcomes learnt from' }),
          scores: Type.Array(Score, { description: 'Thompson: posterior mean/sd; LinUCB: θ·x, bonus, UCB — best first (top 5)' }),
        }),
      ),
    }),
  },
  { description: 'Ranked recommendations and the strategy variant the bandits choose' },
);

export function registerRecommendRoutes(app: FastifyInstance, db: Database, bandits: BanditStore, now: () => number = Date.now): void {
  app.post<{ Params: Static<typeof SiteParams>; Body: Static<typeof Body> }>(
    '/sites/:siteId/recommend',
    {
      // a POST without a body asks for the defaults
      preValidation: async (req) => {
        if (req.body === undefined || req.body === null) req.body = {};
      },
      schema: {
        tags: ['rules'],
        summary: 'Ranked, explained actions for the site now, with expected savings, and the strategy variant the bandits choose',
        params: SiteParams,
        body: Body,
        response: {
          200: Response,
          ...errorResponses,
          ...notFound,
          409: { ...ErrorBody, description: 'No energy configuration, or its tariff cannot be loaded' },
        },
      },
    },
    async (req) => {
      const { siteId } = req.params;
      const site = await mustGetSite(db, siteId);
      const stored = await getSiteEnergy(db, siteId);
      if (!stored)
        throw new HttpError(
          409,
          'not_configured',
          `Site "${siteId}" has no energy configuration (PUT /sites/${siteId}/energy): nothing to analyse`,
        );
      const energy = stored.config;
      let tariff;
      try {
        tariff = await loadTariff(energy.tariffId);
      } catch (err) {
        throw new HttpError(
          409,
          'tariff_missing',
          `Tariff "${energy.tariffId}" of site "${siteId}" cannot be loaded: ${(err as Error).message}`,
        );
      }
      const atMs = req.body.at !== undefined ? Date.parse(req.body.at) : now();
      const toMs = Math.floor(atMs / STEP_MS) * STEP_MS;
      const fromMs = toMs - (req.body.days ?? 28) * DAY_MS;
      const history = await loadSiteHistory(db, siteId, energy, fromMs, toMs);
      const result = recommend({
        nowMs: atMs,
        timeZone: site.timeZone,
        energy,
        tariff,
        history,
        window: { from: new Date(fromMs).toISOString(), to: new Date(toMs).toISOString() },
      });

      // context of the coming day: price spread (stored day-ahead prices, else the last day's), forecast peak
      const sources: Record<string, string> = {};
      const own = await queryPrices(db, siteScope(siteId), toMs, toMs + DAY_MS);
      const ahead = own.length > 0 ? own : await queryPrices(db, energy.priceZone, toMs, toMs + DAY_MS);
      let spread: number;
      if (ahead.length > 0) {
        spread = Math.max(...ahead.map((r) => r.value)) - Math.min(...ahead.map((r) => r.value));
        sources.priceSpread = `day-ahead prices ${own.length > 0 ? `of site:${siteId}` : `of ${energy.priceZone}`} for the next 24 h`;
      } else {
        const lastDay = history.spotPriceEurPerMWh.slice(-96).filter(Number.isFinite);
        spread = lastDay.length > 0 ? Math.max(...lastDay) - Math.min(...lastDay) : 0;
        sources.priceSpread = lastDay.length > 0 ? 'no prices ahead: the last 24 h of prices' : 'no prices stored: 0';
      }
      const forecasts = await latestForecasts(db, siteId, 'load');
      const fc = forecasts.find((f) => f.model === 'load.profile') ?? forecasts[0];
      const billingPeak = Math.max(0, ...history.gridW.filter(Number.isFinite));
      const referencePeakW = energy.peakTargetW ?? billingPeak;
      let forecastPeakW: number;
      if (fc) {
        const next = fc.p50.filter((_, i) => fc.startMs + i * fc.stepMs >= toMs && fc.startMs + i * fc.stepMs < toMs + DAY_MS);
        forecastPeakW = next.length > 0 ? Math.max(...next) : Math.max(...fc.p50);
        sources.forecastPeak = `load forecast ${fc.model} issued ${new Date(fc.issuedAtMs).toISOString()} (p50 max of the next 24 h)`;
      } else {
        forecastPeakW = Math.max(0, ...history.loadW.slice(-96).filter(Number.isFinite));
        sources.forecastPeak = 'no load forecast stored: the last 24 h of load';
      }
      sources.referencePeak = energy.peakTargetW !== undefined ? 'peak target of the site' : 'highest grid import of the analysed history';
      const vector = strategyContext({ atMs, timeZone: site.timeZone, priceSpreadEurPerMWh: spread, forecastPeakW, referencePeakW });
      const policies = await bandits.current(siteId, vector);
      const lin = policies.find((p) => p.policy === 'linucb')!;
      return {
        ...result,
        coverage: history.coverage,
        missingSeries: history.missingSeries,
        strategy: {
          context: Object.fromEntries(CONTEXT_NAMES.map((n, i) => [n, vector[i]!])),
          contextSources: sources,
          chosen: { policy: lin.policy, ...lin.choice },
          policies: policies.map((p) => ({ ...p, scores: p.scores.slice(0, 5) })),
        },
      };
    },
  );
}
