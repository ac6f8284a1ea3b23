/**
 * What the planner needs, read from the store (adapter): the latest stored forecasts, measured
 * history for the persistence fallback, the known prices, the current SoC per battery, the billing
 * period's peak so far, and markers that tell the service when prices or forecasts changed.
 */
import type { QuantileForecast, RegularSeries } from '../forecast/model.js';
import { latestForecasts } from '../forecast/store.js';
import { queryPrices, siteScope, type StoredRate } from '../markets/store.js';
import { STEP_MS } from '../optimiser/model.js';
import type { SiteEnergy } from '../site-energy/model.js';
import type { Queryable } from '../store/index.js';
import type { Tariff } from '../tariffs/schema.js';

const DAY_MS = 86_400_000;
/** history read for the persistence fallback */
const HISTORY_MS = 7 * DAY_MS;
/** a SoC reading older than this is not used */
export const SOC_MAX_AGE_MS = 30 * 60_000;

/** Model preference per target (the forecast service's main models); otherwise the newest issued. */
const PREFERRED: Record<'load' | 'pv' | 'price', string[]> = {
  load: ['load.profile'],
  pv: ['pv.clearsky-poa', 'pv.kc-blend'],
  price: ['price.profile'],
};

/** The latest stored forecast of the target that still covers nowMs (preferred models first). */
export async function currentForecast(
  db: Queryable,
  siteId: string,
  target: 'load' | 'pv' | 'price',
  nowMs: number,
): Promise<QuantileForecast | undefined> {
  const all = (await latestForecasts(db, siteId, target, { issuedBeforeMs: nowMs })).filter(
    (f) => f.startMs + f.p50.length * f.stepMs > nowMs + STEP_MS,
  );
  const rank = (m: string) => {
    const i = PREFERRED[target].indexOf(m);
    return i < 0 ? PREFERRED[target].length : i;
  };
  all.sort((a, b) => rank(a.model) - rank(b.model) || b.issuedAtMs - a.issuedAtMs);
  return all[0];
}

export async function seriesIdsByKey(db: Queryable, siteId: string, keys: readonly string[]): Promise<Map<string, number>> {
  if (keys.length === 0) return new Map();
  const { rows } = await db.query<{ id: number; key: string }>('select id, key from series where site_id = $1 and key = any($2::text[])', [
    siteId,
    [...keys],
  ]);
  return new Map(rows.map((r) => [r.key, r.id]));
}

/** 15-minute means (W) of the sum of several series over [fromMs, toMs); NaN where any is missing. */
export async function quarterHourSum(
  db: Queryable,
  seriesIds: readonly number[],
  fromMs: number,
  toMs: number,
): Promise<RegularSeries | undefined> {
  if (seriesIds.length === 0) return undefined;
  const n = Math.round((toMs - fromMs) / STEP_MS);
  const { rows } = await db.query<{ bucket: Date | string; value: number; k: number }>(
    `select bucket, sum(sum / n) as value, count(*)::int as k from readings_rollup
      where series_id = any($1::int[]) and resolution = '15m' and bucket >= $2 and bucket < $3 group by bucket`,
    [[...seriesIds], new Date(fromMs).toISOString(), new Date(toMs).toISOString()],
  );
  const values = new Array<number>(n).fill(NaN);
  for (const r of rows) {
    if (r.k !== seriesIds.length) continue;
    const i = Math.round((new Date(r.bucket).getTime() - fromMs) / STEP_MS);
    if (i >= 0 && i < n) values[i] = r.value;
  }
  return { startMs: fromMs, stepMs: STEP_MS, values };
}

/** Latest value of a series at or before nowMs, not older than maxAgeMs. */
export async function latestValue(db: Queryable, seriesId: number, nowMs: number, maxAgeMs: number): Promise<number | undefined> {
  const { rows } = await db.query<{ value: number }>(
    'select value from readings where series_id = $1 and ts <= $2 and ts > $3 order by ts desc limit 1',
    [seriesId, new Date(nowMs).toISOString(), new Date(nowMs - maxAgeMs).toISOString()],
  );
  return rows[0]?.value;
}

/**
 * The billing period's peak so far: the highest 15-minute average grid import (W) from the start of
 * the billing period (local year or month in the tariff's time zone; month when the tariff has no
 * demand charge) up to the start of the current step. 0 when nothing is measured.
 */
export async function peakSoFarW(db: Queryable, gridSeriesId: number | undefined, tariff: Tariff, nowMs: number): Promise<number> {
  if (gridSeriesId === undefined) return 0;
  const unit = tariff.grid.demandCharge?.billingPeriod === 'year' ? 'year' : 'month';
  const stepStart = Math.floor(nowMs / STEP_MS) * STEP_MS;
  const { rows } = await db.query<{ peak: number | null }>(
    `select max(sum / n) as peak from readings_rollup
      where series_id = $1 and resolution = '15m'
        and bucket >= date_trunc($2, $3::timestamptz, $4) and bucket < $3::timestamptz`,
    [gridSeriesId, unit, new Date(stepStart).toISOString(), tariff.timeZone],
  );
  return Math.max(0, rows[0]?.peak ?? 0);
}

/** Mean measured grid power (W, + import) of the current 15-minute step so far, and how many readings it is from. */
export async function currentStepGridW(
  db: Queryable,
  gridSeriesId: number,
  nowMs: number,
): Promise<{ meanW: number; n: number } | undefined> {
  const bucket = Math.floor(nowMs / STEP_MS) * STEP_MS;
  const { rows } = await db.query<{ mean: number; n: number }>(
    `select sum / n as mean, n from readings_rollup where series_id = $1 and resolution = '15m' and bucket = $2`,
    [gridSeriesId, new Date(bucket).toISOString()],
  );
  return rows[0] === undefined ? undefined : { meanW: rows[0].mean, n: rows[0].n };
}

/** Known prices for the site: its own upload (scope site:<id>) if any, else its bidding zone. */
export async function knownPrices(db: Queryable, siteId: string, zone: string, nowMs: number): Promise<StoredRate[]> {
  const from = nowMs - HISTORY_MS - DAY_MS;
  const to = nowMs + 3 * DAY_MS;
  const own = await queryPrices(db, siteScope(siteId), from, to);
  return own.length > 0 ? own : queryPrices(db, zone, from, to);
}

/** Markers that change whenever prices for the site are stored (inserted or updated: fetched_at) or a forecast is issued. */
export async function changeMarkers(db: Queryable, siteId: string, zone: string): Promise<{ prices: string; forecasts: string }> {
  const p = await db.query<{ at: Date | string | null }>('select max(fetched_at) as at from prices where scope = $1 or scope = $2', [
    siteScope(siteId),
    zone,
  ]);
  const f = await db.query<{ at: Date | string | null }>('select max(issued_at) as at from forecasts where site_id = $1', [siteId]);
  const ms = (v: Date | string | null | undefined) => (v === null || v === undefined ? '' : String(new Date(v).getTime()));
  return { prices: ms(p.rows[0]?.at), forecasts: ms(f.rows[0]?.at) };
}

export interface ReadInputs {
  load?: QuantileForecast;
  pv?: QuantileForecast;
  price?: QuantileForecast;
  loadHistory?: RegularSeries;
  pvHistory?: RegularSeries;
  knownPrices: StoredRate[];
  socPct: Record<string, number | undefined>;
  peakSoFarW: number;
  /** series keys of the configuration that do not exist on the site */
  missingSeries: string[];
}

/** Everything the planner reads for one site at nowMs. */
export async function readInputs(db: Queryable, siteId: string, energy: SiteEnergy, tariff: Tariff, nowMs: number): Promise<ReadInputs> {
  const keys = [
    energy.loadSeries,
    energy.grid.powerSeries,
    ...energy.pv.map((a) => a.powerSeries),
    ...energy.batteries.map((b) => b.socSeries),
  ];
  const ids = await seriesIdsByKey(db, siteId, keys);
  const missingSeries = [...new Set(keys.filter((k) => !ids.has(k)))];
  const stepStart = Math.floor(nowMs / STEP_MS) * STEP_MS;
  const from = stepStart - HISTORY_MS;
  const loadId = ids.get(energy.loadSeries);
  const pvIds = energy.pv.map((a) => ids.get(a.powerSeries)).filter((x): x is number => x !== undefined);
  const socPct: Record<string, number | undefined> = {};
  for (const b of energy.batteries) {
    const id = ids.get(b.socSeries);
    socPct[b.id] = id === undefined ? undefined : await latestValue(db, id, nowMs, SOC_MAX_AGE_MS);
  }
  const [load, pv, price, loadHistory, pvHistory, prices, peak] = await Promise.all([
    currentForecast(db, siteId, 'load', nowMs),
    energy.pv.length > 0 ? currentForecast(db, siteId, 'pv', nowMs) : Promise.resolve(undefined),
    currentForecast(db, siteId, 'price', nowMs),
    loadId === undefined ? Promise.resolve(undefined) : quarterHourSum(db, [loadId], from, stepStart),
    pvIds.length === energy.pv.length && pvIds.length > 0 ? quarterHourSum(db, pvIds, from, stepStart) : Promise.resolve(undefined),
    knownPrices(db, siteId, energy.priceZone, nowMs),
    peakSoFarW(db, ids.get(energy.grid.powerSeries), tariff, nowMs),
  ]);
  return {
    ...(load ? { load } : {}),
    ...(pv ? { pv } : {}),
    ...(price ? { price } : {}),
    ...(loadHistory ? { loadHistory } : {}),
    ...(pvHistory ? { pvHistory } : {}),
    knownPrices: prices,
    socPct,
    peakSoFarW: peak,
    missingSeries,
  };
}
