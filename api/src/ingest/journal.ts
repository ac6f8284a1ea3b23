/** Ingest bookkeeping: rejected input goes to quarantine with its reason; every ingest call is logged with counts. */
import type { Queryable } from '../store/index.js';
import type { Rejection } from './model.js';

export interface IngestRecord {
  siteId?: string;
  source: string;
  accepted: number;
  duplicate: number;
  rejections: readonly Rejection[];
  detail?: unknown;
}

export async function recordIngest(db: Queryable, r: IngestRecord): Promise<void> {
  await db.query('insert into ingest_log (site_id, source, accepted, duplicate, rejected, detail) values ($1, $2, $3, $4, $5, $6)', [
    r.siteId ?? null,
    r.source,
    r.accepted,
    r.duplicate,
    r.rejections.length,
    r.detail === undefined ? null : JSON.stringify(r.detail),
  ]);
  if (r.rejections.length === 0) return;
  await db.query(
    `insert into quarantine (site_id, source, line, field, reason, raw)
     select $1, $2, line, field, reason, raw from unnest($3::int[], $4::text[], $5::text[], $6::text[]) as t(line, field, reason, raw)`,
    [
      r.siteId ?? null,
      r.source,
      r.rejections.map((x) => x.line ?? x.index ?? null),
      r.rejections.map((x) => x.field ?? null),
      r.rejections.map((x) => x.reason),
      r.rejections.map((x) => x.raw?.slice(0, 500) ?? null),
    ],
  );
}
