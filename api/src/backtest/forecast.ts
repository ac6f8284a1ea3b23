/**
 * What the MPC is told about the future. A ForecastProvider sees the site's true series only
 * through the rules it implements: the perfect provider returns the truth (a correctness check of
 * the MPC loop), the seasonal-naive provider only reads the past (and the day-ahead prices once
 * they are published). The forecasters of api/src/forecast plug in behind the same type.
 */
import { localParts } from '../tariffs/local-time.js';
import { STEP_MS } from '../optimiser/model.js';

export interface ForecastRequest {
  /** index of the first step of the horizon (= now: steps before it are history) */
  step: number;
  /** start of that step, UTC ms */
  nowMs: number;
  steps: number;
}

export interface SiteForecast {
  loadW: number[];
  pvW: number[];
  spotPriceEurPerMWh: number[];
}

export type ForecastProvider = (req: ForecastRequest) => SiteForecast;

export interface TrueSeries {
  startMs: number;
  loadW: readonly number[];
  pvW: readonly number[];
  spotPriceEurPerMWh: readonly number[];
  timeZone: string;
}

export function perfectForecast(site: TrueSeries): ForecastProvider {
  return ({ step, steps }) => ({
    loadW: site.loadW.slice(step, step + steps),
    pvW: site.pvW.slice(step, step + steps),
    spotPriceEurPerMWh: site.spotPriceEurPerMWh.slice(step, step + steps),
  });
}

const DAY = 96;
const WEEK = 7 * DAY;

/**
 * End (exclusive, step index) of the day-ahead prices known at `nowMs`: the auction result for
 * tomorrow is published around 12:45 local time; from 13:00 the plan knows prices to the end of
 * tomorrow, before that to the end of today.
 */
export function knownPricesEnd(site: Pick<TrueSeries, 'startMs' | 'timeZone'>, nowMs: number): number {
  const local = localParts(nowMs, site.timeZone);
  const midnightMs = nowMs - local.minuteOfDay * 60_000; // today's local midnight (±1 h on a DST day)
  const days = local.hour >= 13 ? 2 : 1;
  const endMs = midnightMs + days * 86_400_000;
  return Math.round((endMs - site.startMs) / STEP_MS);
}

export interface NaiveOptions {
  /** weeks of load history per quarter (default 1: plain weekly seasonal naive) */
  loadWeeks?: number;
  /** how those weeks are combined: 'mean' (default) or 'max' (a conservative upper envelope that protects the peak) */
  loadStat?: 'mean' | 'max';
  /** days of PV history per quarter (default 3) */
  pvDays?: number;
  /** 'mean' (default) or 'min' (conservative) */
  pvStat?: 'mean' | 'min';
  /**
   * level correction: the ratio of the actual load of the last `levelSteps` steps to what the
   * same rule would have forecast for them scales the forecast, fading out with `levelDecaySteps`
   * (a working day after a quiet reference week is seen within the first hours). 0 = off (default).
   */
  levelSteps?: number;
  levelDecaySteps?: number;
}

/**
 * Seasonal-naive forecasts, only from the past:
 * - load: the same quarter one week earlier (or the mean/max of the last `loadWeeks` weeks; the
 *   latest observed value while less than a week is known);
 * - PV: the mean (or min) of the same quarter on the last `pvDays` observed days (persistence of
 *   the recent days; no weather forecast exists in the reference data);
 * - prices: the published day-ahead prices; beyond them the last known day repeated.
 */
export function seasonalNaiveForecast(site: TrueSeries, opts: NaiveOptions = {}): ForecastProvider {
  const weeks = opts.loadWeeks ?? 1;
  const days = opts.pvDays ?? 3;
  const combine = (xs: number[], stat: 'mean' | 'max' | 'min') =>
    stat === 'max' ? Math.max(...xs) : stat === 'min' ? Math.min(...xs) : xs.reduce((a, v) => a + v, 0) / xs.length;
  const loadRule = (j: number, now: number): number | null => {
    let lj = j - WEEK;
    while (lj >= now) lj -= WEEK;
    const lv: number[] = [];
    for (let w = 0; w < weeks && lj - w * WEEK >= 0; w++) lv.push(site.loadW[lj - w * WEEK]!);
    return lv.length > 0 ? combine(lv, opts.loadStat ?? 'mean') : null;
  };
  return ({ step, nowMs, steps }) => {
    let level = 1;
    const ls = opts.levelSteps ?? 0;
    if (ls > 0 && step >= ls) {
      let actual = 0;
      let predicted = 0;
      for (let j = step - ls; j < step; j++) {
        const p = loadRule(j, step - ls);
        if (p === null) break;
        actual += site.loadW[j]!;
        predicted += p;
      }
      if (predicted > 0) level = Math.max(0.5, Math.min(2, actual / predicted));
    }
    const decay = opts.levelDecaySteps ?? 32;
    const loadW: number[] = [];
    const pvW: number[] = [];
    const spot: number[] = [];
    const known = knownPricesEnd(site, nowMs);
    for (let k = 0; k < steps; k++) {
      const j = step + k;
      const l = loadRule(j, step);
      const factor = 1 + (level - 1) * Math.exp(-k / decay);
      loadW.push(l !== null ? l * factor : step > 0 ? site.loadW[step - 1]! : 0);
      let pj = j - DAY;
      while (pj >= step) pj -= DAY;
      const pv: number[] = [];
      for (let d = 0; d < days && pj - d * DAY >= 0; d++) pv.push(site.pvW[pj - d * DAY]!);
      pvW.push(pv.length > 0 ? combine(pv, opts.pvStat ?? 'mean') : 0);
      let sj = j;
      while (sj >= known) sj -= DAY;
      spot.push(site.spotPriceEurPerMWh[Math.max(0, sj)]!);
    }
    return { loadW, pvW, spotPriceEurPerMWh: spot };
  };
}
