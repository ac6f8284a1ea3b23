import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { detectAnomalies, mergeFindings, type DetectOptions, type Finding, type FindingKind, type Point } from './detect.js';

const T0 = Date.parse('2024-01-01T00:00:00Z'); // a Monday
const Q = 900_000; // 15 min

/** A series on the 15-min grid from T0; `null` leaves the slot out (a gap). */
function series(values: Array<number | null>, startMs = T0): Point[] {
  return values.flatMap((value, i) => (value === null ? [] : [{ tsMs: startMs + i * Q, value }]));
}
/** A gently varying series so that no run of equal values appears by accident. */
const wavy = (n: number, level = 10) => Array.from({ length: n }, (_, i) => level + 0.1 * Math.sin(i) + 0.01 * (i % 7));
const kinds = (fs: Finding[]) => fs.map((f) => f.kind);
const slot = (i: number) => T0 + i * Q;

interface Case {
  scenario: string;
  values: Array<number | null>;
  options?: Partial<DetectOptions>;
  expected: Array<{ kind: FindingKind; startMs: number; endMs: number }>;
}

const cases: Case[] = [
  { scenario: 'a clean wavy series has no findings', values: wavy(40), expected: [] },
  {
    scenario: 'two missing readings are one gap',
    values: [...wavy(10).slice(0, 5), null, null, ...wavy(10).slice(7)],
    expected: [{ kind: 'gap', startMs: slot(5), endMs: slot(7) }],
  },
  {
    scenario: 'a gap shorter than gapMinMs is not reported',
    values: [...wavy(10).slice(0, 5), null, ...wavy(10).slice(6)],
    options: { gapMinMs: 2 * Q },
    expected: [],
  },
  {
    scenario: 'a value held for 2 h is a flatline',
    values: [...wavy(20).slice(0, 6), ...Array<number>(8).fill(7.5), ...wavy(20).slice(14)],
    expected: [{ kind: 'flatline', startMs: slot(6), endMs: slot(14) }],
  },
  {
    scenario: 'a value held for 1.75 h is not a flatline',
    values: [...wavy(20).slice(0, 6), ...Array<number>(7).fill(10.05), ...wavy(20).slice(13)],
    expected: [],
  },
  {
    scenario: 'PV zero at night is not a flatline when allowZeroRuns',
    values: [...Array<number>(24).fill(0), 0.5, 1.5, 2.5, 3.1, 2.4, 1.2, 0.4, ...Array<number>(24).fill(0)],
    options: { allowZeroRuns: true, spikeFloorRatio: 0, spikeFloorAbs: 5 },
    expected: [],
  },
  {
    scenario: 'PV zero at night is a flatline without allowZeroRuns',
    values: [...Array<number>(12).fill(0), 0.5, 1.5, 2.5],
    options: { spikeFloorAbs: 5 },
    expected: [{ kind: 'flatline', startMs: slot(0), endMs: slot(12) }],
  },
  {
    scenario: 'a constant base load at the series minimum is not a flatline when allowConstantMin',
    values: [...Array<number>(12).fill(2), 5.1, 5.3, 5.2, 5.4, 5.0],
    options: { allowConstantMin: true, spikeFloorAbs: 10 },
    expected: [],
  },
  {
    scenario: 'a single reading ×5 is a spike',
    values: wavy(20).map((v, i) => (i === 10 ? v * 5 : v)),
    expected: [{ kind: 'spike', startMs: slot(10), endMs: slot(11) }],
  },
  {
    scenario: 'a normal machine step (10 → 40 kW and back after 2 h) is not a spike',
    values: [...wavy(8), ...wavy(8, 40), ...wavy(8)],
    expected: [],
  },
  {
    scenario: 'two adjacent spike readings merge into one finding',
    values: wavy(20).map((v, i) => (i === 10 || i === 11 ? v * 6 : v)),
    expected: [{ kind: 'spike', startMs: slot(10), endMs: slot(12) }],
  },
  {
    scenario: 'two separate spikes stay two findings',
    values: wavy(30).map((v, i) => (i === 8 || i === 20 ? v * 6 : v)),
    expected: [
      { kind: 'spike', startMs: slot(8), endMs: slot(9) },
      { kind: 'spike', startMs: slot(20), endMs: slot(21) },
    ],
  },
  {
    scenario: 'negative readings on an import-only series are one negative finding (not a spike)',
    values: wavy(20).map((v, i) => (i === 5 || i === 6 ? -v : v)),
    expected: [{ kind: 'negative', startMs: slot(5), endMs: slot(7) }],
  },
  {
    scenario: 'negative readings are fine on a bidirectional series',
    values: wavy(20).map((v, i) => (i === 5 ? -v : v)),
    options: { importOnly: false, spikeDirection: 'up' },
    expected: [],
  },
  {
    scenario: 'a reading above the grid connection limit is impossible (and a spike)',
    values: wavy(20).map((v, i) => (i === 10 ? 100 : v)),
    options: { maxValue: 50 },
    expected: [
      { kind: 'impossible', startMs: slot(10), endMs: slot(11) },
      { kind: 'spike', startMs: slot(10), endMs: slot(11) },
    ],
  },
];

describe('detectAnomalies: small exact series', () => {
  it.each(cases)('$scenario', ({ values, options, expected }) => {
    const findings = detectAnomalies(series(values), options);
    expect(findings.map(({ kind, startMs, endMs }) => ({ kind, startMs, endMs }))).toEqual(expected);
    for (const f of findings) expect(f.detail).toMatch(/kW|intervals/);
  });
});

describe('detectAnomalies: seasonal deviation', () => {
  const WEEK = 7 * 96;
  // 6 weeks of a daily shape with small week-to-week noise, then a 4 h level shift ×1.6 in week 7
  const day = (i: number) => 10 + 5 * Math.sin((2 * Math.PI * (i % 96)) / 96);
  const base = Array.from({ length: 7 * WEEK }, (_, i) => day(i) * (1 + 0.02 * Math.sin(i * 1.7)));
  const cases = [
    { scenario: 'a 4 h ×1.6 shift is one deviation', from: 6 * WEEK + 40, length: 16, factor: 1.6, found: 1 },
    { scenario: 'a 1.5 h ×1.6 shift is too short', from: 6 * WEEK + 40, length: 6, factor: 1.6, found: 0 },
    { scenario: 'a 4 h ×1.1 shift is within the normal spread', from: 6 * WEEK + 40, length: 16, factor: 1.1, found: 0 },
  ];
  it.each(cases)('$scenario', ({ from, length, factor, found }) => {
    const values = base.map((v, i) => (i >= from && i < from + length ? v * factor : v));
    const findings = detectAnomalies(series(values)).filter((f) => f.kind === 'deviation');
    expect(findings).toHaveLength(found);
    if (found) {
      expect(findings[0]!.startMs).toBe(slot(from));
      expect(findings[0]!.endMs).toBe(slot(from + length));
      expect(findings[0]!.detail).toMatch(/\+6\d %/);
    }
  });
  it('with weekday day types, fewer than 4 reference weeks judge nothing', () => {
    const values = base.slice(0, 4 * WEEK).map((v, i) => (i >= 3 * WEEK + 40 && i < 3 * WEEK + 56 ? v * 2 : v));
    expect(kinds(detectAnomalies(series(values), { dayTypes: 'weekday' }))).not.toContain('deviation');
  });
  it('with workday day types (default), 4 previous working days are enough', () => {
    // Monday Jan 1 … Friday Jan 5: Friday has 4 previous working days
    const values = base.slice(0, 5 * 96).map((v, i) => (i >= 4 * 96 + 40 && i < 4 * 96 + 56 ? v * 2 : v));
    expect(kinds(detectAnomalies(series(values)))).toContain('deviation');
    expect(kinds(detectAnomalies(series(values.slice(0, 4 * 96))))).not.toContain('deviation');
  });
});

describe('detectAnomalies: local time and holidays', () => {
  // A working-day load in Europe/Berlin: 40 kW from 07:00 to 17:00 local, 10 kW otherwise; weekends and
  // holidays 10 kW all day. Three weeks around the spring DST change (2024-03-31), with a little noise.
  const from = Date.parse('2024-03-11T00:00:00Z');
  const berlin = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Berlin', hour: '2-digit', weekday: 'short', hourCycle: 'h23' });
  const holidays = new Set(['2024-03-29', '2024-04-01']); // Good Friday, Easter Monday
  const localDate = (t: number) => new Date(t + (t >= Date.parse('2024-03-31T01:00:00Z') ? 2 : 1) * 3_600_000).toISOString().slice(0, 10);
  const points: Point[] = Array.from({ length: 28 * 96 }, (_, i) => {
    const t = from + i * Q;
    const parts = Object.fromEntries(berlin.formatToParts(new Date(t)).map((p) => [p.type, p.value]));
    const hour = Number(parts.hour);
    const working = !['Sat', 'Sun'].includes(parts.weekday!) && !holidays.has(localDate(t));
    return { tsMs: t, value: (working && hour >= 7 && hour < 17 ? 40 : 10) * (1 + 0.01 * Math.sin(i * 1.3)) };
  });
  const options = { timeZone: 'Europe/Berlin', isHoliday: (d: string) => holidays.has(d), deviationDirection: 'both' as const };

  it('a clean load across the DST change and two holidays has no deviation in local time', () => {
    expect(kinds(detectAnomalies(points, options))).not.toContain('deviation');
  });
  it('the same load judged in UTC without the holidays shows deviations', () => {
    expect(kinds(detectAnomalies(points, { deviationDirection: 'both' }))).toContain('deviation');
  });
  it('a deviation on a holiday says it was compared with Sundays', () => {
    const t0 = Date.parse('2024-04-01T08:00:00Z'); // Easter Monday 10:00 local
    const faulty = points.map((p) => (p.tsMs >= t0 && p.tsMs < t0 + 4 * 3_600_000 ? { ...p, value: 40 } : p));
    const dev = detectAnomalies(faulty, options).filter((f) => f.kind === 'deviation');
    expect(dev).toHaveLength(1);
    expect(dev[0]!.detail).toMatch(/public holiday, compared with Sundays/);
  });
});

describe('mergeFindings', () => {
  const f = (kind: FindingKind, startMs: number, endMs: number, severity: Finding['severity'] = 'warning'): Finding => ({
    kind,
    startMs,
    endMs,
    severity,
    detail: `${kind} detail`,
  });
  const cases = [
    { scenario: 'touching findings of one kind merge', input: [f('flatline', 0, 10), f('flatline', 10, 20)], gap: 0, expected: [[0, 20]] },
    { scenario: 'overlapping findings merge', input: [f('gap', 0, 15), f('gap', 10, 20)], gap: 0, expected: [[0, 20]] },
    {
      scenario: 'separated findings stay apart',
      input: [f('spike', 0, 10), f('spike', 11, 20)],
      gap: 0,
      expected: [
        [0, 10],
        [11, 20],
      ],
    },
    { scenario: 'mergeGapMs bridges a short pause', input: [f('spike', 0, 10), f('spike', 11, 20)], gap: 1, expected: [[0, 20]] },
    {
      scenario: 'different kinds never merge',
      input: [f('spike', 0, 10), f('gap', 10, 20)],
      gap: 0,
      expected: [
        [0, 10],
        [10, 20],
      ],
    },
  ];
  it.each(cases)('$scenario', ({ input, gap, expected }) => {
    expect(mergeFindings(input, gap).map((m) => [m.startMs, m.endMs])).toEqual(expected);
  });
  it('a merged finding keeps the highest severity and says how many it merged', () => {
    const [m] = mergeFindings([f('gap', 0, 10, 'info'), f('gap', 10, 20, 'critical')]);
    expect(m!.severity).toBe('critical');
    expect(m!.detail).toMatch(/^2 adjacent gap findings/);
  });
});

const DATA_DIR = process.env.LUNA_SHARED_DATA ?? fileURLToPath(new URL('../../../../shared/data/', import.meta.url));
const REAL = `${DATA_DIR}/load-measured/de_vdi4657_LP_Oe_Buero_m_office_medium_2015_15min_norm1MWh.csv`;

describe.skipIf(!existsSync(REAL))('detectAnomalies on a real VDI 4657-3 office load (../shared/data)', () => {
  it('finds no gap, negative or impossible reading and few spikes in the clean year', () => {
    const points = readFileSync(REAL, 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((line) => {
        const [ts, w] = line.split(',');
        return { tsMs: Date.parse(ts!), value: (Number(w) * 200) / 1000 }; // 200 MWh/a → kW
      });
    expect(points).toHaveLength(35_040);
    const findings = detectAnomalies(points, { maxValue: 100 });
    const count = (k: FindingKind) => findings.filter((f) => f.kind === k).length;
    expect(count('gap')).toBe(0);
    expect(count('negative')).toBe(0);
    expect(count('impossible')).toBe(0);
    expect(count('spike')).toBeLessThan(12);
  });
});
