/** POST /ingest/readings — a JSON batch from a user or an ingest-scoped API key of the site. */
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { actorOf } from '../auth/guard.js';
import { HttpError } from '../http/errors.js';
import { errorResponses, ErrorBody, strict } from '../http/schemas.js';
import type { Database } from '../store/index.js';
import { resolveSeries } from '../timeseries/series.js';
import { validateBatch, type BatchItem } from './batch.js';
import { BufferFullError } from './buffer.js';
import { recordIngest } from './journal.js';
import type { IngestBus } from './bus.js';

export const MAX_BATCH = 100_000;

const Body = Type.Object(
  {
    siteId: Type.String({ maxLength: 63 }),
    source: Type.Optional(Type.String({ maxLength: 100, description: 'who sends, for the ingest log (default: the user or key name)' })),
    readings: Type.Array(
      Type.Object(
        {},
        {
          additionalProperties: true,
          description:
            '{series: id or key, ts: ISO 8601 with offset or epoch ms, value: number, unit?: e.g. "kW" (converted to the series unit), quality?: measured|estimated|substituted|invalid}',
        },
      ),
      { maxItems: MAX_BATCH },
    ),
  },
  strict,
);

const Outcome = Type.Object({
  accepted: Type.Integer({ description: 'new readings stored (or buffered on disk, see buffered)' }),
  updated: Type.Integer({ description: 'readings that replaced a different value at the same time' }),
  duplicate: Type.Integer({ description: 'identical to what was stored: nothing changed' }),
  buffered: Type.Integer({ description: 'accepted into the disk buffer while the database is unreachable; written later' }),
  rejected: Type.Array(Type.Object({ index: Type.Integer(), field: Type.String(), reason: Type.String() })),
});

export function registerIngestRoutes(app: FastifyInstance, db: Database, writer: IngestBus, rateLimitPerMin: number): void {
  app.post<{ Body: Static<typeof Body> }>(
    '/ingest/readings',
    {
      bodyLimit: 32 * 1024 * 1024,
      config: { rateLimit: { max: rateLimitPerMin, timeWindow: '1 minute' } },
      schema: {
        tags: ['ingest'],
        summary: 'Send a batch of readings (ingest permission on the site)',
        description:
          'Each reading is checked on its own: bad ones are listed under rejected (index, field, reason) and kept in quarantine; good ones are stored. Sending the same reading again is harmless (duplicate).',
        body: Body,
        response: {
          200: { ...Outcome, description: 'What happened to each part of the batch' },
          ...errorResponses,
          503: { ...ErrorBody, description: 'Database unreachable and disk buffer full: nothing was accepted, retry later' },
        },
      },
    },
    async (req) => {
      const { siteId, readings: items } = req.body;
      const refs = (items as BatchItem[])
        .map((i) => i.series)
        .filter((s): s is number | string => typeof s === 'number' || typeof s === 'string');
      const series = await resolveSeries(db, siteId, refs);
      const { readings, rejections } = validateBatch(items as BatchItem[], series, Date.now());
      let result;
      try {
        result = await writer.write(readings);
      } catch (err) {
        if (err instanceof BufferFullError) throw new HttpError(503, 'buffer_full', err.message, 30);
        throw err;
      }
      const source = req.body.source ?? `rest:${actorOf(req.principal).name ?? 'unknown'}`;
      const accepted = result.inserted + result.buffered;
      await recordIngest(db, { siteId, source, accepted, duplicate: result.unchanged, rejections }).catch((err: Error) =>
        req.log.warn({ err: err.message }, 'could not record the ingest log (database unreachable?)'),
      );
      return {
        accepted,
        updated: result.updated,
        duplicate: result.unchanged,
        buffered: result.buffered,
        rejected: rejections.map((r) => ({ index: r.index ?? 0, field: r.field ?? '', reason: r.reason })),
      };
    },
  );
}
