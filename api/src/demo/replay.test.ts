/** The demo replay's pure core, with exact values from the shipped demo/musterwerk-2023.csv. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEMO_DATA_FILE } from '../config/schema.js';
import { backfillPoints, demoOffsetMs, parseDemoCsv, powersAt, SLOT_MS } from './replay.js';

const demo = parseDemoCsv(readFileSync(DEMO_DATA_FILE, 'utf8'));
const ms = (iso: string) => Date.parse(iso);
const H = 3_600_000;
const D = 24 * H;

describe('the demo file', () => {
  it('holds one whole year 2023 at 15 minutes', () => {
    expect(demo.year).toBe(2023);
    expect(demo.loadKw.length).toBe(365 * 96);
    expect(demo.pvKw.length).toBe(365 * 96);
  });
});

describe('demoOffsetMs maps now onto the same month, day and time of day of the demo year (2034 has the calendar of 2023)', () => {
  it.each([
    ['the year start', '2034-01-01T00:00:00Z', 0],
    ['a slot start', '2034-06-21T11:00:00Z', 171 * D + 11 * H],
    ['inside a slot', '2034-06-21T11:05:00Z', 171 * D + 11 * H + 5 * 60_000],
    ['a Sunday goes to the nearest Sunday (18 June 2023)', '2026-06-21T11:00:00Z', 168 * D + 11 * H],
    ['a Friday in November goes to Friday 24 November 2023', '2026-11-27T09:06:00Z', 327 * D + 9.1 * H],
    ['March 1 of a leap year, a Friday → Friday 3 March', '2024-03-01T00:00:00Z', 61 * D],
    ['Feb 29 → Feb 28, then the nearest Thursday (2 March)', '2024-02-29T06:00:00Z', 60 * D + 6 * H],
    ['moved past the year end, wrapped by 52 weeks (Tuesday 3 January)', '2024-12-31T23:45:00Z', 2 * D + 23.75 * H],
    ['a past year, a Monday → Monday 3 July', '2019-07-01T10:00:00Z', 183 * D + 10 * H],
  ])('%s (%s)', (_name, iso, expected) => {
    expect(demoOffsetMs(2023, ms(iso))).toBe(expected);
  });
});

describe('powersAt interpolates linearly between the 15-minute points', () => {
  it.each([
    // 2023-06-21T11:00Z load 623.3 kW, PV 224.5 kW
    ['on a point', '2034-06-21T11:00:00Z', { loadW: 623_300, pvW: 224_500, gridW: 398_800 }],
    // a third of the way to 11:15 (load 600.1, PV 255.2)
    ['a third into a slot', '2034-06-21T11:05:00Z', { loadW: 615_566.7, pvW: 234_733.3, gridW: 380_833.4 }],
    // 2023-02-28 12:00 (602.3 / 77.5) → 12:15 (602.5 / 75.5), half-way
    ['Feb 29 uses Feb 28', '2028-02-29T12:07:30Z', { loadW: 602_400, pvW: 76_500, gridW: 525_900 }],
    // 2023-12-31T23:45Z (76.9 / 0) → wraps to 2023-01-01T00:00Z (80.5 / 0)
    ['across the year end', '2034-12-31T23:52:30Z', { loadW: 78_700, pvW: 0, gridW: 78_700 }],
    ['New Year', '2034-01-01T00:00:00Z', { loadW: 80_500, pvW: 0, gridW: 80_500 }],
    // 2023-11-27 09:00 (526.9 / 66.6) → 09:15 (545.9 / 72.4), two fifths
    ['a winter morning', '2034-11-27T09:06:00Z', { loadW: 534_500, pvW: 68_920, gridW: 465_580 }],
  ])('%s (%s)', (_name, iso, expected) => {
    expect(powersAt(demo, ms(iso))).toEqual(expected);
  });
});

describe('backfillPoints', () => {
  const now = ms('2034-06-21T11:07:00Z');
  const points = backfillPoints(demo, now, 7);

  it('gives 7 × 96 points on the 15-minute grid, oldest first, ending at the slot of now', () => {
    expect(points.length).toBe(7 * 96);
    expect(points[0]!.tsMs).toBe(ms('2034-06-14T11:15:00Z'));
    expect(points.at(-1)).toEqual({ tsMs: ms('2034-06-21T11:00:00Z'), loadW: 623_300, pvW: 224_500, gridW: 398_800 });
    points.forEach((p, i) => expect(p.tsMs).toBe(points[0]!.tsMs + i * SLOT_MS));
  });

  it('keeps the energy balance grid = load − PV at every point', () => {
    for (const p of points) expect(p.gridW).toBeCloseTo(p.loadW - p.pvW, 6);
  });

  it('is the same for any now inside the same slot (restarts are idempotent)', () => {
    expect(backfillPoints(demo, ms('2034-06-21T11:14:59.999Z'), 7)).toEqual(points);
  });
});

describe('parseDemoCsv refuses files it cannot replay', () => {
  const good = readFileSync(DEMO_DATA_FILE, 'utf8').trim().split('\n');
  it.each([
    ['a wrong header', ['ts,load,pv', ...good.slice(1)], /header/],
    ['a missing row', [...good.slice(0, 100), ...good.slice(101)], /expected 35040 rows/],
    ['a start other than Jan 1', [good[0]!, ...good.slice(2), '2024-01-01T00:00:00Z,1,1'], /Jan 1/],
    ['an empty value', [...good.slice(0, 5), '2023-01-01T01:00:00Z,,0.0', ...good.slice(6)], /line 6/],
  ])('%s', (_name, lines, message) => {
    expect(() => parseDemoCsv(lines.join('\n'))).toThrow(message);
  });
});
