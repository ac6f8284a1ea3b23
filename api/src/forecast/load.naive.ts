/**
 * Weekly seasonal naive load forecast — the baseline every load model is measured against:
 * the value of each step is the value one week earlier (two, three … weeks for horizons past a
 * week, so it never looks past `issuedAt`). Quantiles: p50 plus the empirical 10 %/90 %
 * quantiles of the week-on-week differences of the last 4 weeks in the same local hour (±1 h).
 */
import { localStep } from './calendar.js';
import { quantileSorted } from './metrics.js';
import {
  DAY_MS,
  ForecastInputError,
  firstStepAtOrAfter,
  seriesAt,
  type Forecaster,
  type LoadInput,
  type QuantileForecast,
} from './model.js';

const WEEK_MS = 7 * DAY_MS;
export const SEASONAL_NAIVE_WEEKLY = 'load.seasonal-naive-weekly';

/** The weekly naive point value at `tsMs` given data before `issuedAtMs`: the last visible week-lag. */
export function weeklyNaiveAt(history: LoadInput['history'], issuedAtMs: number, tsMs: number): number {
  let src = tsMs - WEEK_MS;
  while (src + history.stepMs > issuedAtMs) src -= WEEK_MS;
  return seriesAt(history, src);
}

export function seasonalNaiveLoad(opts: { residualWeeks?: number } = {}): Forecaster<LoadInput> {
  const residualWeeks = opts.residualWeeks ?? 4;
  return {
    name: SEASONAL_NAIVE_WEEKLY,
    target: 'load',
    forecast(input: LoadInput, issuedAt: Date, horizonSteps: number): QuantileForecast {
      const issuedAtMs = issuedAt.getTime();
      const { history, calendar } = input;
      const stepMs = history.stepMs;
      if (history.startMs + WEEK_MS + stepMs > issuedAtMs)
        throw new ForecastInputError(SEASONAL_NAIVE_WEEKLY, 'needs at least one week of history before issuedAt');
      // residuals y(t) − y(t − 1 week) of the last weeks, by local hour of day
      const byHour: number[][] = Array.from({ length: 24 }, () => []);
      const lastVisible = Math.floor(issuedAtMs / stepMs) * stepMs - stepMs;
      for (let t = lastVisible; t > lastVisible - residualWeeks * WEEK_MS && t - WEEK_MS >= history.startMs; t -= stepMs) {
        const d = seriesAt(history, t) - seriesAt(history, t - WEEK_MS);
        if (Number.isFinite(d)) byHour[Math.floor(localStep(calendar.timeZone, t).minuteOfDay / 60)]!.push(d);
      }
      const band = byHour.map((_, h) => {
        const pool = [...byHour[(h + 23) % 24]!, ...byHour[h]!, ...byHour[(h + 1) % 24]!].sort((a, b) => a - b);
        return { lo: quantileSorted(pool, 0.1), hi: quantileSorted(pool, 0.9) };
      });
      const startMs = firstStepAtOrAfter(issuedAtMs, stepMs);
      const p10: number[] = [];
      const p50: number[] = [];
      const p90: number[] = [];
      for (let i = 0; i < horizonSteps; i++) {
        const t = startMs + i * stepMs;
        const v = weeklyNaiveAt(history, issuedAtMs, t);
        const b = band[Math.floor(localStep(calendar.timeZone, t).minuteOfDay / 60)]!;
        p50.push(v);
        p10.push(Number.isFinite(b.lo) ? Math.min(v, v + b.lo) : v);
        p90.push(Number.isFinite(b.hi) ? Math.max(v, v + b.hi) : v);
      }
      return { target: 'load', model: SEASONAL_NAIVE_WEEKLY, unit: 'W', issuedAtMs, startMs, stepMs, p10, p50, p90 };
    },
  };
}
