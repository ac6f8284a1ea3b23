import { describe, expect, it } from 'vitest';
import { findGaps, gapDurationMs, parseIsoInstantMs, rateAt, resample, type Rate } from './timeaxis.js';

const T0 = Date.UTC(2025, 9, 30, 23); // 2025-10-30T23:00Z
const MIN = 60_000;
/** Rates of `stepMin` minutes from T0 with the given values. */
const rates = (stepMin: number, values: number[], fromMs = T0): Rate[] =>
  values.map((value, i) => ({ startMs: fromMs + i * stepMin * MIN, endMs: fromMs + (i + 1) * stepMin * MIN, value }));

describe('rateAt', () => {
  const r = rates(60, [10, 20, 30]);
  it.each([
    ['before the first rate', T0 - 1, undefined],
    ['at the first start (inclusive)', T0, 10],
    ['one ms before the end of the first rate', T0 + 60 * MIN - 1, 10],
    ['at a boundary: the later rate (half-open)', T0 + 60 * MIN, 20],
    ['inside the last rate', T0 + 150 * MIN, 30],
    ['at the end of the last rate (exclusive)', T0 + 180 * MIN, undefined],
  ])('%s', (_name, ts, expected) => {
    expect(rateAt(r, ts)?.value).toBe(expected);
  });
});

describe('resample', () => {
  it.each([
    ['hourly → 15 min repeats each hour 4 times', rates(60, [10, 20]), 15, rates(15, [10, 10, 10, 10, 20, 20, 20, 20])],
    ['15 min → hourly is the mean', rates(15, [1, 2, 3, 6, 10, 10, 10, 10]), 60, rates(60, [3, 10])],
    ['30 min → hourly is the mean', rates(30, [4, 8]), 60, rates(60, [6])],
    ['incomplete hour is dropped', rates(15, [1, 2, 3]), 60, []],
    ['same step is identity', rates(15, [1, 2]), 15, rates(15, [1, 2])],
  ])('%s', (_name, input, stepMin, expected) => {
    expect(resample(input, stepMin * MIN)).toEqual(expected);
  });

  it('time-weighted: a 30 min and two 15 min rates in one hour', () => {
    const mixed: Rate[] = [
      { startMs: T0, endMs: T0 + 30 * MIN, value: 100 },
      { startMs: T0 + 30 * MIN, endMs: T0 + 45 * MIN, value: 0 },
      { startMs: T0 + 45 * MIN, endMs: T0 + 60 * MIN, value: 40 },
    ];
    expect(resample(mixed, 60 * MIN)).toEqual(rates(60, [60]));
  });

  it('allowPartial averages over the covered part', () => {
    expect(resample(rates(15, [1, 2, 3]), 60 * MIN, { allowPartial: true })).toEqual([{ startMs: T0, endMs: T0 + 60 * MIN, value: 2 }]);
  });
});

describe('findGaps', () => {
  const withHole = [...rates(60, [1, 2]), ...rates(60, [5], T0 + 4 * 60 * MIN)];
  it.each([
    ['contiguous rates have no gap', rates(60, [1, 2, 3]), {}, []],
    ['a two-hour hole', withHole, {}, [{ startMs: T0 + 120 * MIN, endMs: T0 + 240 * MIN }]],
    [
      'window ends after the data (tomorrow not published)',
      rates(60, [1]),
      { fromMs: T0, toMs: T0 + 180 * MIN },
      [{ startMs: T0 + 60 * MIN, endMs: T0 + 180 * MIN }],
    ],
    ['window starts before the data', rates(60, [1], T0 + 60 * MIN), { fromMs: T0 }, [{ startMs: T0, endMs: T0 + 60 * MIN }]],
  ])('%s', (_name, input, window, expected) => {
    expect(findGaps(input, window)).toEqual(expected);
    expect(gapDurationMs(findGaps(input, window))).toBe(expected.reduce((s, g) => s + g.endMs - g.startMs, 0));
  });
});

describe('parseIsoInstantMs', () => {
  it.each([
    ['ENTSO-E style without seconds', '2025-10-30T23:00Z', T0],
    ['with seconds and Z', '2025-10-30T23:00:00Z', T0],
    ['CET offset', '2025-10-31T00:00:00+01:00', T0],
    ['Tibber style with millis and CEST', '2025-05-18T13:00:00.000+02:00', Date.UTC(2025, 4, 18, 11)],
    ['compact offset', '2025-10-31T00:00+0100', T0],
    ['no offset is ambiguous → rejected', '2025-10-26T02:30:00', undefined],
    ['impossible date', '2025-02-30T00:00Z', undefined],
    ['not a date', 'yesterday', undefined],
  ])('%s', (_name, text, expected) => {
    expect(parseIsoInstantMs(text)).toBe(expected);
  });
});
