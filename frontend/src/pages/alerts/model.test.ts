import { describe, expect, it } from 'vitest';
import { jsonErrorIndex, jsonProblem, parseAlerts, parseEvents, splitAlerts, validationErrors } from './model';

describe('alerts page model', () => {
  const alerts = parseAlerts([
    { id: 'a1', ruleId: 'r', state: 'firing', severity: 'warning', message: 'w', firedAt: '2026-11-27T08:00:00Z' },
    { id: 'a2', ruleId: 'r', state: 'firing', severity: 'critical', message: 'c', firedAt: '2026-11-27T07:00:00Z' },
    {
      id: 'a3',
      ruleId: 'r',
      state: 'resolved',
      severity: 'critical',
      message: 'old',
      firedAt: '2026-11-26T07:00:00Z',
      resolvedAt: '2026-11-26T08:00:00Z',
    },
    { id: 'a4', state: 'acknowledged', firedAt: '2026-11-27T06:00:00Z', acknowledgedAt: '2026-11-27T06:30:00Z', acknowledgedBy: 'op' },
    { nope: true },
  ]);

  it('parses alerts and drops broken entries', () => {
    expect(alerts.map((a) => a.id)).toEqual(['a1', 'a2', 'a3', 'a4']);
    expect(alerts[3]?.acknowledgedBy).toBe('op');
    expect(parseAlerts({ alerts: [{ id: 'x', firedAt: '2026-01-01T00:00:00Z' }] })).toHaveLength(1);
  });

  it('open alerts by severity, history newest first', () => {
    const { open, history } = splitAlerts(alerts);
    expect(open.map((a) => a.id)).toEqual(['a2', 'a1']);
    expect(history.map((a) => a.id)).toEqual(['a4', 'a3']);
  });

  it('parses events', () => {
    const [e] = parseEvents([
      {
        id: 7,
        kind: 'anomaly.spike',
        severity: 'warning',
        message: 'm',
        start: '2026-11-27T08:00:00Z',
        end: '2026-11-27T08:15:00Z',
        acknowledgedAt: null,
      },
    ]);
    expect(e).toMatchObject({ id: 7, kind: 'anomaly.spike', acknowledgedAtMs: null });
  });

  it('names line and column of broken JSON', () => {
    expect(jsonProblem('{"a": 1}')).toBeNull();
    const p = jsonProblem('{\n  "a": 1,\n  "b": x\n}');
    expect(p).toMatchObject({ line: 3, column: 8 });
    expect(jsonProblem('[1, 2')).toMatchObject({ line: 1, column: 6 });
    expect(jsonProblem('{"a": "x\\q"}')).toMatchObject({ line: 1, column: 10 });
  });

  it('finds no error in valid JSON of every kind', () => {
    expect(jsonErrorIndex('{"a": [1, -2.5e3, true, false, null, "\\u00e4"], "b": {}}')).toBe(-1);
    expect(jsonErrorIndex('{} x')).toBe(3);
  });

  it('reads validation errors in the shapes the services use', () => {
    expect(validationErrors({ errors: ['[0].value: Expected number'] })).toEqual(['[0].value: Expected number']);
    expect(validationErrors({ errors: [{ path: 'rules.0.priority', message: 'too big' }] })).toEqual(['rules.0.priority: too big']);
    expect(validationErrors({ ok: true })).toEqual([]);
  });
});
