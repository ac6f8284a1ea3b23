import { describe, expect, it } from 'vitest';
import { niceStep, niceTicks, stepDecimals } from './ticks';

describe('niceStep', () => {
  it('returns 1, 2, 2.5 or 5 times a power of ten', () => {
    expect(niceStep(100, 5)).toBe(20);
    expect(niceStep(10, 5)).toBe(2);
    expect(niceStep(12, 5)).toBe(2.5);
    expect(niceStep(7, 5)).toBe(2);
    expect(niceStep(0.9, 5)).toBeCloseTo(0.2);
    expect(niceStep(40_000, 4)).toBe(10_000);
    expect(niceStep(0, 5)).toBe(1);
  });
});

describe('niceTicks', () => {
  it('extends the range to nice bounds', () => {
    expect(niceTicks(3, 97)).toEqual({ min: 0, max: 100, step: 20, ticks: [0, 20, 40, 60, 80, 100] });
  });

  it('handles negative ranges (export/import power)', () => {
    const s = niceTicks(-4200, 11_800);
    expect(s.min).toBe(-5000);
    expect(s.max).toBe(15_000);
    expect(s.ticks).toContain(0);
    expect(s.step).toBe(5000);
  });

  it('avoids floating-point noise', () => {
    expect(niceTicks(0.1, 0.3).ticks).toEqual([0.1, 0.15, 0.2, 0.25, 0.3]);
  });

  it('gives a flat or empty range a band', () => {
    expect(niceTicks(0, 0).ticks).toEqual([-1, -0.5, 0, 0.5, 1]);
    const s = niceTicks(500, 500);
    expect(s.min).toBeLessThan(500);
    expect(s.max).toBeGreaterThan(500);
    expect(niceTicks(Number.NaN, Number.NaN).ticks.length).toBeGreaterThan(1);
  });

  it('accepts the bounds in either order', () => {
    expect(niceTicks(97, 3).ticks).toEqual([0, 20, 40, 60, 80, 100]);
  });
});

describe('stepDecimals', () => {
  it('counts the decimals of a step', () => {
    expect(stepDecimals(100)).toBe(0);
    expect(stepDecimals(2.5)).toBe(1);
    expect(stepDecimals(0.25)).toBe(2);
    expect(stepDecimals(0)).toBe(0);
  });
});
