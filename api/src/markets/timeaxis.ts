/**
 * The one time-axis value type of the market layer (and meant for forecasts, plans and schedules
 * too). All instants are UTC epoch milliseconds; every interval is half-open `[startMs, endMs)`.
 * Local time exists only at the edges (parsing input, rendering output).
 */
import { MarketParseError } from './errors.js';

/** A value that holds from `startMs` (inclusive) to `endMs` (exclusive), UTC epoch ms. */
export interface Rate {
  startMs: number;
  endMs: number;
  value: number;
}

/** Wholesale price curve: `rates[].value` is a price in EUR/MWh, rates sorted and non-overlapping. */
export interface PriceCurve {
  /** Bidding zone, e.g. `DE-LU`, `CH` (unknown ENTSO-E EIC codes are kept as they are). */
  zone: string;
  currency: 'EUR';
  unit: 'EUR/MWh';
  /** Market time unit of the rates, ms (900 000 = 15 min, 3 600 000 = 1 h). */
  resolutionMs: number;
  rates: Rate[];
  /** Where the curve came from, e.g. `entsoe:A44`, `awattar`, `csv`. */
  source: string;
  publishedAtMs?: number;
}

/** A stretch of the axis that no rate covers, half-open. */
export interface Gap {
  startMs: number;
  endMs: number;
}

export const MINUTE_MS = 60_000;
export const HOUR_MS = 60 * MINUTE_MS;

/** Sorted copy (by start); does not merge or validate. */
export function sortRates(rates: readonly Rate[]): Rate[] {
  return [...rates].sort((a, b) => a.startMs - b.startMs);
}

/**
 * The rate whose interval contains `tsMs`, or undefined. `rates` must be sorted by start and
 * non-overlapping (what every parser here returns); binary search.
 */
export function rateAt(rates: readonly Rate[], tsMs: number): Rate | undefined {
  let lo = 0;
  let hi = rates.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const r = rates[mid]!;
    if (tsMs < r.startMs) hi = mid - 1;
    else if (tsMs >= r.endMs) lo = mid + 1;
    else return r;
  }
  return undefined;
}

/**
 * Resample onto a grid of `stepMs` aligned to the UTC epoch (15 min and 1 h grids line up with
 * every European market time unit, also across DST changes, because the grid is UTC).
 *
 * Each grid cell gets the time-weighted mean of the rates overlapping it, so a coarser input is
 * repeated (1 h → 15 min) and a finer input is averaged (15 min → 1 h). A cell that is not fully
 * covered is left out (it shows up in `findGaps`), unless `allowPartial` is set, in which case
 * its value is the mean over the covered part.
 */
export function resample(rates: readonly Rate[], stepMs: number, opts: { allowPartial?: boolean } = {}): Rate[] {
  if (!Number.isInteger(stepMs) || stepMs <= 0) throw new RangeError(`resample: stepMs must be a positive integer, got ${stepMs}`);
  const sorted = sortRates(rates);
  const out: Rate[] = [];
  let i = 0;
  for (const first of sorted) {
    // cells are visited in order; skip cells already emitted
    let cell = Math.floor(first.startMs / stepMs) * stepMs;
    const last = out[out.length - 1];
    if (last !== undefined && cell < last.endMs) cell = last.endMs;
    for (; cell < first.endMs; cell += stepMs) {
      const cellEnd = cell + stepMs;
      let weighted = 0;
      let coveredMs = 0;
      while (i < sorted.length && sorted[i]!.endMs <= cell) i++;
      for (let j = i; j < sorted.length && sorted[j]!.startMs < cellEnd; j++) {
        const r = sorted[j]!;
        const overlap = Math.min(r.endMs, cellEnd) - Math.max(r.startMs, cell);
        if (overlap > 0) {
          weighted += r.value * overlap;
          coveredMs += overlap;
        }
      }
      if (coveredMs === stepMs || (opts.allowPartial === true && coveredMs > 0)) {
        out.push({ startMs: cell, endMs: cellEnd, value: weighted / coveredMs });
      } else if (coveredMs > stepMs) {
        throw new RangeError(`resample: overlapping rates around ${new Date(cell).toISOString()}`);
      }
    }
  }
  return out;
}

/**
 * Stretches not covered by any rate. With `fromMs`/`toMs`, uncovered stretches at the ends of
 * that window count too (e.g. "tomorrow is not published yet").
 */
export function findGaps(rates: readonly Rate[], window: { fromMs?: number; toMs?: number } = {}): Gap[] {
  const sorted = sortRates(rates);
  const gaps: Gap[] = [];
  let coveredUntil = window.fromMs ?? sorted[0]?.startMs ?? 0;
  for (const r of sorted) {
    if (window.toMs !== undefined && r.startMs >= window.toMs) break;
    if (r.startMs > coveredUntil) gaps.push({ startMs: coveredUntil, endMs: r.startMs });
    coveredUntil = Math.max(coveredUntil, r.endMs);
  }
  if (window.toMs !== undefined && coveredUntil < window.toMs) gaps.push({ startMs: coveredUntil, endMs: window.toMs });
  return gaps;
}

/** Sum of gap lengths in ms. */
export function gapDurationMs(gaps: readonly Gap[]): number {
  return gaps.reduce((sum, g) => sum + (g.endMs - g.startMs), 0);
}

const ISO_INSTANT = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})$/;

/**
 * Parse an ISO 8601 instant that carries its offset (`Z`, `+01:00`, `+0100`); seconds and
 * fractions optional (ENTSO-E writes `2025-10-30T23:00Z`). A local time without an offset is
 * ambiguous on DST days and returns undefined, as does anything else that is not a real instant.
 */
export function parseIsoInstantMs(text: string): number | undefined {
  const m = ISO_INSTANT.exec(text.trim());
  if (m === null) return undefined;
  const [, y, mo, d, h, mi, s, frac, off] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = s === undefined ? 0 : Number(s);
  const ms = frac === undefined ? 0 : Math.floor(Number(`0.${frac}`) * 1000);
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return undefined;
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (day > daysInMonth) return undefined;
  let offsetMin = 0;
  if (off !== 'Z') {
    const sign = off!.startsWith('-') ? -1 : 1;
    const digits = off!.slice(1).replace(':', '');
    const oh = Number(digits.slice(0, 2));
    const om = Number(digits.slice(2, 4));
    if (oh > 14 || om > 59) return undefined;
    offsetMin = sign * (oh * 60 + om);
  }
  return Date.UTC(year, month - 1, day, hour, minute, second, ms) - offsetMin * MINUTE_MS;
}

/** Like `parseIsoInstantMs` but throws a `MarketParseError` naming where the bad text was. */
export function requireIsoInstantMs(
  text: string,
  format: MarketParseError['format'],
  where: ConstructorParameters<typeof MarketParseError>[2] = {},
): number {
  const ms = parseIsoInstantMs(text);
  if (ms === undefined) throw new MarketParseError(format, `not an ISO 8601 instant with offset: "${text}"`, where);
  return ms;
}
