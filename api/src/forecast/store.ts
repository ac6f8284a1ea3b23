/**
 * Forecast storage (adapter): every issued forecast is kept with its issue time — one row per site,
 * target, model and issue time, the quantiles as JSON arrays — so "what did we expect at 12:00
 * yesterday" can be answered later (backtests, plan explanations).
 */
import type { Queryable } from '../store/index.js';
import type { ForecastTarget, QuantileForecast } from './model.js';

export interface StoredForecast extends QuantileForecast {
  id: number;
  siteId: string;
}

/** Stores a forecast; a second one with the same site, target, model and issue time is ignored. Returns the id when stored. */
export async function insertForecast(db: Queryable, siteId: string, fc: QuantileForecast): Promise<number | undefined> {
  const { rows } = await db.query<{ id: string | number }>(
    `insert into forecasts (site_id, target, model, unit, issued_at, start_ts, step_s, quantiles)
     values ($1, $2, $3, $4, $5, $6, $7, $8)
     on conflict (site_id, target, model, issued_at) do nothing returning id`,
    [
      siteId,
      fc.target,
      fc.model,
      fc.unit,
      new Date(fc.issuedAtMs).toISOString(),
      new Date(fc.startMs).toISOString(),
      Math.round(fc.stepMs / 1000),
      JSON.stringify({ p10: fc.p10.map(round), p50: fc.p50.map(round), p90: fc.p90.map(round) }),
    ],
  );
  return rows[0] === undefined ? undefined : Number(rows[0].id);
}

/** 4 significant decimals are plenty for W and EUR/MWh and keep the rows small. */
function round(v: number): number | null {
  return Number.isFinite(v) ? Math.round(v * 1e4) / 1e4 : null;
}

function toForecast(r: Record<string, unknown>): StoredForecast {
  const q = (typeof r.quantiles === 'string' ? JSON.parse(r.quantiles) : r.quantiles) as Record<
    'p10' | 'p50' | 'p90',
    Array<number | null>
  >;
  const nums = (a: Array<number | null>) => a.map((v) => (v === null ? NaN : v));
  return {
    id: Number(r.id),
    siteId: r.site_id as string,
    target: r.target as ForecastTarget,
    model: r.model as string,
    unit: r.unit as QuantileForecast['unit'],
    issuedAtMs: new Date(r.issued_at as string).getTime(),
    startMs: new Date(r.start_ts as string).getTime(),
    stepMs: (r.step_s as number) * 1000,
    p10: nums(q.p10),
    p50: nums(q.p50),
    p90: nums(q.p90),
  };
}

/**
 * For each model of the target, the latest forecast issued at or before `issuedBeforeMs` (default:
 * the latest of all); optionally one model only.
 */
export async function latestForecasts(
  db: Queryable,
  siteId: string,
  target: ForecastTarget,
  opts: { issuedBeforeMs?: number; model?: string } = {},
): Promise<StoredForecast[]> {
  const { rows } = await db.query(
    `select distinct on (model) id, site_id, target, model, unit, issued_at, start_ts, step_s, quantiles
       from forecasts
      where site_id = $1 and target = $2
        and ($3::timestamptz is null or issued_at <= $3::timestamptz)
        and ($4::text is null or model = $4::text)
      order by model, issued_at desc`,
    [siteId, target, opts.issuedBeforeMs === undefined ? null : new Date(opts.issuedBeforeMs).toISOString(), opts.model ?? null],
  );
  return rows.map(toForecast);
}
