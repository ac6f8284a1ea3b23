/**
 * Where "now" falls in a replayed price year (pure): the demo's own mapping (same month and day,
 * moved to the same weekday, same UTC time of day; `demo/replay.ts`), and when the price file has
 * no price there (the shipped 2023 file misses 24 days, see demo/README.md), the same weekday one
 * or two weeks earlier or later.
 */
import { demoOffsetMs } from '../demo/replay.js';

const WEEK_MS = 7 * 86_400_000;

/** Offset in ms since Jan 1 00:00Z of `year`; `has(year, offsetMs)` says whether the file has a price there. */
export function demoPriceOffsetMs(year: number, tsMs: number, has: (year: number, offsetMs: number) => boolean): number {
  const offset = demoOffsetMs(year, tsMs);
  for (const w of [0, -1, 1, -2, 2]) {
    const o = offset + w * WEEK_MS;
    if (o >= 0 && has(year, o)) return o;
  }
  return offset;
}
