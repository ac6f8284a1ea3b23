/** Prices of a site: read (the site's own upload wins over the zone's market prices) and upload a CSV. */
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { recordAudit } from '../audit/index.js';
import { contextOf } from '../auth/guard.js';
import { HttpError, parseTimeRange } from '../http/errors.js';
import { mustGetSite } from '../sites/index.js';
import { errorResponses, notFound, strict } from '../http/schemas.js';
import type { Database } from '../store/index.js';
import { parsePriceCsv } from './csv.js';
import { listFetches, queryPrices, siteScope, upsertPrices } from './store.js';
import { findGaps } from './timeaxis.js';

const SiteParams = Type.Object({ siteId: Type.String({ maxLength: 63 }) }, strict);
const Query = Type.Object(
  {
    from: Type.String({ format: 'date-time', description: 'inclusive, ISO 8601 with offset' }),
    to: Type.String({ format: 'date-time', description: 'exclusive; at most 400 days after from' }),
  },
  strict,
);
const PriceRate = Type.Object({
  start: Type.String({ format: 'date-time' }),
  end: Type.String({ format: 'date-time' }),
  priceEurPerMWh: Type.Number(),
  source: Type.String({ description: 'entsoe, awattar, csv, demo-replay or upload' }),
});

export interface PriceRouteOptions {
  /** Bidding zone of the installation (LUNA_PRICE_AREA). */
  zone: string;
}

export function registerPriceRoutes(app: FastifyInstance, db: Database, opts: PriceRouteOptions): void {
  app.get<{ Params: Static<typeof SiteParams>; Querystring: Static<typeof Query> }>(
    '/sites/:siteId/prices',
    {
      schema: {
        tags: ['prices'],
        summary: 'Day-ahead prices for a site: its own uploaded prices, else the market prices of its zone',
        params: SiteParams,
        querystring: Query,
        response: {
          200: Type.Object(
            {
              zone: Type.String(),
              unit: Type.Literal('EUR/MWh'),
              rates: Type.Array(PriceRate),
              gaps: Type.Array(Type.Object({ from: Type.String(), to: Type.String() }), {
                description: 'stretches of the window without a price (e.g. tomorrow before the auction results)',
              }),
              lastFetch: Type.Union([
                Type.Object({
                  deliveryDay: Type.String(),
                  attemptedAt: Type.String(),
                  outcome: Type.String(),
                  detail: Type.Optional(Type.String()),
                }),
                Type.Null(),
              ]),
            },
            { description: 'Prices on the UTC axis, half-open intervals' },
          ),
          ...errorResponses,
          ...notFound,
        },
      },
    },
    async (req) => {
      const { fromMs, toMs } = parseTimeRange(req.query.from, req.query.to, 400);
      await mustGetSite(db, req.params.siteId);
      const own = await queryPrices(db, siteScope(req.params.siteId), fromMs, toMs, ['upload', 'demo-replay']);
      const market = await queryPrices(db, opts.zone, fromMs, toMs, ['entsoe', 'awattar', 'csv']);
      const byStart = new Map(market.map((r) => [r.startMs, r]));
      for (const r of own) byStart.set(r.startMs, r);
      // drop market rates that overlap an own rate of another resolution
      const rates = [...byStart.values()]
        .sort((a, b) => a.startMs - b.startMs)
        .filter((r, i, all) => i === 0 || r.startMs >= all[i - 1]!.endMs);
      const last = (await listFetches(db, own.length > 0 ? siteScope(req.params.siteId) : opts.zone, undefined, 1))[0];
      return {
        zone: opts.zone,
        unit: 'EUR/MWh' as const,
        rates: rates.map((r) => ({
          start: new Date(r.startMs).toISOString(),
          end: new Date(r.endMs).toISOString(),
          priceEurPerMWh: r.value,
          source: r.source,
        })),
        gaps: findGaps(rates, { fromMs, toMs }).map((g) => ({
          from: new Date(g.startMs).toISOString(),
          to: new Date(g.endMs).toISOString(),
        })),
        lastFetch: last
          ? {
              deliveryDay: last.deliveryDay,
              attemptedAt: last.attemptedAt,
              outcome: last.outcome,
              ...(last.detail ? { detail: last.detail } : {}),
            }
          : null,
      };
    },
  );

  app.post<{ Params: Static<typeof SiteParams>; Body: Buffer }>(
    '/sites/:siteId/prices',
    {
      bodyLimit: 16 * 1024 * 1024,
      schema: {
        tags: ['prices'],
        summary: "Upload the site's own prices as CSV (timestamp_utc,timestamp_local,price_eur_mwh or timestamp;price)",
        description:
          'Raw body, Content-Type text/csv. Timestamps must carry an offset (Z or +01:00). Good lines are stored, bad lines are listed with line number and reason; an upload replaces earlier uploaded prices at the same start.',
        params: SiteParams,
        response: {
          200: Type.Object(
            {
              stored: Type.Integer(),
              resolutionMinutes: Type.Number(),
              errors: Type.Array(Type.Object({ line: Type.Integer(), reason: Type.String(), text: Type.String() })),
            },
            { description: 'What was stored and what was rejected' },
          ),
          ...errorResponses,
          ...notFound,
        },
      },
    },
    async (req) => {
      if (!Buffer.isBuffer(req.body) || req.body.length === 0) throw new HttpError(400, 'empty_upload', 'Send the CSV as the request body');
      await mustGetSite(db, req.params.siteId);
      const parsed = parsePriceCsv(req.body.toString('utf8'));
      if (parsed.rates.length === 0) {
        const first = parsed.errors[0];
        throw new HttpError(400, 'no_prices', `No valid price line${first ? ` (line ${first.line}: ${first.reason})` : ''}`);
      }
      await db.transaction(async (tx) => {
        await upsertPrices(tx, siteScope(req.params.siteId), 'upload', parsed.rates);
        await recordAudit(tx, {
          ...contextOf(req),
          action: 'prices.upload',
          target: `site:${req.params.siteId}`,
          siteId: req.params.siteId,
          after: { stored: parsed.rates.length, rejected: parsed.errors.length },
        });
      });
      return { stored: parsed.rates.length, resolutionMinutes: parsed.resolutionMs / 60_000, errors: parsed.errors.slice(0, 100) };
    },
  );
}
