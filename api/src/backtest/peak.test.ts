// Peak awareness from the past: holdable lines, past targets and reserves, the error quantiles.
import { describe, expect, it } from 'vitest';
import { ErrorQuantiles, holdableLineW, PastPeakTarget, PastReserve } from './peak.js';

const battery = { energyWh: 100_000, maxDischargeW: 200_000, dischargeEfficiency: 1 };
const day = (base: number, peak: number, peakSteps: number) =>
  Array.from({ length: 96 }, (_, k) => (k >= 40 && k < 40 + peakSteps ? peak : base));

describe('holdableLineW', () => {
  it('is the lowest line whose energy above it the battery holds', () => {
    // 8 steps (2 h) at 500 kW over a 100 kW base: 100 kWh hold the line at 450 kW (50 kW × 2 h)
    expect(holdableLineW(day(100_000, 500_000, 8), battery)).toBeCloseTo(450_000, -1);
    // the power limit binds: one step at 900 kW needs 500 kW of discharge to hold 400 kW, the battery has 200 kW
    expect(holdableLineW(day(100_000, 900_000, 1), battery)).toBeCloseTo(700_000, -1);
    // a flat day: 100 kWh spread over 24 h lowers the line by 100 kWh / 24 h
    expect(holdableLineW(day(100_000, 100_000, 0), battery)).toBeCloseTo(100_000 - 100_000 / 24, -1);
  });

  it('counts the discharge losses', () => {
    const lossy = holdableLineW(day(100_000, 500_000, 8), { ...battery, dischargeEfficiency: 0.5 });
    expect(lossy).toBeCloseTo(475_000, -1); // half the energy reaches the grid side
  });
});

describe('PastPeakTarget and PastReserve', () => {
  const net = [...day(100_000, 500_000, 8), ...day(100_000, 300_000, 8), ...day(100_000, 900_000, 8)];
  it('learn only from whole past days', () => {
    const target = new PastPeakTarget((t) => net[t]!, battery);
    const opts = { days: 28, marginW: 10_000 };
    expect(target.targetW(50, opts)).toBe(0); // nothing known yet
    expect(target.targetW(96, opts)).toBeCloseTo(460_000, -1); // day 0 only
    expect(target.targetW(2 * 96 + 5, opts)).toBeCloseTo(460_000, -1); // day 1 is lower; day 2 not yet known
    expect(target.targetW(3 * 96, opts)).toBeCloseTo(860_000, -1); // day 2: 2 h at 900 kW, 100 kWh hold 850 kW
    expect(target.targetW(3 * 96, { days: 1, marginW: 0 })).toBeCloseTo(850_000, -1);
    const reserve = new PastReserve((t) => net[t]!, 1);
    expect(reserve.reserveWh(2 * 96, 400_000)).toBeCloseTo(200_000, 0); // day 0: 100 kW × 2 h above 400 kW
    expect(reserve.reserveWh(2 * 96, 400_000, { factor: 1.5 })).toBeCloseTo(300_000, 0);
    expect(reserve.reserveWh(2 * 96, 600_000)).toBe(0);
  });
});

describe('ErrorQuantiles', () => {
  it('adds the upper quantile of its own past errors where the load is high, capped', () => {
    const actual = (t: number) => (t % 96 >= 32 && t % 96 < 64 ? 600_000 : 100_000);
    const eq = new ErrorQuantiles(actual, { q: 0.9, days: 14 });
    // forecasts that miss the high hours by 100 kW
    for (let s = 0; s < 10 * 96; s += 4) {
      const fc = Array.from({ length: 192 }, (_, k) => actual(s + k) - ((s + k) % 96 >= 32 && (s + k) % 96 < 64 ? 100_000 : 0));
      eq.record(s, fc);
    }
    const fc = Array.from({ length: 96 }, (_, k) => (k >= 32 && k < 64 ? 500_000 : 100_000));
    const up = eq.upper(10 * 96, fc, 1_000_000);
    expect(up[40]).toBeCloseTo(600_000, -3); // the high hours get the error back
    expect(up[10]).toBe(100_000); // low-load steps stay as forecast
    expect(eq.upper(10 * 96, fc, 1_000_000, { maxShare: 0.1 })[40]).toBeCloseTo(550_000, -3);
    expect(eq.upper(10 * 96, fc, 520_000)[40]).toBe(520_000);
  });
});
