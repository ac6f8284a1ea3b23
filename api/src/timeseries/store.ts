/**
 * Readings in and out of the database — the same SQL on PGlite and PostgreSQL. Writes are
 * idempotent: the same (series, time, value, quality) again is counted as unchanged; a different
 * value or quality for the same series and time replaces the old one (corrections from the
 * metering point operator) and is counted as updated.
 */
import type { Queryable } from '../store/index.js';
import { QUALITIES, type Quality, type Reading } from '../ingest/model.js';

export const QUALITY_CODE: Record<Quality, number> = { measured: 0, estimated: 1, substituted: 2, invalid: 3 };
export const qualityOf = (code: number): Quality => QUALITIES[code] ?? 'invalid';

export interface WriteCounts {
  inserted: number;
  updated: number;
  unchanged: number;
}

/** Keeps the last reading for each (series, time) of a batch: one statement may not touch a row twice. */
export function lastPerKey(rows: readonly Reading[]): Reading[] {
  const seen = new Map<string, number>();
  const out: Reading[] = [];
  for (const r of rows) {
    const key = `${r.seriesId}:${r.tsMs}`;
    const at = seen.get(key);
    if (at === undefined) {
      seen.set(key, out.length);
      out.push(r);
    } else out[at] = r;
  }
  return out;
}

const UPSERT_FROM = (source: string) => `with written as (
       insert into readings (series_id, ts, value, quality)
       select series_id, to_timestamp(epoch_s), value, quality from ${source}
       on conflict (series_id, ts) do update set value = excluded.value, quality = excluded.quality
         where (readings.value, readings.quality) is distinct from (excluded.value, excluded.quality)
       returning (xmax = 0) as fresh
     )
     select count(*) filter (where fresh)::int as inserted, count(*) filter (where not fresh)::int as updated from written`;

/** Above this many rows a batch goes through COPY where the adapter offers it (PostgreSQL). */
const COPY_THRESHOLD = 2_000;

export async function writeReadings(db: Queryable, rows: readonly Reading[]): Promise<WriteCounts> {
  if (rows.length === 0) return { inserted: 0, updated: 0, unchanged: 0 };
  const unique = lastPerKey(rows);
  if (db.copyIn && unique.length >= COPY_THRESHOLD) {
    // COPY into a per-connection staging table, then one upsert: the fastest path PostgreSQL offers.
    await db.exec(
      'create temp table if not exists incoming_readings (series_id int, epoch_s float8, value float8, quality int2) on commit delete rows',
    );
    let text = '';
    for (const r of unique) text += `${r.seriesId}\t${r.tsMs / 1000}\t${r.value}\t${QUALITY_CODE[r.quality]}\n`;
    await db.copyIn('incoming_readings', ['series_id', 'epoch_s', 'value', 'quality'], text);
    const { rows: result } = await db.query<{ inserted: number; updated: number }>(UPSERT_FROM('incoming_readings'));
    await db.exec('truncate incoming_readings');
    const inserted = result[0]?.inserted ?? 0;
    const updated = result[0]?.updated ?? 0;
    return { inserted, updated, unchanged: rows.length - inserted - updated };
  }
  const ids = new Array<number>(unique.length);
  const ts = new Array<number>(unique.length);
  const values = new Array<number>(unique.length);
  const qualities = new Array<number>(unique.length);
  unique.forEach((r, i) => {
    ids[i] = r.seriesId;
    ts[i] = r.tsMs / 1000;
    values[i] = r.value;
    qualities[i] = QUALITY_CODE[r.quality];
  });
  const { rows: result } = await db.query<{ inserted: number; updated: number }>(
    `with incoming as (select * from unnest($1::int[], $2::float8[], $3::float8[], $4::int2[]) as t(series_id, epoch_s, value, quality)) ${UPSERT_FROM('incoming').replace(/^with /, ', ')}`,
    [ids, ts, values, qualities],
  );
  const inserted = result[0]?.inserted ?? 0;
  const updated = result[0]?.updated ?? 0;
  return { inserted, updated, unchanged: rows.length - inserted - updated };
}

/** Time ranges per series whose rollups must be recomputed. */
export type DirtyRanges = Map<number, { fromMs: number; toMs: number }>;

export function markDirty(dirty: DirtyRanges, rows: readonly Reading[]): void {
  for (const r of rows) {
    const range = dirty.get(r.seriesId);
    if (!range) dirty.set(r.seriesId, { fromMs: r.tsMs, toMs: r.tsMs });
    else {
      if (r.tsMs < range.fromMs) range.fromMs = r.tsMs;
      if (r.tsMs > range.toMs) range.toMs = r.tsMs;
    }
  }
}

const ORIGIN = `timestamptz '2000-01-01 00:00:00+00'`;
const AGGREGATES = `count(*), sum(value), min(value), max(value), (array_agg(value order by ts desc))[1], max(ts), max(quality)`;
const UPSERT = `on conflict (series_id, resolution, bucket) do update set
  n = excluded.n, sum = excluded.sum, min = excluded.min, max = excluded.max,
  last = excluded.last, last_ts = excluded.last_ts, worst_quality = excluded.worst_quality`;
const COLUMNS = `(series_id, resolution, bucket, n, sum, min, max, last, last_ts, worst_quality)`;

/**
 * Recomputes, from the raw readings, every rollup bucket that overlaps the dirty ranges: 15 min and
 * 1 h aligned to UTC, 1 d aligned to local midnight in the site's time zone (23 or 25 hours on DST
 * change days). Whole buckets are recomputed, so the result does not depend on batch boundaries.
 */
export async function refreshRollups(db: Queryable, dirty: DirtyRanges): Promise<void> {
  for (const [seriesId, range] of dirty) {
    const from = new Date(range.fromMs).toISOString();
    const to = new Date(range.toMs).toISOString();
    for (const [resolution, width] of [
      ['15m', '15 minutes'],
      ['1h', '1 hour'],
    ] as const) {
      await db.query(
        `insert into readings_rollup ${COLUMNS}
         select $1, '${resolution}', date_bin('${width}', ts, ${ORIGIN}), ${AGGREGATES}
           from readings
          where series_id = $1 and ts >= date_bin('${width}', $2::timestamptz, ${ORIGIN})
            and ts < date_bin('${width}', $3::timestamptz, ${ORIGIN}) + interval '${width}'
          group by 3
         ${UPSERT}`,
        [seriesId, from, to],
      );
    }
    await db.query(
      `with tz as (select s.time_zone as zone from series x join sites s on s.id = x.site_id where x.id = $1)
       insert into readings_rollup ${COLUMNS}
       select $1, '1d', date_trunc('day', ts, (select zone from tz)), ${AGGREGATES}
         from readings
        where series_id = $1
          and ts >= date_trunc('day', $2::timestamptz, (select zone from tz))
          and ts < ((date_trunc('day', $3::timestamptz, (select zone from tz)) at time zone (select zone from tz)) + interval '1 day') at time zone (select zone from tz)
        group by 3
       ${UPSERT}`,
      [seriesId, from, to],
    );
  }
}

export type Resolution = 'raw' | '15m' | '1h' | '1d';
export type Aggregate = 'avg' | 'sum' | 'min' | 'max' | 'last';

export interface Point {
  ts: string;
  value: number;
  quality: Quality;
  /** readings in the bucket (1 for raw) */
  n: number;
}

export async function queryReadings(
  db: Queryable,
  seriesId: number,
  fromMs: number,
  toMs: number,
  resolution: Resolution,
  agg: Aggregate,
): Promise<Point[]> {
  const from = new Date(fromMs).toISOString();
  const to = new Date(toMs).toISOString();
  if (resolution === 'raw') {
    const { rows } = await db.query<{ ts: Date | string; value: number; quality: number }>(
      'select ts, value, quality from readings where series_id = $1 and ts >= $2 and ts < $3 order by ts',
      [seriesId, from, to],
    );
    return rows.map((r) => ({ ts: new Date(r.ts).toISOString(), value: r.value, quality: qualityOf(r.quality), n: 1 }));
  }
  const expr = { avg: 'sum / n', sum: 'sum', min: 'min', max: 'max', last: 'last' }[agg];
  const { rows } = await db.query<{ bucket: Date | string; value: number; quality: number; n: number }>(
    `select bucket, ${expr} as value, worst_quality as quality, n from readings_rollup
      where series_id = $1 and resolution = $2 and bucket >= $3 and bucket < $4 order by bucket`,
    [seriesId, resolution, from, to],
  );
  return rows.map((r) => ({ ts: new Date(r.bucket).toISOString(), value: r.value, quality: qualityOf(r.quality), n: r.n }));
}

/** Latest reading per series, for live views. */
export async function latestReadings(db: Queryable, seriesIds: readonly number[]): Promise<Map<number, Point>> {
  const { rows } = await db.query<{ series_id: number; ts: Date | string; value: number; quality: number }>(
    `select s.id as series_id, r.ts, r.value, r.quality from unnest($1::int[]) as s(id)
       cross join lateral (select ts, value, quality from readings where series_id = s.id order by ts desc limit 1) r`,
    [seriesIds],
  );
  return new Map(rows.map((r) => [r.series_id, { ts: new Date(r.ts).toISOString(), value: r.value, quality: qualityOf(r.quality), n: 1 }]));
}

export interface Total {
  seriesId: number;
  /** start of the local day or month, UTC */
  period: string;
  sum: number;
  n: number;
}

/**
 * Totals per series and local day or month of the site (e.g. monthly energy per meter), from the
 * daily rollups — cheap even for a year of many series.
 */
export async function periodTotals(db: Queryable, siteId: string, fromMs: number, toMs: number, period: 'day' | 'month'): Promise<Total[]> {
  const { rows } = await db.query<{ series_id: number; period: Date | string; sum: number; n: number }>(
    `select r.series_id, date_trunc('${period}', r.bucket, s.time_zone) as period, sum(r.sum)::float8 as sum, sum(r.n)::int as n
       from readings_rollup r
       join series x on x.id = r.series_id
       join sites s on s.id = x.site_id
      where x.site_id = $1 and r.resolution = '1d' and r.bucket >= $2 and r.bucket < $3
      group by r.series_id, 2
      order by r.series_id, 2`,
    [siteId, new Date(fromMs).toISOString(), new Date(toMs).toISOString()],
  );
  return rows.map((r) => ({ seriesId: r.series_id, period: new Date(r.period).toISOString(), sum: r.sum, n: r.n }));
}
