/**
 * Weather storage per site (adapter): observed history (one row per period, the archive wins over
 * the past part of a forecast) and forecasts kept per issue time, so a backtest or a plan can ask
 * "what was known at issue time".
 */
import type { Queryable } from '../store/index.js';
import type { WeatherRecord } from './model.js';

const FIELDS = [
  ['ghiWPerM2', 'ghi_w_per_m2'],
  ['dniWPerM2', 'dni_w_per_m2'],
  ['dhiWPerM2', 'dhi_w_per_m2'],
  ['tempC', 'temp_c'],
  ['cloudCoverPct', 'cloud_cover_pct'],
  ['windMPerS', 'wind_m_per_s'],
] as const;
const COLS = FIELDS.map(([, c]) => c).join(', ');

function rowValues(r: WeatherRecord): Array<number | null> {
  return FIELDS.map(([f]) => r[f] ?? null);
}

function toRecord(row: Record<string, unknown>): WeatherRecord & { source: string } {
  const r: WeatherRecord & { source: string } = {
    startMs: new Date(row.start_ts as string).getTime(),
    endMs: new Date(row.end_ts as string).getTime(),
    source: row.source as string,
  };
  for (const [f, c] of FIELDS) if (row[c] !== null && row[c] !== undefined) r[f] = row[c] as number;
  if (row.issued_at !== undefined) r.issuedAtMs = new Date(row.issued_at as string).getTime();
  return r;
}

async function insertChunks(
  db: Queryable,
  records: readonly WeatherRecord[],
  build: (placeholders: string[], params: unknown[]) => string,
  fixed: unknown[],
  perRow: (r: WeatherRecord) => unknown[],
): Promise<void> {
  for (let i = 0; i < records.length; i += 500) {
    const params: unknown[] = [...fixed];
    const placeholders = records.slice(i, i + 500).map((r) => {
      const values = perRow(r);
      const start = params.length;
      params.push(...values);
      return `(${fixed.map((_, k) => `$${k + 1}`).join(', ')}, ${values.map((_, k) => `$${start + k + 1}`).join(', ')})`;
    });
    await db.query(build(placeholders, params), params);
  }
}

/** Stores observed weather; `overwrite` false keeps existing rows (the past part of a forecast must not replace archive data). */
export async function upsertWeatherHistory(
  db: Queryable,
  siteId: string,
  source: string,
  records: readonly WeatherRecord[],
  overwrite = true,
): Promise<number> {
  await insertChunks(
    db,
    records,
    (ph) =>
      `insert into weather_history (site_id, source, start_ts, end_ts, ${COLS}) values ${ph.join(', ')}
       on conflict (site_id, start_ts) do ${
         overwrite
           ? `update set end_ts = excluded.end_ts, source = excluded.source, ${FIELDS.map(([, c]) => `${c} = excluded.${c}`).join(', ')}, fetched_at = now()`
           : 'nothing'
       }`,
    [siteId, source],
    (r) => [new Date(r.startMs).toISOString(), new Date(r.endMs).toISOString(), ...rowValues(r)],
  );
  return records.length;
}

/** Stores one issued forecast (idempotent per site, issue time and period). */
export async function insertWeatherForecast(
  db: Queryable,
  siteId: string,
  source: string,
  issuedAtMs: number,
  records: readonly WeatherRecord[],
): Promise<number> {
  await insertChunks(
    db,
    records,
    (ph) => `insert into weather_forecasts (site_id, source, issued_at, start_ts, end_ts, ${COLS}) values ${ph.join(', ')}
             on conflict (site_id, issued_at, start_ts) do nothing`,
    [siteId, source, new Date(issuedAtMs).toISOString()],
    (r) => [new Date(r.startMs).toISOString(), new Date(r.endMs).toISOString(), ...rowValues(r)],
  );
  return records.length;
}

export async function queryWeatherHistory(
  db: Queryable,
  siteId: string,
  fromMs: number,
  toMs: number,
): Promise<Array<WeatherRecord & { source: string }>> {
  const { rows } = await db.query(
    `select start_ts, end_ts, source, ${COLS} from weather_history where site_id = $1 and end_ts > $2 and start_ts < $3 order by start_ts`,
    [siteId, new Date(fromMs).toISOString(), new Date(toMs).toISOString()],
  );
  return rows.map(toRecord);
}

/** The latest forecast issued at or before `issuedBeforeMs` (default: any), its records overlapping the window. */
export async function latestWeatherForecast(
  db: Queryable,
  siteId: string,
  fromMs: number,
  toMs: number,
  issuedBeforeMs?: number,
): Promise<{ issuedAtMs: number; records: Array<WeatherRecord & { source: string }> } | undefined> {
  const { rows: issued } = await db.query<{ issued_at: Date | string }>(
    `select max(issued_at) as issued_at from weather_forecasts where site_id = $1 and ($2::timestamptz is null or issued_at <= $2::timestamptz)`,
    [siteId, issuedBeforeMs === undefined ? null : new Date(issuedBeforeMs).toISOString()],
  );
  if (issued[0]?.issued_at === null || issued[0]?.issued_at === undefined) return undefined;
  const issuedAt = new Date(issued[0].issued_at);
  const { rows } = await db.query(
    `select start_ts, end_ts, source, issued_at, ${COLS} from weather_forecasts
      where site_id = $1 and issued_at = $2 and end_ts > $3 and start_ts < $4 order by start_ts`,
    [siteId, issuedAt.toISOString(), new Date(fromMs).toISOString(), new Date(toMs).toISOString()],
  );
  return { issuedAtMs: issuedAt.getTime(), records: rows.map(toRecord) };
}
