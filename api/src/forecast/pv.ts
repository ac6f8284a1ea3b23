/**
 * PV forecasters. Pure; only history before `issuedAt` is read, weather records starting at or
 * after `issuedAt` are the weather forecast.
 *
 * Physical chain per step (sub-sampled so sunrise/sunset inside a step is handled):
 *   sun position (NOAA) → clear-sky GHI (Haurwitz) → the step's GHI spread over the step in
 *   proportion to clear sky → Erbs split → Hay–Davies plane of array → cell temperature derate
 *   (−0.4 %/K above 25 °C, NOCT 45 °C) → × peak power → × α, the site factor calibrated on the
 *   measured history (inverter, wiring, soiling, shading, wrong nameplate — all in one number).
 *
 * - `clearSkyPv()` `pv.clearsky-poa`: forecast GHI and temperature from the weather input;
 *   α = least-squares ratio of measured power to modelled power from OBSERVED weather over the last
 *   `calibrationDays`, for the plane (nameplate, flat, 15/30/45° turned ±45°) that fits the history
 *   clearly best. Steps without forecast weather fall back to the kc blend below.
 * - `kcBlendPv()` `pv.kc-blend`: no weather: clear-sky power × a blend of yesterday's daily
 *   clear-sky index and the mean of the last `calibrationDays` (persistence + climatology).
 * - `smartPersistencePv()` `pv.smart-persistence`: the baseline — yesterday's daily clear-sky
 *   index × today's clear-sky power.
 * Quantiles: in clear-sky-index space. Weather mode: a fixed spread σ(kc) = 0.08 + 0.22·4kc(1−kc)
 * (an assumption, not fitted — no archive of past weather forecasts exists here); blend and
 * persistence: the empirical 10 %/90 % of the daily clear-sky index of the calibration window.
 */
import { quantileSorted } from './metrics.js';
import {
  DAY_MS,
  ForecastInputError,
  QUARTER_HOUR_MS,
  firstStepAtOrAfter,
  seriesAt,
  type Forecaster,
  type PvInput,
  type PvSystem,
  type QuantileForecast,
} from './model.js';
import { cellTempC, clearSkyGhiHaurwitz, extraterrestrialWPerM2, poaIrradiance, solarPosition } from './solar.js';
import type { WeatherRecord } from '../weather/model.js';

export const CLEARSKY_PV = 'pv.clearsky-poa';
export const KC_BLEND_PV = 'pv.kc-blend';
export const SMART_PERSISTENCE_PV = 'pv.smart-persistence';
const TEMP_COEFF_PER_K = -0.004;
const DEFAULT_TEMP_C = 15;

/**
 * Modelled power (W, before the site factor α) over one step with mean GHI `ghi` (W/m²; undefined
 * = clear sky) and air temperature `tempC`. Also returns the clear-sky power of the same step.
 */
export function stepPower(
  system: PvSystem,
  startMs: number,
  stepMs: number,
  ghi: number | undefined,
  tempC: number,
): { powerW: number; clearSkyW: number } {
  const n = Math.max(3, Math.round(stepMs / 600_000)); // a sub-sample every ≤ 10 min
  const plane = { tiltDeg: system.tiltDeg, azimuthDeg: system.azimuthDeg, albedo: system.albedo ?? 0.2 };
  const e0 = extraterrestrialWPerM2(startMs);
  const subs: { sun: ReturnType<typeof solarPosition>; cs: number }[] = [];
  let csMean = 0;
  for (let k = 0; k < n; k++) {
    const sun = solarPosition(startMs + ((k + 0.5) * stepMs) / n, system.latitudeDeg, system.longitudeDeg);
    const cs = clearSkyGhiHaurwitz(sun.zenithDeg);
    subs.push({ sun, cs });
    csMean += cs / n;
  }
  if (csMean <= 0) return { powerW: 0, clearSkyW: 0 };
  const kc = ghi === undefined ? 1 : Math.max(0, ghi) / csMean;
  let p = 0;
  let pcs = 0;
  for (const s of subs) {
    const poa = poaIrradiance(kc * s.cs, s.sun, plane, e0);
    const poaCs = poaIrradiance(s.cs, s.sun, plane, e0);
    p += (system.peakPowerW * poa * (1 + TEMP_COEFF_PER_K * Math.max(0, cellTempC(tempC, poa) - 25))) / 1000;
    pcs += (system.peakPowerW * poaCs * (1 + TEMP_COEFF_PER_K * Math.max(0, cellTempC(tempC, poaCs) - 25))) / 1000;
  }
  return { powerW: p / n, clearSkyW: pcs / n };
}

/** Time-weighted mean of a weather field over `[from, to)` from records matching `use`. */
function weatherMean(
  records: readonly WeatherRecord[],
  field: 'ghiWPerM2' | 'tempC',
  from: number,
  to: number,
  use: (r: WeatherRecord) => boolean,
): number | undefined {
  // records are sorted; binary search the first that ends after `from`
  let lo = 0;
  let hi = records.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (records[mid]!.endMs <= from) lo = mid + 1;
    else hi = mid;
  }
  let s = 0;
  let w = 0;
  for (let i = lo; i < records.length && records[i]!.startMs < to; i++) {
    const r = records[i]!;
    const v = r[field];
    if (v === undefined || !use(r)) continue;
    const ov = Math.min(r.endMs, to) - Math.max(r.startMs, from);
    if (ov > 0) {
      s += v * ov;
      w += ov;
    }
  }
  return w >= (to - from) / 2 ? s / w : undefined;
}

export interface PvOptions {
  /** Days of history for calibration and the clear-sky index statistics. Default 30. */
  calibrationDays?: number;
  /** Weight of yesterday's index in the kc blend (rest: the window mean). Default 0.4. */
  persistenceWeight?: number;
}

interface Prepared {
  stepMs: number;
  issuedAtMs: number;
  startMs: number;
  /** daily clear-sky indices of the calibration window, oldest first (solar days) */
  dailyKc: number[];
  /** the site factor α */
  alpha: number;
  /** the array with the plane that fits the history best (weather mode), else as given */
  system: PvSystem;
}

/** Solar day boundary (local mean solar midnight) at or before `tsMs`, as UTC ms. */
function solarMidnightAtOrBefore(tsMs: number, longitudeDeg: number): number {
  const shift = (-longitudeDeg / 360) * DAY_MS;
  return Math.floor((tsMs - shift) / DAY_MS) * DAY_MS + shift;
}

interface Sample {
  t: number;
  y: number;
  ghi: number | undefined;
  tempC: number;
  day: number;
}

/**
 * Candidate planes for the orientation fit: the nameplate plane, flat, and tilts 15°/30°/45°
 * turned ±45° — the metadata of real sites is often wrong (or a "measurement" is modelled on a
 * different plane, as the reference site's is).
 */
function candidatePlanes(sys: PvSystem): PvSystem[] {
  const out: PvSystem[] = [sys, { ...sys, tiltDeg: 0 }];
  for (const tilt of [15, 30, 45])
    for (const dAz of [-45, 0, 45]) out.push({ ...sys, tiltDeg: tilt, azimuthDeg: (sys.azimuthDeg + dAz + 360) % 360 });
  return out;
}

function fitOf(sys: PvSystem, samples: readonly Sample[], stepMs: number): { alpha: number; sse: number } {
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (const s of samples) {
    const m = stepPower(sys, s.t, stepMs, s.ghi, s.tempC).powerW;
    if (m <= 0.02 * sys.peakPowerW) continue;
    sxy += s.y * m;
    sxx += m * m;
    syy += s.y * s.y;
  }
  return sxx > 0 ? { alpha: sxy / sxx, sse: syy - (sxy * sxy) / sxx } : { alpha: NaN, sse: Infinity };
}

function prepare(name: string, input: PvInput, issuedAt: Date, days: number, withWeather: boolean): Prepared {
  const issuedAtMs = issuedAt.getTime();
  const h = input.history;
  const stepMs = input.stepMs ?? h?.stepMs ?? QUARTER_HOUR_MS;
  const startMs = firstStepAtOrAfter(issuedAtMs, stepMs);
  const nominal = input.system;
  if (!(nominal.peakPowerW > 0)) throw new ForecastInputError(name, 'system.peakPowerW must be > 0');
  if (Math.abs(nominal.latitudeDeg) > 90 || Math.abs(nominal.longitudeDeg) > 180)
    throw new ForecastInputError(name, 'latitude/longitude out of range');
  // sunlit steps of the calibration window (only before issue), and days with missing values
  const samples: Sample[] = [];
  const incomplete = new Set<number>();
  if (h) {
    const lastMidnight = solarMidnightAtOrBefore(issuedAtMs, nominal.longitudeDeg);
    const past = (r: WeatherRecord) => r.endMs <= issuedAtMs;
    for (let d = days; d >= 1; d--) {
      const dayStart = lastMidnight - d * DAY_MS;
      for (let t = Math.ceil(dayStart / h.stepMs) * h.stepMs; t < dayStart + DAY_MS; t += h.stepMs) {
        if (stepPower(nominal, t, h.stepMs, undefined, DEFAULT_TEMP_C).clearSkyW <= 0) continue;
        const y = seriesAt(h, t);
        if (!Number.isFinite(y)) {
          incomplete.add(d);
          continue;
        }
        const tempC = (input.weather && weatherMean(input.weather, 'tempC', t, t + h.stepMs, past)) ?? DEFAULT_TEMP_C;
        const ghi = withWeather && input.weather ? weatherMean(input.weather, 'ghiWPerM2', t, t + h.stepMs, past) : undefined;
        samples.push({ t, y, ghi, tempC, day: d });
      }
    }
  }
  // weather mode: orientation and site factor by least squares on the observed weather
  let system = nominal;
  let alpha = NaN;
  const withGhi = samples.filter((s) => s.ghi !== undefined);
  if (withWeather && h && withGhi.length >= 50) {
    const base = fitOf(nominal, withGhi, h.stepMs);
    let best = { sys: nominal, ...base };
    for (const c of candidatePlanes(nominal).slice(1)) {
      const f = fitOf(c, withGhi, h.stepMs);
      if (f.sse < best.sse) best = { sys: c, ...f };
    }
    // keep the nameplate plane unless another one is clearly better (5 % less squared error)
    if (best.sys !== nominal && best.sse < 0.95 * base.sse) system = best.sys;
    alpha = system === nominal ? base.alpha : best.alpha;
  }
  // daily clear-sky indices (measured / modelled clear-sky power of the chosen plane)
  const dailyKc: number[] = [];
  const sums = new Map<number, { y: number; cs: number }>();
  for (const s of samples) {
    if (incomplete.has(s.day)) continue;
    const e = sums.get(s.day) ?? { y: 0, cs: 0 };
    e.y += s.y;
    e.cs += stepPower(system, s.t, h!.stepMs, undefined, s.tempC).clearSkyW;
    sums.set(s.day, e);
  }
  for (const d of [...sums.keys()].sort((a, b) => b - a)) {
    const e = sums.get(d)!;
    if (e.cs > 0) dailyKc.push(e.y / e.cs);
  }
  if (!Number.isFinite(alpha)) alpha = dailyKc.length > 0 ? Math.max(...dailyKc) : 0.8; // the clearest day ≈ kc 1
  alpha = Math.min(1.2, Math.max(0.2, alpha));
  return { stepMs, issuedAtMs, startMs, dailyKc, alpha, system };
}

function kcBand(dailyKc: readonly number[], scale: number): [number, number] {
  const s = dailyKc.map((k) => k / scale).sort((a, b) => a - b);
  return s.length >= 5 ? [quantileSorted(s, 0.1), quantileSorted(s, 0.9)] : [0.2, 1];
}

function makePv(name: string, mode: 'weather' | 'blend' | 'persistence', o: Required<PvOptions>): Forecaster<PvInput> {
  return {
    name,
    target: 'pv',
    forecast(input: PvInput, issuedAt: Date, horizonSteps: number): QuantileForecast {
      const p = prepare(name, input, issuedAt, o.calibrationDays, mode === 'weather');
      const sys = p.system;
      const lastKc = p.dailyKc.at(-1);
      if ((mode === 'persistence' || mode === 'blend') && lastKc === undefined)
        throw new ForecastInputError(name, 'needs at least one complete day of PV history before issuedAt');
      // daily indices relative to the calibrated clear-sky power α·Pcs (for weather mode α comes from weather)
      const scale = mode === 'persistence' ? 1 : p.alpha;
      const windowMean = p.dailyKc.reduce((a, b) => a + b, 0) / Math.max(1, p.dailyKc.length);
      const blendKc = lastKc === undefined ? 0.6 : (o.persistenceWeight * lastKc + (1 - o.persistenceWeight) * windowMean) / scale;
      const persistKc = (lastKc ?? 0.6) / scale;
      const [climLo, climHi] = kcBand(p.dailyKc, scale);
      const future = (r: WeatherRecord) => r.startMs >= p.issuedAtMs;
      const p10: number[] = [];
      const p50: number[] = [];
      const p90: number[] = [];
      for (let i = 0; i < horizonSteps; i++) {
        const t = p.startMs + i * p.stepMs;
        const tempC = (input.weather && weatherMean(input.weather, 'tempC', t, t + p.stepMs, future)) ?? DEFAULT_TEMP_C;
        const ghi = mode === 'weather' && input.weather ? weatherMean(input.weather, 'ghiWPerM2', t, t + p.stepMs, future) : undefined;
        const m = stepPower(sys, t, p.stepMs, ghi, tempC);
        const csW = scale * m.clearSkyW;
        if (csW <= 0) {
          p10.push(0);
          p50.push(0);
          p90.push(0);
          continue;
        }
        if (ghi !== undefined) {
          const v = p.alpha * m.powerW;
          const kc = v / csW;
          const sd = 0.08 + 0.22 * 4 * Math.min(1, kc) * Math.max(0, 1 - kc);
          p50.push(v);
          p10.push(Math.max(0, (kc - 1.2816 * sd) * csW));
          p90.push(Math.min(1.1 * csW, Math.max(v, (kc + 1.2816 * sd) * csW)));
        } else {
          const kc = mode === 'persistence' ? persistKc : blendKc;
          p50.push(kc * csW);
          p10.push(Math.min(kc, climLo) * csW);
          p90.push(Math.max(kc, climHi) * csW);
        }
      }
      return { target: 'pv', model: name, unit: 'W', issuedAtMs: p.issuedAtMs, startMs: p.startMs, stepMs: p.stepMs, p10, p50, p90 };
    },
  };
}

function opts(o: PvOptions): Required<PvOptions> {
  return { calibrationDays: o.calibrationDays ?? 30, persistenceWeight: o.persistenceWeight ?? 0.4 };
}

/** Physical model fed by the weather forecast, calibrated to measured history. */
export function clearSkyPv(o: PvOptions = {}): Forecaster<PvInput> {
  return makePv(CLEARSKY_PV, 'weather', opts(o));
}

/** No weather: clear-sky power × blend of yesterday's and the window's clear-sky index. */
export function kcBlendPv(o: PvOptions = {}): Forecaster<PvInput> {
  return makePv(KC_BLEND_PV, 'blend', opts(o));
}

/** Baseline: yesterday's daily clear-sky index × clear-sky power (smart persistence). */
export function smartPersistencePv(o: PvOptions = {}): Forecaster<PvInput> {
  return makePv(SMART_PERSISTENCE_PV, 'persistence', { ...opts(o), calibrationDays: Math.min(opts(o).calibrationDays, 30) });
}
