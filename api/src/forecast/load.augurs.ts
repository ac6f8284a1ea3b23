/**
 * Comparison load models from the augurs library (Rust → WASM): Prophet (`load.prophet`, with the
 * site's German public holidays as holidays and separate daily seasonalities for working and off days) and MSTL with an ETS trend (`load.mstl`, daily + weekly periods).
 * They are references to beat, not production models.
 *
 * `loadAugurs()` is the I/O edge: it reads the WASM bytes from node_modules (the async `init()`
 * of augurs fetches a file URL, which fails on Node 20) and hands the initialised modules to the
 * pure factories. Training window: the last `trainDays` before issue; 15-minute data are averaged
 * to hours for fitting (speed: Prophet on 8 weeks × 96 steps/day is ~4× slower) and the hourly
 * forecast is repeated on its four quarter hours.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as ProphetModule from '@bsull/augurs/prophet';
import type * as MstlModule from '@bsull/augurs/mstl';
import { germanHolidays } from '../calendar/holidays.js';
import { dayClass, isWorkClass, localStep, localToUtc } from './calendar.js';
import {
  DAY_MS,
  ForecastInputError,
  HOUR_MS,
  firstStepAtOrAfter,
  seriesAt,
  type Forecaster,
  type LoadInput,
  type QuantileForecast,
  type RegularSeries,
} from './model.js';

export interface AugursModules {
  prophet: typeof ProphetModule;
  mstl: typeof MstlModule;
  optimizer: ProphetModule.ProphetOptimizer;
}

let loaded: AugursModules | undefined;

/** Edge: import augurs and initialise its WASM from disk (once per process). */
export async function loadAugurs(): Promise<AugursModules> {
  if (loaded) return loaded;
  const prophet = await import('@bsull/augurs/prophet');
  const mstl = await import('@bsull/augurs/mstl');
  const dir = dirname(fileURLToPath(import.meta.resolve('@bsull/augurs/prophet')));
  prophet.initSync({ module: readFileSync(join(dir, 'prophet_bg.wasm')) });
  mstl.initSync({ module: readFileSync(join(dir, 'mstl_bg.wasm')) });
  const { optimizer } = await import('@bsull/augurs-prophet-wasmstan');
  loaded = { prophet, mstl, optimizer: optimizer as ProphetModule.ProphetOptimizer };
  return loaded;
}

export const PROPHET_LOAD = 'load.prophet';
export const MSTL_LOAD = 'load.mstl';

export interface AugursLoadOptions {
  /** Training window, days. Default 56. */
  trainDays?: number;
}

/** The visible history before issue as an (at most) hourly series; NaN where missing. */
function training(history: RegularSeries, issuedAtMs: number, trainDays: number): RegularSeries {
  const fitStep = Math.max(history.stepMs, HOUR_MS);
  const end = Math.floor(issuedAtMs / fitStep) * fitStep;
  const start = Math.max(Math.ceil(history.startMs / fitStep) * fitStep, end - trainDays * DAY_MS);
  const values: number[] = [];
  for (let t = start; t < end; t += fitStep) {
    let s = 0;
    let n = 0;
    for (let u = t; u < t + fitStep; u += history.stepMs) {
      const v = u + history.stepMs <= issuedAtMs ? seriesAt(history, u) : NaN;
      if (Number.isFinite(v)) {
        s += v;
        n++;
      }
    }
    values.push(n === fitStep / history.stepMs ? s / n : NaN);
  }
  return { startMs: start, stepMs: fitStep, values };
}

function result(
  model: string,
  input: LoadInput,
  issuedAtMs: number,
  horizonSteps: number,
  fit: RegularSeries,
  f: { point: number[]; lower: number[]; upper: number[] },
  firstFitIndex: number,
): QuantileForecast {
  const stepMs = input.history.stepMs;
  const startMs = firstStepAtOrAfter(issuedAtMs, stepMs);
  const p10: number[] = [];
  const p50: number[] = [];
  const p90: number[] = [];
  for (let i = 0; i < horizonSteps; i++) {
    const t = startMs + i * stepMs;
    const k = Math.floor((t - fit.startMs) / fit.stepMs) - firstFitIndex;
    const v = f.point[k] ?? NaN;
    p50.push(v);
    p10.push(Math.min(v, f.lower[k] ?? v));
    p90.push(Math.max(v, f.upper[k] ?? v));
  }
  return { target: 'load', model, unit: 'W', issuedAtMs, startMs, stepMs, p10, p50, p90 };
}

export function prophetLoad(mods: AugursModules, o: AugursLoadOptions = {}): Forecaster<LoadInput> {
  const trainDays = o.trainDays ?? 56;
  return {
    name: PROPHET_LOAD,
    target: 'load',
    forecast(input, issuedAt, horizonSteps) {
      const issuedAtMs = issuedAt.getTime();
      const fit = training(input.history, issuedAtMs, trainDays);
      const ds: number[] = [];
      const y: number[] = [];
      fit.values.forEach((v, i) => {
        if (Number.isFinite(v)) {
          ds.push((fit.startMs + i * fit.stepMs) / 1000);
          y.push(v);
        }
      });
      if (y.length < 14 * (DAY_MS / fit.stepMs)) throw new ForecastInputError(PROPHET_LOAD, 'needs 14 days of history');
      const horizonEnd = firstStepAtOrAfter(issuedAtMs, input.history.stepMs) + horizonSteps * input.history.stepMs;
      const holidays = new Map<string, ProphetModule.ProphetHoliday>();
      const state = input.calendar.state;
      const dates = new Set(input.calendar.offDays ?? []);
      if (state !== undefined) {
        const y0 = new Date(fit.startMs).getUTCFullYear();
        const y1 = new Date(horizonEnd).getUTCFullYear();
        for (let yr = y0; yr <= y1; yr++) for (const h of germanHolidays(yr, state)) dates.add(h.date);
      }
      if (dates.size > 0) {
        const occurrences: ProphetModule.ProphetHolidayOccurrence[] = [...dates].sort().map((d) => {
          const s = localToUtc(input.calendar.timeZone, d, 0);
          return { start: s / 1000, end: (s + DAY_MS) / 1000 };
        });
        holidays.set('public_holiday', { occurrences });
      }
      const model = new mods.prophet.Prophet({
        optimizer: mods.optimizer,
        intervalWidth: 0.8,
        uncertaintySamples: 200,
        yearlySeasonality: { type: 'manual', enabled: false },
        dailySeasonality: { type: 'manual', enabled: false },
        ...(holidays.size > 0 ? { holidays } : {}),
      });
      // the usual Prophet set-up for building loads: separate daily shapes for working and off days
      model.addSeasonality('daily_work', { period: 1, fourierOrder: 10, conditionName: 'work' });
      model.addSeasonality('daily_off', { period: 1, fourierOrder: 6, conditionName: 'off' });
      const tz = input.calendar.timeZone;
      const conditions = (tsSeconds: readonly number[]) => {
        const work = tsSeconds.map((t) => isWorkClass(dayClass(localStep(tz, t * 1000).date, input.calendar)));
        return new Map([
          ['work', work],
          ['off', work.map((w) => !w)],
        ]);
      };
      try {
        try {
          model.fit({ ds, y, seasonalityConditions: conditions(ds) }, { seed: 1 });
        } catch (e) {
          // the Stan optimiser (WASM) sometimes traps; that origin gets no Prophet forecast
          throw new ForecastInputError(PROPHET_LOAD, `optimisation failed: ${(e instanceof Error ? e.message : String(e)).split('\n')[0]}`);
        }
        const end = fit.startMs + fit.values.length * fit.stepMs;
        const future: number[] = [];
        for (let t = end; t < horizonEnd; t += fit.stepMs) future.push(t / 1000);
        const p = model.predict({ ds: future, seasonalityConditions: conditions(future) });
        const iv = p.yhat.intervals;
        return result(
          PROPHET_LOAD,
          input,
          issuedAtMs,
          horizonSteps,
          fit,
          { point: p.yhat.point, lower: iv?.lower ?? [], upper: iv?.upper ?? [] },
          fit.values.length,
        );
      } finally {
        model.free();
      }
    },
  };
}

export function mstlLoad(mods: AugursModules, o: AugursLoadOptions = {}): Forecaster<LoadInput> {
  const trainDays = o.trainDays ?? 56;
  return {
    name: MSTL_LOAD,
    target: 'load',
    forecast(input, issuedAt, horizonSteps) {
      const issuedAtMs = issuedAt.getTime();
      const fit = training(input.history, issuedAtMs, trainDays);
      const perDay = DAY_MS / fit.stepMs;
      const v = [...fit.values];
      // MSTL needs a gap-free series: fill from one week (else one day) earlier, else the last value
      for (let i = 0; i < v.length; i++) {
        if (!Number.isFinite(v[i]!))
          v[i] = [v[i - 7 * perDay], v[i - perDay], v[i - 1]].find((x) => x !== undefined && Number.isFinite(x)) ?? NaN;
      }
      const firstGood = v.findIndex((x) => Number.isFinite(x));
      const y = v.slice(Math.max(0, firstGood)).map((x) => (Number.isFinite(x) ? x : 0));
      if (firstGood < 0 || y.length < 14 * perDay) throw new ForecastInputError(MSTL_LOAD, 'needs 14 days of history');
      const horizonEnd = firstStepAtOrAfter(issuedAtMs, input.history.stepMs) + horizonSteps * input.history.stepMs;
      const end = fit.startMs + fit.values.length * fit.stepMs;
      const h = Math.ceil((horizonEnd - end) / fit.stepMs);
      const model = mods.mstl.MSTL.ets([perDay, 7 * perDay]);
      try {
        model.fit(y);
        const f = model.predict(h, 0.8);
        return result(
          MSTL_LOAD,
          input,
          issuedAtMs,
          horizonSteps,
          fit,
          { point: f.point, lower: f.intervals?.lower ?? [], upper: f.intervals?.upper ?? [] },
          fit.values.length,
        );
      } finally {
        model.free();
      }
    },
  };
}
