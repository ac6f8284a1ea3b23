import { describe, expect, it } from 'vitest';
import { ScoreAccumulator, mae, pinball, quantileSorted, rmse } from './metrics.js';

describe('point errors', () => {
  it('MAE and RMSE skip NaN pairs', () => {
    expect(mae([1, 2, 3, NaN], [2, 2, 5, 1])).toBeCloseTo(1);
    expect(rmse([1, 2, 3], [2, 2, 5])).toBeCloseTo(Math.sqrt(5 / 3));
    expect(() => mae([1], [1, 2])).toThrow(/length mismatch/);
  });
  it('pinball loss is asymmetric', () => {
    expect(pinball(10, 8, 0.9)).toBeCloseTo(1.8);
    expect(pinball(10, 12, 0.9)).toBeCloseTo(0.2);
    expect(pinball(10, 12, 0.5)).toBeCloseTo(1);
  });
  it('quantiles interpolate between order statistics', () => {
    expect(quantileSorted([0, 10], 0.1)).toBeCloseTo(1);
    expect(quantileSorted([1, 2, 3, 4, 5], 0.5)).toBe(3);
    expect(quantileSorted([], 0.5)).toBeNaN();
  });
});

describe('ScoreAccumulator', () => {
  it('computes MAE, RMSE, MASE, skill, coverage against a reference on the same points', () => {
    const s = new ScoreAccumulator();
    // actual, p10, p50, p90, reference
    s.add(10, 8, 9, 11, 14); // |e| 1, ref 4, covered
    s.add(20, 21, 22, 23, 18); // |e| 2, ref 2, not covered
    s.add(NaN, 0, 0, 0, 0); // skipped
    s.add(5, 0, 5, 10, NaN); // skipped: no reference value
    expect(s.n).toBe(2);
    expect(s.mae).toBeCloseTo(1.5);
    expect(s.rmse).toBeCloseTo(Math.sqrt(2.5));
    expect(s.mase).toBeCloseTo(3 / 6);
    expect(s.skill).toBeCloseTo(1 - Math.sqrt(5 / 20));
    expect(s.coverage).toBeCloseTo(0.5);
  });
  it('MASE is NaN without reference values', () => {
    const s = new ScoreAccumulator();
    s.add(1, 0, 1, 2);
    expect(s.mase).toBeNaN();
    expect(s.mae).toBe(0);
  });
});
