import { describe, expect, it } from 'vitest';
import { buildBaseline } from './baseline.js';
import { detectAnomalies, type Point } from './detect.js';
import { localClock } from './localtime.js';
import { optionsForSeries, findingToEvent } from './scan.js';

const Q = 900_000;
const ms = (s: string) => Date.parse(s);

describe('localClock', () => {
  const berlin = localClock('Europe/Berlin');
  it.each([
    ['2024-03-31T00:59:00Z', '2024-03-31', 0, 1 * 3_600_000 + 59 * 60_000, 3_600_000], // CET 01:59 Sunday
    ['2024-03-31T01:00:00Z', '2024-03-31', 0, 3 * 3_600_000, 7_200_000], // CEST 03:00
    ['2024-10-27T00:30:00Z', '2024-10-27', 0, 2.5 * 3_600_000, 7_200_000], // first 02:30
    ['2024-10-27T01:30:00Z', '2024-10-27', 0, 2.5 * 3_600_000, 3_600_000], // second 02:30
    ['2024-12-31T23:30:00Z', '2025-01-01', 3, 0.5 * 3_600_000, 3_600_000], // New Year, Wednesday
  ])('%s is %s (weekday %i) at %i ms of the day', (iso, date, weekday, msOfDay, offset) => {
    const t = berlin.at(ms(iso));
    expect(t).toMatchObject({ date, weekday, msOfDay });
    expect(berlin.offsetMs(ms(iso))).toBe(offset);
  });
  it('an unknown zone is a RangeError', () => {
    expect(() => localClock('Mars/Olympus')).toThrow(RangeError);
  });
});

describe('buildBaseline', () => {
  // 3 weeks, 15 min, value = day index; Wednesday 2024-01-03 is declared a holiday
  const from = ms('2024-01-01T00:00:00Z');
  const points: Point[] = Array.from({ length: 21 * 96 }, (_, i) => ({ tsMs: from + i * Q, value: Math.floor(i / 96) }));
  it('weekday types: the same weekday of earlier weeks, newest first; a holiday is a Sunday', () => {
    const b = buildBaseline(points, { intervalMs: Q, timeZone: 'UTC', baselineWeeks: 2, isHoliday: (d) => d === '2024-01-03' });
    const mon3 = 14 * 96; // Monday of week 3
    expect([...b.refs[mon3]!]).toEqual([7, 0]);
    const sun2 = 13 * 96; // Sunday of week 2: the previous "Sunday type" days are the holiday (day 2) and Sunday day 6
    expect([...b.refs[sun2]!]).toEqual([6, 2]);
    expect(b.holiday[2 * 96]).toBe(1);
  });
  it('workday types: Monday–Friday pool together, so Friday compares with Thursday first', () => {
    const b = buildBaseline(points, { intervalMs: Q, timeZone: 'UTC', baselineWeeks: 3, dayTypes: 'workday' });
    expect([...b.refs[4 * 96]!]).toEqual([3, 2, 1]);
  });
});

describe('buildBaseline: unlisted low working days (lowDayRatio)', () => {
  // 5 weeks, Mon–Fri 10, weekends 2; the whole third week is a school holiday at 3
  const from = ms('2024-01-01T00:00:00Z');
  const points: Point[] = Array.from({ length: 35 * 96 }, (_, i) => {
    const d = Math.floor(i / 96);
    const weekend = d % 7 >= 5;
    return { tsMs: from + i * Q, value: weekend ? 2 : d >= 14 && d < 19 ? 3 : 10 };
  });
  const mondayWeek4 = 21 * 96 + 40;
  it('off: the Monday after the holiday week is compared with the holiday', () => {
    const b = buildBaseline(points, { intervalMs: Q, timeZone: 'UTC', baselineWeeks: 4, dayTypes: 'workday' });
    expect([...b.refs[mondayWeek4]!]).toEqual([3, 3, 3, 3]);
  });
  it('0.7: the holiday week is skipped, the references are the normal working days before it', () => {
    const b = buildBaseline(points, { intervalMs: Q, timeZone: 'UTC', baselineWeeks: 4, dayTypes: 'workday', lowDayRatio: 0.7 });
    expect([...b.refs[mondayWeek4]!]).toEqual([10, 10, 10, 10]);
  });
});

describe('flatline plausibility (flatlineMaxChance)', () => {
  // 4 weeks of a coarsely quantised meter: at night (00–06) it repeats 5.0 kW, by day it moves
  const from = ms('2024-01-01T00:00:00Z');
  const points: Point[] = Array.from({ length: 28 * 96 }, (_, i) => {
    const slot = i % 96;
    return { tsMs: from + i * Q, value: slot < 24 ? 5 : 20 + 3 * Math.sin(i * 0.7) + (i % 5) };
  });
  // days without reference days of their type (the first week) are judged by duration alone
  const judged = (f: { kind: string; startMs: number }) => f.kind === 'flatline' && f.startMs >= from + 14 * 86_400_000;
  it('a 6 h run at night, where the meter always repeats itself, is not reported once there are reference days', () => {
    const all = detectAnomalies(points, { flatlineMinMs: 3 * 3_600_000 }).filter((f) => f.kind === 'flatline');
    expect(all.length).toBeGreaterThan(0); // first week: no references yet
    expect(all.filter(judged)).toEqual([]);
  });
  it('the same meter stuck for 3 h by day is reported', () => {
    const stuckFrom = 27 * 96 + 40;
    const faulty = points.map((p, i) => (i >= stuckFrom && i < stuckFrom + 12 ? { ...p, value: points[stuckFrom]!.value } : p));
    const flat = detectAnomalies(faulty, { flatlineMinMs: 3 * 3_600_000 }).filter(judged);
    expect(flat.map((f) => f.startMs)).toEqual([points[stuckFrom]!.tsMs]);
  });
});

describe('scan options per series', () => {
  it('grid and battery series may be negative; PV may sit at 0; Berlin sites get the German holidays', () => {
    expect(optionsForSeries('grid/power', 'Europe/Berlin', 'DE')).toMatchObject({ importOnly: false, allowZeroRuns: false });
    expect(optionsForSeries('pv/power', 'Europe/Berlin', 'BY')).toMatchObject({ importOnly: true, allowZeroRuns: true });
    expect(optionsForSeries('load/power', 'Europe/Berlin', 'DE').isHoliday?.('2024-12-25')).toBe(true);
    expect(optionsForSeries('load/power', 'Europe/London', 'DE').isHoliday).toBeUndefined();
  });
  it('an event carries the series key and a de-duplication key of kind, series and start', () => {
    const e = findingToEvent('werk', 7, 'load/power', { kind: 'gap', startMs: 0, endMs: Q, severity: 'info', detail: 'No readings …' });
    expect(e).toEqual({
      siteId: 'werk',
      seriesId: 7,
      kind: 'anomaly.gap',
      severity: 'info',
      startMs: 0,
      endMs: Q,
      message: 'load/power: No readings …',
      dedupKey: 'anomaly.gap:7:0',
    });
  });
});
