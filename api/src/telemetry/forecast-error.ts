/**
 * `luna_forecast_error{site,target,model,measure}`: the realised error of the day-ahead forecasts.
 * The forecast store keeps no realised metrics, so this compares, per site and target (load, PV),
 * the newest forecast of each model issued at least 24 h ago (p50) with the measured 15-minute
 * means (rollups) of the series the forecast service forecasts, over the part of the forecast that
 * lies in the past. measure = mae (W) or nmae (MAE / mean measured). Recomputed at most every
 * `refreshMs` (10 min) when Prometheus scrapes.
 */
import { Gauge, type Registry } from 'prom-client';
import { latestForecasts } from '../forecast/store.js';
import type { Database } from '../store/index.js';

export interface ForecastErrorPoint {
  site: string;
  target: 'load' | 'pv';
  model: string;
  /** mean absolute error, in the forecast's unit (W) */
  mae: number;
  /** mae / mean measured value; undefined when the mean is 0 (PV at night) */
  nmae: number | undefined;
  /** compared steps */
  n: number;
}

/** Pure: MAE and normalised MAE of p50 against measured values at the same step starts (ms → value). */
export function realisedError(
  forecast: { startMs: number; stepMs: number; p50: readonly number[] },
  measured: ReadonlyMap<number, number>,
  nowMs: number,
): { mae: number; nmae: number | undefined; n: number } | undefined {
  let abs = 0;
  let sum = 0;
  let n = 0;
  forecast.p50.forEach((p, i) => {
    const ts = forecast.startMs + i * forecast.stepMs;
    const a = measured.get(ts);
    if (ts + forecast.stepMs > nowMs || a === undefined || !Number.isFinite(p)) return;
    abs += Math.abs(p - a);
    sum += a;
    n++;
  });
  if (n === 0) return undefined;
  const mean = sum / n;
  return { mae: abs / n, nmae: Math.abs(mean) > 1e-9 ? abs / n / Math.abs(mean) : undefined, n };
}

/** The series the forecast service forecasts (forecast/service.ts picks them the same way, by key). */
function pick(series: Array<{ id: number; key: string }>, target: 'load' | 'pv'): number | undefined {
  if (target === 'load')
    return (series.find((s) => s.key === 'load/power') ?? series.find((s) => /(load|consumption|verbrauch)/i.test(s.key)))?.id;
  return series.find((s) => /(pv|solar)/i.test(s.key))?.id;
}

export async function computeForecastErrors(db: Database, nowMs: number): Promise<ForecastErrorPoint[]> {
  const out: ForecastErrorPoint[] = [];
  const { rows: sites } = await db.query<{ id: string }>('select id from sites order by id');
  for (const { id: site } of sites) {
    const { rows: series } = await db.query<{ id: number; key: string }>('select id, key from series where site_id = $1', [site]);
    for (const target of ['load', 'pv'] as const) {
      const seriesId = pick(series, target);
      if (seriesId === undefined) continue;
      for (const fc of await latestForecasts(db, site, target, { issuedBeforeMs: nowMs - 86_400_000 })) {
        if (fc.stepMs !== 900_000) continue; // compared against the 15-minute rollups
        const toMs = Math.min(nowMs, fc.startMs + fc.p50.length * fc.stepMs);
        const { rows } = await db.query<{ bucket: unknown; mean: number | string }>(
          `select bucket, sum / n as mean from readings_rollup
            where series_id = $1 and resolution = '15m' and bucket >= $2 and bucket < $3 and n > 0`,
          [seriesId, new Date(fc.startMs).toISOString(), new Date(toMs).toISOString()],
        );
        const measured = new Map(rows.map((r) => [new Date(r.bucket as string).getTime(), Number(r.mean)]));
        const e = realisedError(fc, measured, nowMs);
        if (e) out.push({ site, target, model: fc.model, ...e });
      }
    }
  }
  return out;
}

/** Registers the gauge; its values come from computeForecastErrors, cached for refreshMs. */
export function registerForecastErrorGauge(registry: Registry, db: Database, o: { refreshMs?: number; now?: () => number } = {}): void {
  const refreshMs = o.refreshMs ?? 600_000;
  const now = o.now ?? Date.now;
  let cache: { atMs: number; points: ForecastErrorPoint[] } | undefined;
  new Gauge({
    name: 'luna_forecast_error',
    help: 'Realised error of the newest day-ahead forecast (issued ≥ 24 h ago, p50) per site, target and model: measure=mae (W) or nmae (MAE / mean measured)',
    labelNames: ['site', 'target', 'model', 'measure'],
    registers: [registry],
    async collect() {
      if (cache === undefined || now() - cache.atMs >= refreshMs) {
        try {
          cache = { atMs: now(), points: await computeForecastErrors(db, now()) };
        } catch {
          // the database is down: /ready says so; keep the last values
          cache ??= { atMs: now(), points: [] };
        }
      }
      this.reset();
      for (const p of cache.points) {
        this.set({ site: p.site, target: p.target, model: p.model, measure: 'mae' }, p.mae);
        if (p.nmae !== undefined) this.set({ site: p.site, target: p.target, model: p.model, measure: 'nmae' }, p.nmae);
      }
    },
  });
}
