/**
 * Forecasts — the stable public types every forecaster, the forecast service (scheduling,
 * storage) and the optimiser code against. Pure: no I/O, no clock; `issuedAt` is passed in.
 *
 * Time axis: the repo's one convention (`Rate` in `markets/timeaxis.ts`): UTC epoch ms, half-open
 * steps `[startMs + i·stepMs, startMs + (i+1)·stepMs)`. A forecast is a regular grid; `toRates`
 * turns one quantile into `Rate[]`.
 *
 * Values: load and PV as the MEAN POWER over each step in W (energy per step = W × stepMs/3.6e6 Wh),
 * prices in EUR/MWh.
 */
import type { Rate } from '../markets/timeaxis.js';
import type { WeatherRecord } from '../weather/model.js';
import type { GermanState } from '../calendar/holidays.js';

export type ForecastTarget = 'load' | 'pv' | 'price';

export type ForecastUnit = 'W' | 'EUR/MWh';

/** A probabilistic forecast on a regular UTC grid. p10 ≤ p50 ≤ p90 at every step. */
export interface QuantileForecast {
  target: ForecastTarget;
  /** Model name, e.g. `load.profile`, `load.seasonal-naive-weekly`, `pv.clearsky-poa`, `price.profile`. */
  model: string;
  unit: ForecastUnit;
  /** When the forecast was made (only data before this instant was used), UTC epoch ms. */
  issuedAtMs: number;
  /** Start of the first step, UTC epoch ms: the first multiple of `stepMs` at or after `issuedAtMs`. */
  startMs: number;
  /** Step length in ms (900 000 = 15 min, 3 600 000 = 1 h). */
  stepMs: number;
  /** 10 % quantile per step (mean power in W, or EUR/MWh). */
  p10: number[];
  /** Median per step. */
  p50: number[];
  /** 90 % quantile per step. */
  p90: number[];
}

export type Quantile = 'p10' | 'p50' | 'p90';

/**
 * A regularly sampled series on the UTC grid: `values[i]` holds for
 * `[startMs + i·stepMs, startMs + (i+1)·stepMs)`. NaN marks a missing value.
 * For power: mean power over the step in W. For temperature: °C.
 */
export interface RegularSeries {
  startMs: number;
  stepMs: number;
  values: readonly number[];
}

/** Where the site is, for calendars (day types, holidays) and local time. */
export interface SiteCalendar {
  /** IANA zone, e.g. `Europe/Berlin`; day types are taken in local time. */
  timeZone: string;
  /** German state for public holidays (`BY`, `NW`, …); `DE` = nationwide holidays only; absent = no holidays. */
  state?: GermanState | 'DE';
  /**
   * Site-specific non-working local dates `YYYY-MM-DD` (company holidays, plant shutdowns, or the
   * public holidays of another country), treated like public holidays.
   */
  offDays?: readonly string[];
}

/**
 * Load forecaster input. Forecasters IGNORE everything in `history` at or after `issuedAt`
 * (so callers may pass a whole series; no look-ahead is possible). `temperatureC` may run past
 * `issuedAt`: those values are taken as the temperature FORECAST available at issue time.
 */
export interface LoadInput {
  /** Measured mean power in W; its `stepMs` is the forecast's step. */
  history: RegularSeries;
  /** Air temperature in °C (observed before `issuedAt`, forecast after), any step (resampled). */
  temperatureC?: RegularSeries;
  calendar: SiteCalendar;
}

/** A PV array. */
export interface PvSystem {
  latitudeDeg: number;
  longitudeDeg: number;
  /** Module tilt from horizontal, degrees (0 = flat). */
  tiltDeg: number;
  /** Module azimuth, degrees clockwise from north (180 = south). */
  azimuthDeg: number;
  /** Nameplate DC power (kWp × 1000), W. */
  peakPowerW: number;
  /** Ground reflectance; default 0.2. */
  albedo?: number;
}

/**
 * PV forecaster input. `history` (measured mean AC power in W) is used only before `issuedAt`
 * (calibration, persistence). `weather` records starting at or after `issuedAt` are the weather
 * FORECAST as known at issue time (GHI and/or cloud cover, temperature); records before it are
 * observations. With no forecast weather, forecasters fall back to persistence/climatology.
 */
export interface PvInput {
  history?: RegularSeries;
  weather?: readonly WeatherRecord[];
  system: PvSystem;
  /** Step of the forecast grid in ms; default `history.stepMs`, else 15 min. */
  stepMs?: number;
}

/**
 * Price forecaster input. `known` are the published prices (EUR/MWh, sorted, any resolution):
 * the history and, when already published, tomorrow's day-ahead auction. Published prices at
 * or after `issuedAt` are copied into the forecast with p10 = p50 = p90; the rest is modelled.
 * Forecasters ignore rates with `startMs` past `publishedUntilMs` (default: all rates known).
 */
export interface PriceInput {
  known: readonly Rate[];
  /** End of what was published at issue time (UTC ms); rates after it are ignored. */
  publishedUntilMs?: number;
  calendar: SiteCalendar;
  /** Step of the forecast grid in ms; default 15 min. */
  stepMs?: number;
}

/** One interface for every model. Pure: same input and `issuedAt` → same forecast. */
export interface Forecaster<I> {
  /** Stable model name, also in `QuantileForecast.model`. */
  readonly name: string;
  readonly target: ForecastTarget;
  /**
   * Forecast `horizonSteps` steps from the first step boundary at or after `issuedAt`.
   * Uses only information before `issuedAt` (plus forecasts of exogenous inputs as described on
   * the input type). Throws `ForecastInputError` when the input cannot support a forecast.
   */
  forecast(input: I, issuedAt: Date, horizonSteps: number): QuantileForecast;
}

/** Input that cannot support a forecast (too little history, bad step, …); retrying will not help. */
export class ForecastInputError extends Error {
  readonly retryable = false;
  constructor(
    readonly model: string,
    message: string,
  ) {
    super(`${model}: ${message}`);
    this.name = 'ForecastInputError';
  }
}

export const QUARTER_HOUR_MS = 900_000;
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

/** First multiple of `stepMs` (UTC epoch grid) at or after `tsMs`. */
export function firstStepAtOrAfter(tsMs: number, stepMs: number): number {
  return Math.ceil(tsMs / stepMs) * stepMs;
}

/** One quantile of a forecast on the shared time axis. */
export function toRates(fc: QuantileForecast, q: Quantile = 'p50'): Rate[] {
  return fc[q].map((value, i) => ({ startMs: fc.startMs + i * fc.stepMs, endMs: fc.startMs + (i + 1) * fc.stepMs, value }));
}

/** Start instants of the steps of a forecast. */
export function stepStarts(fc: Pick<QuantileForecast, 'startMs' | 'stepMs' | 'p50'>): number[] {
  return fc.p50.map((_, i) => fc.startMs + i * fc.stepMs);
}

/** The steps of `fc` inside `[fromMs, toMs)` as a new forecast (e.g. "tomorrow 00–24 local"). */
export function sliceForecast(fc: QuantileForecast, fromMs: number, toMs: number): QuantileForecast {
  const i0 = Math.max(0, Math.ceil((fromMs - fc.startMs) / fc.stepMs));
  const i1 = Math.min(fc.p50.length, Math.floor((toMs - fc.startMs) / fc.stepMs));
  const n = Math.max(0, i1 - i0);
  return {
    ...fc,
    startMs: fc.startMs + i0 * fc.stepMs,
    p10: fc.p10.slice(i0, i0 + n),
    p50: fc.p50.slice(i0, i0 + n),
    p90: fc.p90.slice(i0, i0 + n),
  };
}

/** Value of a regular series at `tsMs` (NaN outside or missing). */
export function seriesAt(s: RegularSeries, tsMs: number): number {
  const i = Math.floor((tsMs - s.startMs) / s.stepMs);
  if (i < 0 || i >= s.values.length) return NaN;
  return s.values[i]!;
}

/** Sort each step's three values so that p10 ≤ p50 ≤ p90 (no quantile crossing). */
export function orderQuantiles(p10: number[], p50: number[], p90: number[]): void {
  for (let i = 0; i < p50.length; i++) {
    const a = [p10[i]!, p50[i]!, p90[i]!].sort((x, y) => x - y);
    p10[i] = a[0]!;
    p50[i] = a[1]!;
    p90[i] = a[2]!;
  }
}
