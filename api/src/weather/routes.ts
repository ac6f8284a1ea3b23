/** Weather of a site: observed history and the latest forecast (as known at `issuedBefore`). */
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { HttpError, parseTimeRange } from '../http/errors.js';
import { mustGetSite } from '../sites/index.js';
import { errorResponses, notFound, strict } from '../http/schemas.js';
import type { Database } from '../store/index.js';
import { recordAudit } from '../audit/index.js';
import { contextOf } from '../auth/guard.js';
import { parseWeatherCsv } from './csv.js';
import { WeatherParseError } from './errors.js';
import type { WeatherRecord } from './model.js';
import { latestWeatherForecast, queryWeatherHistory, upsertWeatherHistory } from './store.js';

const SiteParams = Type.Object({ siteId: Type.String({ maxLength: 63 }) }, strict);
const Query = Type.Object(
  {
    from: Type.String({ format: 'date-time' }),
    to: Type.String({ format: 'date-time', description: 'exclusive; at most 400 days after from' }),
    issuedBefore: Type.Optional(
      Type.String({ format: 'date-time', description: 'use the latest forecast issued at or before this instant' }),
    ),
  },
  strict,
);
const Record_ = Type.Object({
  start: Type.String({ format: 'date-time' }),
  end: Type.String({ format: 'date-time' }),
  source: Type.String(),
  ghiWPerM2: Type.Optional(Type.Number({ description: 'global horizontal irradiance, mean over the period' })),
  dniWPerM2: Type.Optional(Type.Number()),
  dhiWPerM2: Type.Optional(Type.Number()),
  tempC: Type.Optional(Type.Number({ description: 'air temperature at the end of the period' })),
  cloudCoverPct: Type.Optional(Type.Number()),
  windMPerS: Type.Optional(Type.Number()),
});

function view(r: WeatherRecord & { source: string }) {
  const { startMs, endMs, issuedAtMs: _issued, source, ...values } = r;
  return { start: new Date(startMs).toISOString(), end: new Date(endMs).toISOString(), source, ...values };
}

export function registerWeatherRoutes(app: FastifyInstance, db: Database): void {
  app.get<{ Params: Static<typeof SiteParams>; Querystring: Static<typeof Query> }>(
    '/sites/:siteId/weather',
    {
      schema: {
        tags: ['weather'],
        summary: 'Observed weather and the latest forecast of a site (Open-Meteo when LUNA_WEATHER_SOURCE=openmeteo)',
        params: SiteParams,
        querystring: Query,
        response: {
          200: Type.Object(
            {
              history: Type.Array(Record_),
              forecast: Type.Union([
                Type.Object({ issuedAt: Type.String({ format: 'date-time' }), records: Type.Array(Record_) }),
                Type.Null(),
              ]),
            },
            { description: 'UTC periods [start, end)' },
          ),
          ...errorResponses,
          ...notFound,
        },
      },
    },
    async (req) => {
      const { fromMs, toMs } = parseTimeRange(req.query.from, req.query.to, 400);
      await mustGetSite(db, req.params.siteId);
      const issuedBefore = req.query.issuedBefore === undefined ? undefined : Date.parse(req.query.issuedBefore);
      const history = await queryWeatherHistory(db, req.params.siteId, fromMs, Math.min(toMs, issuedBefore ?? toMs));
      const fc = await latestWeatherForecast(db, req.params.siteId, fromMs, toMs, issuedBefore);
      return {
        history: history.map(view),
        forecast: fc ? { issuedAt: new Date(fc.issuedAtMs).toISOString(), records: fc.records.map(view) } : null,
      };
    },
  );

  app.post<{ Params: Static<typeof SiteParams>; Body: Buffer }>(
    '/sites/:siteId/weather',
    {
      bodyLimit: 16 * 1024 * 1024,
      schema: {
        tags: ['weather'],
        summary: 'Upload observed weather as CSV (timestamp,ghi [W/m2],temp [°C],cloud_cover [%],wind_speed [km/h])',
        description:
          'Raw body, Content-Type text/csv. Time with offset; `timestamp` labels the END of the period (as Open-Meteo and DWD do) unless the column is named period_start. Units in brackets are checked and converted. Good lines are stored as history (replacing earlier values of the same period), bad lines are listed with line number and reason.',
        params: SiteParams,
        response: {
          200: Type.Object(
            {
              stored: Type.Integer(),
              resolutionMinutes: Type.Number(),
              ignoredColumns: Type.Array(Type.String()),
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
      const { rows } = await db.query<{ latitude: number | null; longitude: number | null }>(
        'select latitude, longitude from sites where id = $1',
        [req.params.siteId],
      );
      if (rows.length === 0) throw new HttpError(404, 'not_found', `No site ${req.params.siteId}`);
      let parsed: ReturnType<typeof parseWeatherCsv>;
      try {
        parsed = parseWeatherCsv(req.body.toString('utf8'), {
          latitude: rows[0]!.latitude ?? 0,
          longitude: rows[0]!.longitude ?? 0,
          source: 'upload',
        });
      } catch (err) {
        if (err instanceof WeatherParseError) throw new HttpError(400, 'bad_weather_csv', err.message);
        throw err;
      }
      if (parsed.series.records.length === 0) {
        const first = parsed.errors[0];
        throw new HttpError(400, 'no_weather', `No valid weather line${first ? ` (line ${first.line}: ${first.reason})` : ''}`);
      }
      await db.transaction(async (tx) => {
        await upsertWeatherHistory(tx, req.params.siteId, 'upload', parsed.series.records, true);
        await recordAudit(tx, {
          ...contextOf(req),
          action: 'weather.upload',
          target: `site:${req.params.siteId}`,
          siteId: req.params.siteId,
          after: { stored: parsed.series.records.length, rejected: parsed.errors.length },
        });
      });
      return {
        stored: parsed.series.records.length,
        resolutionMinutes: parsed.resolutionMs / 60_000,
        ignoredColumns: parsed.ignoredColumns,
        errors: parsed.errors.slice(0, 100),
      };
    },
  );
}
