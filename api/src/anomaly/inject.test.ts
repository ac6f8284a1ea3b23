import { describe, expect, it } from 'vitest';
import type { Point } from './detect.js';
import { injectFaults, mulberry32, type FaultKind } from './inject.js';

const T0 = Date.parse('2024-01-01T00:00:00Z');
const Q = 900_000;
const year: Point[] = Array.from({ length: 4 * 96 * 7 * 10 }, (_, i) => ({ tsMs: T0 + i * Q, value: 10 + Math.sin(i / 10) }));

describe('injectFaults', () => {
  it('the same seed gives the same faults and the same series', () => {
    const a = injectFaults(year, { seed: 7, count: 20 });
    const b = injectFaults(year, { seed: 7, count: 20 });
    expect(a).toEqual(b);
  });
  it('another seed gives other faults', () => {
    expect(injectFaults(year, { seed: 7, count: 20 }).faults).not.toEqual(injectFaults(year, { seed: 8, count: 20 }).faults);
  });
  it('does not modify its input', () => {
    const copy = year.map((p) => ({ ...p }));
    injectFaults(year, { seed: 1, count: 20 });
    expect(year).toEqual(copy);
  });

  const { points, faults } = injectFaults(year, { seed: 3, count: 25, fromMs: T0 + 7 * 86_400_000 });
  const byTs = new Map(points.map((p) => [p.tsMs, p.value]));
  const original = new Map(year.map((p) => [p.tsMs, p.value]));
  const slots = (f: { startMs: number; endMs: number }) => Array.from({ length: (f.endMs - f.startMs) / Q }, (_, i) => f.startMs + i * Q);
  const checks: Array<{ kind: FaultKind; scenario: string; holds: (f: (typeof faults)[number]) => boolean }> = [
    { kind: 'gap', scenario: 'gaps remove every point of the fault', holds: (f) => slots(f).every((t) => !byTs.has(t)) },
    {
      kind: 'stuck',
      scenario: 'stuck faults hold one value for 3–12 h',
      holds: (f) =>
        slots(f).every((t) => byTs.get(t) === f.value) && f.endMs - f.startMs >= 3 * 3_600_000 && f.endMs - f.startMs <= 12 * 3_600_000,
    },
    {
      kind: 'spike',
      scenario: 'spikes multiply one reading by 3–10',
      holds: (f) =>
        slots(f).length === 1 &&
        f.value! >= 3 &&
        f.value! <= 10 &&
        Math.abs(byTs.get(f.startMs)! - original.get(f.startMs)! * f.value!) < 1e-9,
    },
    { kind: 'negative', scenario: 'negative faults turn readings below 0', holds: (f) => slots(f).every((t) => byTs.get(t)! < 0) },
    {
      kind: 'level_shift',
      scenario: 'level shifts multiply 4–24 h by 1.6',
      holds: (f) => slots(f).every((t) => Math.abs(byTs.get(t)! - 1.6 * original.get(t)!) < 1e-9) && f.endMs - f.startMs >= 4 * 3_600_000,
    },
  ];
  it.each(checks)('$scenario', ({ kind, holds }) => {
    const ofKind = faults.filter((f) => f.kind === kind);
    expect(ofKind).toHaveLength(5);
    for (const f of ofKind) expect(holds(f)).toBe(true);
  });
  it('faults start after fromMs and never overlap', () => {
    expect(faults).toHaveLength(25);
    for (const f of faults) expect(f.startMs).toBeGreaterThanOrEqual(T0 + 7 * 86_400_000);
    for (let i = 1; i < faults.length; i++) expect(faults[i]!.startMs).toBeGreaterThanOrEqual(faults[i - 1]!.endMs);
  });
  it('points outside faults are untouched', () => {
    const inside = (t: number) => faults.some((f) => t >= f.startMs && t < f.endMs);
    for (const p of points) if (!inside(p.tsMs)) expect(p.value).toBe(original.get(p.tsMs));
  });
});

describe('mulberry32', () => {
  it('is deterministic and in [0, 1)', () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    const xs = Array.from({ length: 1000 }, () => a());
    expect(xs).toEqual(Array.from({ length: 1000 }, () => b()));
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
  });
});
