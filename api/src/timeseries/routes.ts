/** Series of a site and their readings, raw or from rollups. */
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { HttpError, parseTimeRange } from '../http/errors.js';
import { errorResponses, ErrorBody, notFound, strict } from '../http/schemas.js';
import { QUANTITIES, SEMANTICS } from '../ingest/model.js';
import type { Database } from '../store/index.js';
import { createSeries, getSeries, listSeries } from './series.js';
import { latestReadings, queryReadings, type Aggregate, type Point, type Resolution } from './store.js';

const SeriesSchema = Type.Object({
  id: Type.Integer(),
  siteId: Type.String(),
  key: Type.String({ description: 'external key used by meters and gateways, unique per site' }),
  name: Type.String(),
  quantity: Type.String(),
  unit: Type.String({ description: 'canonical unit: W, Wh, %, °C, W/m², V, A, Hz, EUR/MWh' }),
  semantics: Type.Union(SEMANTICS.map((s) => Type.Literal(s))),
  intervalS: Type.Union([Type.Integer(), Type.Null()]),
  latest: Type.Union([
    Type.Object({ ts: Type.String({ format: 'date-time' }), value: Type.Number(), quality: Type.String() }),
    Type.Null(),
  ]),
});
const SiteParams = Type.Object({ siteId: Type.String({ maxLength: 63 }) }, strict);
const SeriesParams = Type.Object({ siteId: Type.String({ maxLength: 63 }), seriesId: Type.Integer({ minimum: 1 }) }, strict);

const STEP_MS: Record<Exclude<Resolution, 'raw' | '1d'>, number> = { '15m': 900_000, '1h': 3_600_000 };

/** Picks a resolution that keeps a chart at a few thousand points at most. */
export function autoResolution(spanMs: number): Resolution {
  const day = 86_400_000;
  if (spanMs <= 3 * day) return 'raw';
  if (spanMs <= 45 * day) return '15m';
  if (spanMs <= 400 * day) return '1h';
  return '1d';
}

/** Gaps: stretches longer than 1.5 expected steps without a point (for 1d, longer than 25 h). */
export function findGaps(
  points: readonly Point[],
  fromMs: number,
  toMs: number,
  stepMs: number | undefined,
): Array<{ from: string; to: string }> {
  if (!stepMs) return [];
  const gaps: Array<{ from: string; to: string }> = [];
  let prev = fromMs - stepMs;
  for (const p of points) {
    const t = Date.parse(p.ts);
    if (t - prev > stepMs * 1.5) gaps.push({ from: new Date(prev + stepMs).toISOString(), to: p.ts });
    prev = t;
  }
  if (toMs - prev > stepMs * 1.5) gaps.push({ from: new Date(prev + stepMs).toISOString(), to: new Date(toMs).toISOString() });
  return gaps;
}

export function registerSeriesRoutes(app: FastifyInstance, db: Database): void {
  app.get<{ Params: Static<typeof SiteParams> }>(
    '/sites/:siteId/series',
    {
      schema: {
        tags: ['series'],
        summary: 'Series of a site with their latest reading',
        params: SiteParams,
        response: { 200: { ...Type.Array(SeriesSchema), description: 'Series' }, ...errorResponses },
      },
    },
    async (req) => {
      const series = await listSeries(db, req.params.siteId);
      const latest = await latestReadings(
        db,
        series.map((s) => s.id),
      );
      return series.map((s) => {
        const l = latest.get(s.id);
        return { ...s, latest: l ? { ts: l.ts, value: l.value, quality: l.quality } : null };
      });
    },
  );

  const NewSeries = Type.Object(
    {
      key: Type.String({ minLength: 1, maxLength: 128 }),
      name: Type.Optional(Type.String({ maxLength: 200 })),
      quantity: Type.Union(Object.keys(QUANTITIES).map((q) => Type.Literal(q))),
      semantics: Type.Union(SEMANTICS.map((s) => Type.Literal(s))),
      intervalS: Type.Optional(
        Type.Integer({ minimum: 1, description: 'nominal resolution in seconds, e.g. 900 for a 15-minute load profile' }),
      ),
    },
    strict,
  );
  app.post<{ Params: Static<typeof SiteParams>; Body: Static<typeof NewSeries> }>(
    '/sites/:siteId/series',
    {
      schema: {
        tags: ['series'],
        summary: 'Create a series (the unit follows from the quantity)',
        params: SiteParams,
        body: NewSeries,
        response: { 201: { ...SeriesSchema, description: 'Created' }, ...errorResponses, 409: { ...ErrorBody, description: 'Key taken' } },
      },
    },
    async (req, reply) => {
      const s = await createSeries(db, req.params.siteId, req.body as Parameters<typeof createSeries>[2]);
      return reply.code(201).send({ ...s, latest: null });
    },
  );

  const Query = Type.Object(
    {
      from: Type.String({ format: 'date-time', description: 'inclusive, ISO 8601 with offset' }),
      to: Type.String({ format: 'date-time', description: 'exclusive' }),
      resolution: Type.Optional(
        Type.Union(
          ['raw', '15m', '1h', '1d'].map((r) => Type.Literal(r)),
          { description: 'default: chosen from the span' },
        ),
      ),
      agg: Type.Union(
        ['avg', 'sum', 'min', 'max', 'last'].map((a) => Type.Literal(a)),
        { default: 'avg' },
      ),
    },
    strict,
  );
  app.get<{ Params: Static<typeof SeriesParams>; Querystring: Static<typeof Query> }>(
    '/sites/:siteId/series/:seriesId/readings',
    {
      schema: {
        tags: ['series'],
        summary: 'Readings of a series, raw or aggregated (15m/1h in UTC buckets, 1d in local days of the site)',
        params: SeriesParams,
        querystring: Query,
        response: {
          200: Type.Object(
            {
              series: Type.Object({ id: Type.Integer(), key: Type.String(), unit: Type.String() }),
              resolution: Type.String(),
              agg: Type.String(),
              points: Type.Array(
                Type.Object({
                  ts: Type.String({ description: 'bucket start, UTC' }),
                  value: Type.Number(),
                  quality: Type.String(),
                  n: Type.Integer(),
                }),
              ),
              gaps: Type.Array(Type.Object({ from: Type.String(), to: Type.String() })),
            },
            { description: 'Points and the gaps between them' },
          ),
          ...errorResponses,
          ...notFound,
        },
      },
    },
    async (req) => {
      const s = await getSeries(db, req.params.siteId, req.params.seriesId);
      if (!s) throw new HttpError(404, 'not_found', `No series ${req.params.seriesId} on site ${req.params.siteId}`);
      const { fromMs, toMs } = parseTimeRange(req.query.from, req.query.to);
      const resolution = (req.query.resolution as Resolution | undefined) ?? autoResolution(toMs - fromMs);
      const agg = req.query.agg as Aggregate;
      const points = await queryReadings(db, s.id, fromMs, toMs, resolution, agg);
      const step =
        resolution === 'raw'
          ? (s.intervalS ?? undefined) && s.intervalS! * 1000
          : resolution === '1d'
            ? 25 * 3_600_000
            : STEP_MS[resolution];
      return {
        series: { id: s.id, key: s.key, unit: s.unit },
        resolution,
        agg,
        points,
        gaps: findGaps(points, fromMs, toMs, step || undefined),
      };
    },
  );
}
