/**
 * Strategy variants (the bandit's arms) and the context vector they are chosen in. Pure.
 *
 * An arm is a combination of: the SoC reserve kept before the recurring peak (% of capacity), the
 * load-forecast quantile the planner plans with (0.5 = median, 0.9 = cautious), and the offset of
 * the peak target from the achievable level (fraction, −0.05 = 5 % lower).
 */
import { localParts } from '../tariffs/local-time.js';
import type { Arm } from './bandit.js';

const RESERVES_PCT = [10, 30, 50];
const QUANTILES = [0.5, 0.9];
const PEAK_OFFSETS = [-0.05, 0, 0.05];

/** 3 reserves × 2 quantiles × 3 peak-target offsets = 18 arms; ids like `r30-q90-p+5`. */
export const STRATEGY_ARMS: readonly Arm[] = RESERVES_PCT.flatMap((r) =>
  QUANTILES.flatMap((q) =>
    PEAK_OFFSETS.map((o) => ({
      id: `r${r}-q${Math.round(q * 100)}-p${o >= 0 ? '+' : '-'}${Math.round(Math.abs(o) * 100)}`,
      params: { reservePct: r, forecastQuantile: q, peakTargetOffset: o },
    })),
  ),
);

export const CONTEXT_NAMES = ['bias', 'workday', 'winter', 'priceSpread', 'forecastPeak'] as const;
export const CONTEXT_DIMS = CONTEXT_NAMES.length;

export interface StrategyContextInput {
  atMs: number;
  timeZone: string;
  /** max − min day-ahead price of the coming day, EUR/MWh */
  priceSpreadEurPerMWh: number;
  /** forecast peak import (or demand) of the coming day, W */
  forecastPeakW: number;
  /** the reference peak the forecast peak is divided by (billing peak or peak target), W */
  referencePeakW: number;
}

/**
 * The context vector: [1, workday (Mon–Fri = 1), winter (cos of the day of year: 1 mid-winter,
 * −1 mid-summer), price spread / 100 EUR/MWh, forecast peak / reference peak]. Every entry is
 * roughly in [−1, 2], so LinUCB's ridge treats them alike.
 */
export function strategyContext(c: StrategyContextInput): number[] {
  const p = localParts(c.atMs, c.timeZone);
  const workday = p.weekday === 'sat' || p.weekday === 'sun' ? 0 : 1;
  const dayOfYear = (Date.UTC(p.year, p.month - 1, p.day) - Date.UTC(p.year, 0, 1)) / 86_400_000;
  const winter = Math.cos((2 * Math.PI * (dayOfYear + 10)) / 365.25);
  const spread = Number.isFinite(c.priceSpreadEurPerMWh) ? c.priceSpreadEurPerMWh / 100 : 0;
  const peak = c.referencePeakW > 0 && Number.isFinite(c.forecastPeakW) ? c.forecastPeakW / c.referencePeakW : 0;
  return [1, workday, round(winter), round(spread), round(peak)];
}

const round = (x: number) => Math.round(x * 1e6) / 1e6;
