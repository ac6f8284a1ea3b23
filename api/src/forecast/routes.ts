/** Stored forecasts of a site: the latest per model, as issued at or before a given instant. */
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { errorResponses, notFound, strict } from '../http/schemas.js';
import { mustGetSite } from '../sites/index.js';
import type { Database } from '../store/index.js';
import { latestForecasts } from './store.js';

const SiteParams = Type.Object({ siteId: Type.String({ maxLength: 63 }) }, strict);
const Query = Type.Object(
  {
    target: Type.Union([Type.Literal('load'), Type.Literal('pv'), Type.Literal('price')]),
    issuedBefore: Type.Optional(
      Type.String({ format: 'date-time', description: 'the latest forecast issued at or before this instant (default: the latest)' }),
    ),
    model: Type.Optional(Type.String({ maxLength: 64, description: 'one model only, e.g. load.profile' })),
  },
  strict,
);
const Values = Type.Array(Type.Union([Type.Number(), Type.Null()]));
const ForecastView = Type.Object({
  id: Type.Integer(),
  target: Type.String(),
  model: Type.String(),
  unit: Type.String({ description: 'W (mean power per step) or EUR/MWh' }),
  issuedAt: Type.String({ format: 'date-time' }),
  start: Type.String({ format: 'date-time', description: 'start of the first step, UTC' }),
  stepMinutes: Type.Number(),
  p10: Values,
  p50: Values,
  p90: Values,
});

export function registerForecastRoutes(app: FastifyInstance, db: Database): void {
  app.get<{ Params: Static<typeof SiteParams>; Querystring: Static<typeof Query> }>(
    '/sites/:siteId/forecasts',
    {
      schema: {
        tags: ['forecasts'],
        summary: 'Issued forecasts of a site (p10/p50/p90), the latest per model issued at or before issuedBefore',
        params: SiteParams,
        querystring: Query,
        response: {
          200: Type.Object({ forecasts: Type.Array(ForecastView) }, { description: 'One forecast per model (none yet: empty)' }),
          ...errorResponses,
          ...notFound,
        },
      },
    },
    async (req) => {
      await mustGetSite(db, req.params.siteId);
      const issuedBeforeMs = req.query.issuedBefore === undefined ? undefined : Date.parse(req.query.issuedBefore);
      const list = await latestForecasts(db, req.params.siteId, req.query.target, {
        ...(issuedBeforeMs !== undefined ? { issuedBeforeMs } : {}),
        ...(req.query.model !== undefined ? { model: req.query.model } : {}),
      });
      const nul = (a: number[]) => a.map((v) => (Number.isFinite(v) ? v : null));
      return {
        forecasts: list.map((f) => ({
          id: f.id,
          target: f.target,
          model: f.model,
          unit: f.unit,
          issuedAt: new Date(f.issuedAtMs).toISOString(),
          start: new Date(f.startMs).toISOString(),
          stepMinutes: f.stepMs / 60_000,
          p10: nul(f.p10),
          p50: nul(f.p50),
          p90: nul(f.p90),
        })),
      };
    },
  );
}
