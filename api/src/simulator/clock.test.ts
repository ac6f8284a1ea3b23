/** The simulator clocks: accelerated real time (wall clock injected) and the manual test clock. */
import { describe, expect, it } from 'vitest';
import { manualClock, realTimeClock } from './clock.js';
import { constantProfile } from './profile.js';
import { startSimulator } from './runner.js';
import { shippedSunSpecModels } from '../devices/sunspec/models.js';

describe('realTimeClock', () => {
  it.each([
    [1, 2_500, 2_500],
    [60, 2_500, 150_000],
    [3_600, 1_000, 3_600_000],
    [0.5, 1_000, 500],
  ])('at speed %s, %s wall ms are %s simulated ms', (speed, wallMs, simMs) => {
    let wall = 1_000_000;
    const c = realTimeClock(speed, { startMs: Date.parse('2026-06-15T00:00:00Z'), wall: () => wall });
    expect(c.now()).toBe(Date.parse('2026-06-15T00:00:00Z'));
    wall += wallMs;
    expect(c.now() - Date.parse('2026-06-15T00:00:00Z')).toBe(simMs);
  });

  it('starts at the wall time when no start is given', () => {
    const c = realTimeClock(10, { wall: () => 42_000 });
    expect(c.now()).toBe(42_000);
  });

  it.each([0, -1, Number.NaN, Number.POSITIVE_INFINITY])('refuses speed %s', (speed) => {
    expect(() => realTimeClock(speed)).toThrow(/speed must be a positive number/);
  });
});

describe('manualClock', () => {
  it('moves only when told, never backwards by advance', () => {
    const c = manualClock(1_000);
    c.advance(500);
    expect(c.now()).toBe(1_500);
    expect(() => c.advance(-1)).toThrow(/cannot advance/);
    c.set(10);
    expect(c.now()).toBe(10);
  });
});

describe('the simulator on an accelerated clock', () => {
  it('advances the physics by speed × wall time on each tick (3600×: one wall second is one simulated hour)', async () => {
    let wall = 0;
    const start = Date.parse('2026-06-15T00:00:00Z');
    const clock = realTimeClock(3_600, { startMs: start, wall: () => wall });
    const sim = await startSimulator({
      profile: constantProfile(100_000, 0),
      clock,
      models: shippedSunSpecModels(),
      tickMs: 3_600_000,
      maxStepMs: 60_000,
    });
    try {
      sim.site.setBatteryPower(50_000, 0);
      wall += 1_000;
      await sim.tick();
      expect(sim.site.nowMs).toBe(start + 3_600_000);
      expect(sim.stats.steps).toBe(60); // 60 steps of one simulated minute
      expect(sim.site.counters.batteryDischargeWh).toBeCloseTo((50_000 * (3_600_000 - 1)) / 3_600_000, 3); // the first 1 ms step ran before the setpoint
    } finally {
      await sim.stop();
    }
  });
});
