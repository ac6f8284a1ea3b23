import { describe, expect, it } from 'vitest';
import { reconcile, retryDelayMs, type OpenAlert } from './engine.js';
import {
  evaluateAnomaly,
  evaluateDeviceOffline,
  evaluatePeakAtRisk,
  evaluateThreshold,
  projectQuarterHour,
  type EventInput,
  type TimedValue,
} from './evaluate.js';
import {
  alertRuleSchema,
  defaultRules,
  parseRuleSet,
  type AlertRule,
  type AnomalyRule,
  type PeakAtRiskRule,
  type ThresholdRule,
} from './rules.js';

const T0 = Date.parse('2026-06-15T10:00:00Z');
const rule = <R extends AlertRule>(r: Record<string, unknown>): R => alertRuleSchema.parse(r) as R;
const threshold = (extra: Record<string, unknown> = {}) =>
  rule<ThresholdRule>({
    id: 'grid-high',
    kind: 'threshold',
    name: 'Grid high',
    severity: 'warning',
    seriesKey: 'grid/power',
    op: '>',
    value: 500_000,
    ...extra,
  });
const series = (...points: Array<[number, number]>): TimedValue[] => points.map(([s, value]) => ({ tsMs: T0 + s * 1000, value }));

describe('threshold', () => {
  it('fires on the newest fresh reading without a duration', () => {
    const c = evaluateThreshold(threshold(), series([-10, 600_000]), T0);
    expect(c).toMatchObject({ ruleId: 'grid-high', subject: 'series:grid/power', value: 600_000, severity: 'warning' });
  });
  it('does not fire below the threshold, or on a stale reading', () => {
    expect(evaluateThreshold(threshold(), series([-10, 400_000]), T0)).toBeUndefined();
    expect(evaluateThreshold(threshold({ maxAgeS: 60 }), series([-61, 600_000]), T0)).toBeUndefined();
  });
  it('with forS, fires only when every reading since the window opened satisfies the condition', () => {
    const r = threshold({ forS: 300 });
    expect(evaluateThreshold(r, series([-400, 510_000], [-200, 520_000], [-5, 530_000]), T0)).toBeDefined();
    // one dip inside the window
    expect(evaluateThreshold(r, series([-400, 510_000], [-200, 490_000], [-5, 530_000]), T0)).toBeUndefined();
    // the value in effect when the window opened was below
    expect(evaluateThreshold(r, series([-400, 400_000], [-200, 520_000], [-5, 530_000]), T0)).toBeUndefined();
    // too little history: no reading at or before the window start
    expect(evaluateThreshold(r, series([-200, 520_000], [-5, 530_000]), T0)).toBeUndefined();
  });
  it.each([
    ['<', 10, 5, true],
    ['<=', 10, 10, true],
    ['>=', 10, 9, false],
    ['==', 1, 1, true],
    ['!=', 1, 1, false],
  ] as const)('op %s %d with value %d → %s', (op, value, reading, fires) => {
    expect(evaluateThreshold(threshold({ op, value }), series([-1, reading]), T0) !== undefined).toBe(fires);
  });
});

describe('anomaly', () => {
  const r = rule<AnomalyRule>({
    id: 'anomaly-critical',
    kind: 'anomaly',
    name: 'Critical anomaly',
    severity: 'warning',
    minSeverity: 'warning',
  });
  const ev = (id: number, o: Partial<EventInput> = {}): EventInput => ({
    id,
    kind: 'anomaly.gap',
    severity: 'warning',
    endMs: T0 - 60_000,
    acknowledged: false,
    message: 'no data 10:00–10:15',
    ...o,
  });
  it('one condition per unacknowledged recent event of matching kind and severity', () => {
    const cs = evaluateAnomaly(
      r,
      [
        ev(1),
        ev(2, { acknowledged: true }),
        ev(3, { severity: 'info' }),
        ev(4, { kind: 'prices.missing' }),
        ev(5, { endMs: T0 - 3_601_000 }),
        ev(6, { severity: 'critical' }),
      ],
      T0,
    );
    expect(cs.map((c) => c.subject)).toEqual(['event:1', 'event:6']);
    expect(cs[1]!.severity).toBe('critical'); // never less severe than the event
  });
});

describe('device offline', () => {
  const r = defaultRules().find((x) => x.kind === 'device-offline')!;
  it('fires for a device offline longer than afterS only', () => {
    const cs = evaluateDeviceOffline(
      r as Extract<AlertRule, { kind: 'device-offline' }>,
      [
        { deviceId: 'battery', state: 'offline', sinceMs: T0 - 121_000 },
        { deviceId: 'pv', state: 'offline', sinceMs: T0 - 60_000 },
        { deviceId: 'meter', state: 'online', sinceMs: T0 - 999_000 },
      ],
      T0,
    );
    expect(cs.map((c) => [c.subject, c.value])).toEqual([['device:battery', 121]]);
  });
});

describe('peak at risk', () => {
  const r = rule<PeakAtRiskRule>({ id: 'peak', kind: 'peak-at-risk', name: 'Peak at risk', severity: 'critical' });
  const q = T0; // 10:00:00 starts a quarter hour
  it('projects the quarter-hour mean from the readings so far and the newest value', () => {
    // 400 kW for 5 min, then 700 kW for 1 min; now 10:06 → (400·300 + 700·60 + 700·540) / 900
    const readings = [
      { tsMs: q, value: 400_000 },
      { tsMs: q + 300_000, value: 700_000 },
    ];
    const p = projectQuarterHour(readings, q + 360_000)!;
    expect(p.meanSoFarW).toBeCloseTo((400_000 * 300 + 700_000 * 60) / 360, 3);
    expect(p.projectedW).toBeCloseTo((400_000 * 300 + 700_000 * 600) / 900, 3);
  });
  it('fires against the plan target, else the period peak so far; not in the first minute', () => {
    const readings = [
      { tsMs: q, value: 400_000 },
      { tsMs: q + 300_000, value: 700_000 },
    ];
    const now = q + 360_000; // projected 600 kW
    expect(evaluatePeakAtRisk(r, { readings, targetW: 550_000 }, now)).toMatchObject({ value: 600_000, subject: 'series:grid/power' });
    expect(evaluatePeakAtRisk(r, { readings, targetW: 650_000 }, now)).toBeUndefined();
    expect(evaluatePeakAtRisk(r, { readings, peakSoFarW: 580_000 }, now)?.message).toContain('period peak so far');
    expect(evaluatePeakAtRisk(r, { readings }, now)).toBeUndefined();
    expect(evaluatePeakAtRisk(r, { readings: [{ tsMs: q, value: 900_000 }], targetW: 500_000 }, q + 30_000)).toBeUndefined();
  });
  it('a margin fires earlier', () => {
    const readings = [{ tsMs: q, value: 600_000 }];
    const m = rule<PeakAtRiskRule>({ id: 'peak', kind: 'peak-at-risk', name: 'Peak', severity: 'critical', marginPct: 10 });
    expect(evaluatePeakAtRisk(r, { readings, targetW: 640_000 }, q + 120_000)).toBeUndefined();
    expect(evaluatePeakAtRisk(m, { readings, targetW: 640_000 }, q + 120_000)).toBeDefined();
  });
});

describe('rule sets', () => {
  it('every problem names its rule and field; valid rules beside them are kept', () => {
    const { rules, errors } = parseRuleSet([
      { id: 'ok', kind: 'threshold', name: 'ok', severity: 'info', seriesKey: 'x', op: '>', value: 1 },
      { id: 'Bad Id', kind: 'threshold', name: 'x', severity: 'info', seriesKey: 'x', op: '>', value: 1 },
      { id: 'b', kind: 'threshold', name: 'x', severity: 'loud', seriesKey: 'x', op: '=>', value: 'high' },
      { id: 'c', kind: 'nope', name: 'x', severity: 'info' },
      { id: 'ok', kind: 'anomaly', name: 'dup', severity: 'info' },
    ]);
    expect(rules.map((r) => r.id)).toEqual(['ok']);
    expect(errors.some((e) => e.startsWith('[1].id:'))).toBe(true);
    expect(errors.filter((e) => e.startsWith('[2].')).map((e) => e.split(':')[0])).toEqual(['[2].severity', '[2].op', '[2].value']);
    expect(errors.some((e) => e.startsWith('[3].kind'))).toBe(true);
    expect(errors).toContain('[4].id: duplicate rule id "ok"');
    expect(parseRuleSet({}).errors).toEqual(['(root): expected an array of rules']);
  });
  it('the defaults watch devices, the peak and critical anomalies', () => {
    expect(defaultRules().map((r) => r.kind)).toEqual(['device-offline', 'peak-at-risk', 'anomaly']);
  });
});

describe('reconcile (life cycle)', () => {
  const rules = [threshold({ renotifyS: 600 })];
  const c = { ruleId: 'grid-high', subject: 'series:grid/power', severity: 'warning' as const, message: 'm' };
  const open = (o: Partial<OpenAlert> = {}): OpenAlert => ({
    id: 'a1',
    ruleId: 'grid-high',
    subject: 'series:grid/power',
    state: 'firing',
    lastNotifiedAtMs: T0 - 60_000,
    ...o,
  });
  it('fires once, then counts repeats (de-duplication)', () => {
    expect(reconcile([], rules, new Map([['grid-high', [c, c]]]), T0)).toEqual([{ type: 'fire', condition: c }]);
    expect(reconcile([open()], rules, new Map([['grid-high', [c]]]), T0)).toEqual([
      { type: 'repeat', alertId: 'a1', condition: c, renotify: false },
    ]);
  });
  it('re-notifies a firing alert after renotifyS, never an acknowledged one', () => {
    const later = T0 + 600_000;
    expect(reconcile([open()], rules, new Map([['grid-high', [c]]]), later)[0]).toMatchObject({ renotify: true });
    expect(reconcile([open({ state: 'acknowledged' })], rules, new Map([['grid-high', [c]]]), later)[0]).toMatchObject({ renotify: false });
  });
  it('resolves when the condition clears or the rule goes; keeps alerts of rules whose inputs failed', () => {
    expect(reconcile([open()], rules, new Map([['grid-high', []]]), T0)).toEqual([{ type: 'resolve', alertId: 'a1', reason: 'cleared' }]);
    expect(reconcile([open()], rules, new Map(), T0)).toEqual([]);
    expect(reconcile([open()], [], new Map(), T0)).toEqual([{ type: 'resolve', alertId: 'a1', reason: 'rule-removed' }]);
    expect(reconcile([open()], [threshold({ enabled: false })], new Map(), T0)).toEqual([
      { type: 'resolve', alertId: 'a1', reason: 'rule-removed' },
    ]);
  });
  it('retry delays double up to the cap', () => {
    expect([1, 2, 3, 4].map((a) => retryDelayMs(a, 1000, 5000))).toEqual([1000, 2000, 4000, 5000]);
  });
});
