import { describe, expect, it } from 'vitest';
import { bandChart, forecastError, parseForecasts, type Forecast } from './model';

const START = Date.parse('2026-11-27T00:00:00Z');
const f: Forecast = {
  model: 'load.profile',
  unit: 'W',
  issuedAtMs: START - 3_600_000,
  startMs: START,
  stepMs: 900_000,
  p10: [80, 90, null, 100],
  p50: [100, 110, 120, 130],
  p90: [120, 130, 140, 160],
};

describe('forecast vs actual', () => {
  it('parses the forecasts API answer', () => {
    const [p] = parseForecasts({
      forecasts: [
        {
          id: 1,
          target: 'load',
          model: 'm',
          unit: 'W',
          issuedAt: '2026-11-26T23:00:00Z',
          start: '2026-11-27T00:00:00Z',
          stepMinutes: 15,
          p10: [1, null],
          p50: [2, 3],
          p90: [4, 5],
        },
        { bad: true },
      ],
    });
    expect(p).toMatchObject({ model: 'm', startMs: START, stepMs: 900_000, p10: [1, null], p50: [2, 3] });
    expect(parseForecasts(null)).toEqual([]);
  });

  it('draws band, median and actual inside the box, skipping steps without quantiles', () => {
    const c = bandChart(
      f,
      [
        { ms: START + 60_000, value: 95 },
        { ms: START - 1, value: 1e9 },
      ],
      { left: 0, top: 0, width: 400, height: 100 },
    )!;
    expect(c.t1 - c.t0).toBe(4 * 900_000);
    expect(c.yMin).toBe(0);
    expect(c.yMax).toBeGreaterThanOrEqual(160);
    expect(c.band.match(/L/g)?.length).toBe(5); // 3 upper + 3 lower points = 6 points, 1 M
    expect(c.band.endsWith('Z')).toBe(true);
    expect(c.median.startsWith('M')).toBe(true);
    expect(c.actual).toMatch(/^M[\d.]+,[\d.]+$/); // the reading before the horizon is left out
    expect(bandChart({ ...f, p50: [] }, [], { left: 0, top: 0, width: 1, height: 1 })).toBeNull();
  });

  it('mean absolute error of p50 per step and band coverage', () => {
    const e = forecastError(f, [
      { ms: START, value: 90 },
      { ms: START + 60_000, value: 110 }, // step 0 mean 100: error 0, inside
      { ms: START + 900_000, value: 150 }, // step 1: error 40, outside (p90 130)
    ])!;
    expect(e).toEqual({ maeW: 20, coverage: 0.5, steps: 2 });
    expect(forecastError(f, [])).toBeNull();
  });
});
