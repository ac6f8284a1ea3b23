/**
 * Site history loader (adapter): the site's stored 15-minute series named in its SiteEnergy
 * configuration — load, PV (all arrays summed), grid, battery power and SoC (all batteries), each
 * flexible load — and the day-ahead price per step (the site's own uploaded prices first, the
 * bidding zone's where those are missing). Missing steps are NaN; `coverage` says how many are known.
 */
import { queryPrices, siteScope } from '../markets/store.js';
import type { SiteEnergy } from '../site-energy/model.js';
import type { Queryable } from '../store/index.js';

export const STEP_MS = 900_000;

export interface SiteHistory {
  startMs: number;
  steps: number;
  loadW: number[];
  pvW: number[];
  /** + import / − export */
  gridW: number[];
  /** Σ batteries, + discharge */
  batteryW: number[];
  /** capacity-weighted SoC of all batteries, % */
  socPct: number[];
  spotPriceEurPerMWh: number[];
  flexibleLoads: { id: string; powerW: number[] }[];
  /** known steps per series (name → count), and the keys that have no series on the site */
  coverage: Record<string, number>;
  missingSeries: string[];
}

async function seriesIds(db: Queryable, siteId: string, keys: string[]): Promise<Map<string, number>> {
  if (keys.length === 0) return new Map();
  const { rows } = await db.query<{ id: number; key: string }>('select id, key from series where site_id = $1 and key = any($2)', [
    siteId,
    keys,
  ]);
  return new Map(rows.map((r) => [r.key, r.id]));
}

async function fifteenMinute(db: Queryable, seriesId: number, fromMs: number, steps: number): Promise<number[]> {
  const { rows } = await db.query<{ bucket: Date | string; value: number }>(
    `select bucket, sum / n as value from readings_rollup
      where series_id = $1 and resolution = '15m' and bucket >= $2 and bucket < $3 order by bucket`,
    [seriesId, new Date(fromMs).toISOString(), new Date(fromMs + steps * STEP_MS).toISOString()],
  );
  const out = new Array<number>(steps).fill(NaN);
  for (const r of rows) {
    const i = Math.round((new Date(r.bucket).getTime() - fromMs) / STEP_MS);
    if (i >= 0 && i < steps) out[i] = r.value;
  }
  return out;
}

const known = (xs: number[]) => xs.reduce((n, v) => n + (Number.isFinite(v) ? 1 : 0), 0);

/** Sums aligned series; a step is NaN only when every part is NaN. */
function sumSeries(parts: number[][], steps: number): number[] {
  if (parts.length === 0) return new Array<number>(steps).fill(NaN);
  return Array.from({ length: steps }, (_, i) => {
    let s = 0;
    let any = false;
    for (const p of parts) {
      if (Number.isFinite(p[i]!)) {
        s += p[i]!;
        any = true;
      }
    }
    return any ? s : NaN;
  });
}

/** Loads `[fromMs, toMs)` (fromMs is floored to a 15-minute boundary). */
export async function loadSiteHistory(
  db: Queryable,
  siteId: string,
  energy: SiteEnergy,
  fromMs: number,
  toMs: number,
): Promise<SiteHistory> {
  const startMs = Math.floor(fromMs / STEP_MS) * STEP_MS;
  const steps = Math.max(0, Math.ceil((toMs - startMs) / STEP_MS));
  const keys = [
    energy.loadSeries,
    energy.grid.powerSeries,
    ...energy.pv.map((p) => p.powerSeries),
    ...energy.batteries.flatMap((b) => [b.powerSeries, b.socSeries]),
    ...energy.flexibleLoads.flatMap((f) => (f.powerSeries ? [f.powerSeries] : [])),
  ];
  const ids = await seriesIds(db, siteId, [...new Set(keys)]);
  const missingSeries = [...new Set(keys.filter((k) => !ids.has(k)))];
  const load = async (key: string) => {
    const id = ids.get(key);
    return id === undefined ? new Array<number>(steps).fill(NaN) : fifteenMinute(db, id, startMs, steps);
  };
  const loadW = await load(energy.loadSeries);
  const gridW = await load(energy.grid.powerSeries);
  const pvW = sumSeries(await Promise.all(energy.pv.map((p) => load(p.powerSeries))), steps);
  const batteryW = sumSeries(await Promise.all(energy.batteries.map((b) => load(b.powerSeries))), steps);
  const socs = await Promise.all(energy.batteries.map((b) => load(b.socSeries)));
  const capTotal = energy.batteries.reduce((s, b) => s + b.capacityWh, 0);
  const socPct = Array.from({ length: steps }, (_, i) => {
    if (capTotal <= 0 || socs.some((s) => !Number.isFinite(s[i]!))) return NaN;
    return energy.batteries.reduce((s, b, k) => s + socs[k]![i]! * b.capacityWh, 0) / capTotal;
  });
  const flexibleLoads: { id: string; powerW: number[] }[] = [];
  for (const f of energy.flexibleLoads) if (f.powerSeries) flexibleLoads.push({ id: f.id, powerW: await load(f.powerSeries) });

  const spotPriceEurPerMWh = new Array<number>(steps).fill(NaN);
  const endMs = startMs + steps * STEP_MS;
  const fill = (rates: { startMs: number; endMs: number; value: number }[], overwrite: boolean) => {
    for (const r of rates) {
      const a = Math.max(0, Math.floor((r.startMs - startMs) / STEP_MS));
      const b = Math.min(steps, Math.ceil((r.endMs - startMs) / STEP_MS));
      for (let i = a; i < b; i++) if (overwrite || !Number.isFinite(spotPriceEurPerMWh[i]!)) spotPriceEurPerMWh[i] = r.value;
    }
  };
  fill(await queryPrices(db, siteScope(siteId), startMs, endMs, ['upload', 'demo-replay']), true);
  if (known(spotPriceEurPerMWh) < steps) fill(await queryPrices(db, energy.priceZone, startMs, endMs, ['entsoe', 'awattar', 'csv']), false);

  const coverage: Record<string, number> = {
    loadW: known(loadW),
    pvW: known(pvW),
    gridW: known(gridW),
    batteryW: known(batteryW),
    socPct: known(socPct),
    spotPriceEurPerMWh: known(spotPriceEurPerMWh),
  };
  for (const f of flexibleLoads) coverage[`flexibleLoad:${f.id}`] = known(f.powerW);
  return { startMs, steps, loadW, pvW, gridW, batteryW, socPct, spotPriceEurPerMWh, flexibleLoads, coverage, missingSeries };
}
