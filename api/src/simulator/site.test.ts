/** The site simulator's physics: energy conservation over a simulated week with seeded random setpoints, SoC bounds, limits, reverts. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEMO_DATA_FILE } from '../config/schema.js';
import { parseDemoCsv } from '../demo/replay.js';
import { REFERENCE_BATTERY, stepBattery, validateBattery } from './battery.js';
import { constantProfile, demoProfile, seededRandom } from './profile.js';
import { REFERENCE_SITE, SiteSimulator, type StepRecord } from './site.js';

const demo = parseDemoCsv(readFileSync(DEMO_DATA_FILE, 'utf8'));
const MIN = 60_000;
const H = 3_600_000;
const START = Date.parse('2026-06-15T00:00:00Z'); // a Monday in June: PV surplus at noon, export possible

/** A week at 1-minute steps; every 5–60 min a random setpoint (beyond the limits on purpose) with a random revert timeout. */
function randomWeek(seed: number, selfDischargePctPerDay = 0): { sim: SiteSimulator; records: StepRecord[] } {
  const rnd = seededRandom(seed);
  const sim = new SiteSimulator(demoProfile(demo), START, {
    ...REFERENCE_SITE,
    battery: { ...REFERENCE_BATTERY, selfDischargePctPerDay },
  });
  const records: StepRecord[] = [];
  let next = START;
  while (sim.nowMs < START + 7 * 24 * H) {
    if (sim.nowMs >= next) {
      sim.setBatteryPower((rnd() * 2 - 1) * 700_000, rnd() < 0.3 ? 0 : Math.round(rnd() * 3600));
      if (rnd() < 0.5) sim.setPvLimit(Math.round(rnd() * 100), Math.round(rnd() * 3600));
      next = sim.nowMs + Math.round(5 + rnd() * 55) * MIN;
    }
    records.push(sim.step(MIN));
  }
  return { sim, records };
}

const sum = (rs: readonly StepRecord[], f: (r: StepRecord) => number) => rs.reduce((a, r) => a + f(r), 0);

describe('energy conservation (a simulated week, 1-minute steps, seeded random setpoints)', () => {
  for (const [name, seed, selfDischarge] of [
    ['seed 1', 1, 0],
    ['seed 2 with 2 %/day self-discharge', 2, 2],
  ] as const) {
    describe(name, () => {
      const { sim, records } = randomWeek(seed, selfDischarge);

      it('balances the grid connection point at every step: grid = load − pv + charge − discharge (W and Wh)', () => {
        expect(records.length).toBe(7 * 24 * 60);
        for (const r of records) {
          expect(Math.abs(r.gridW - (r.loadW - r.pvW + r.batteryChargeW - r.batteryDischargeW))).toBeLessThan(1e-6);
          const e = r.energy;
          const netGrid = e.gridImportWh - e.gridExportWh;
          expect(Math.abs(netGrid - (e.loadWh - e.pvWh + e.batteryChargeWh - e.batteryDischargeWh))).toBeLessThan(1e-6);
          expect(e.gridImportWh * e.gridExportWh).toBe(0); // never both in one step
        }
      });

      it('accounts for every Wh into and out of the battery at every step: charge − discharge = Δstored + losses + self-discharge', () => {
        for (const r of records) {
          const e = r.energy;
          const lhs = e.batteryChargeWh - e.batteryDischargeWh;
          const rhs = e.storedWhAfter - e.storedWhBefore + e.batteryLossWh + e.batterySelfDischargeWh;
          expect(Math.abs(lhs - rhs)).toBeLessThan(1e-6);
          expect(e.batteryLossWh).toBeGreaterThanOrEqual(0);
        }
        // the steps chain: each starts where the previous ended
        for (let i = 1; i < records.length; i++) {
          expect(records[i]!.energy.storedWhBefore).toBe(records[i - 1]!.energy.storedWhAfter);
          expect(records[i]!.startMs).toBe(records[i - 1]!.endMs);
        }
      });

      it('sums to the same over the week: Σ load + Σ charge + Σ export = Σ pv + Σ discharge + Σ import; Δstored matches the sums', () => {
        const inWh = sum(records, (r) => r.energy.pvWh + r.energy.batteryDischargeWh + r.energy.gridImportWh);
        const outWh = sum(records, (r) => r.energy.loadWh + r.energy.batteryChargeWh + r.energy.gridExportWh);
        expect(Math.abs(inWh - outWh) / inWh).toBeLessThan(1e-9);
        const charge = sum(records, (r) => r.energy.batteryChargeWh);
        const discharge = sum(records, (r) => r.energy.batteryDischargeWh);
        const loss = sum(records, (r) => r.energy.batteryLossWh);
        const self = sum(records, (r) => r.energy.batterySelfDischargeWh);
        const stored0 = (REFERENCE_SITE.initialSocPct / 100) * REFERENCE_BATTERY.capacityWh;
        expect(Math.abs(sim.storedEnergyWh - (stored0 + charge - discharge - loss - self))).toBeLessThan(1e-3);
        // the losses are the efficiencies at work, not a fudge: 6 % of charge, 1/0.94 − 1 of discharge
        expect(loss).toBeCloseTo(charge * 0.06 + discharge * (1 / 0.94 - 1), 3);
        // the meter counters are the same sums
        expect(sim.counters.gridImportWh).toBeCloseTo(
          sum(records, (r) => r.energy.gridImportWh),
          3,
        );
        expect(sim.counters.gridExportWh).toBeCloseTo(
          sum(records, (r) => r.energy.gridExportWh),
          3,
        );
        // PV never exceeds what the sun offers; the curtailed rest is accounted
        for (const r of records) {
          expect(r.pvW).toBeLessThanOrEqual(r.pvAvailableW);
          expect(r.energy.pvWh + r.energy.pvCurtailedWh).toBeCloseTo((r.pvAvailableW * (r.endMs - r.startMs)) / H, 6);
        }
      });

      it('exercised the interesting cases (the week is not trivial)', () => {
        expect(charge(records)).toBeGreaterThan(100_000);
        expect(sum(records, (r) => r.energy.batteryDischargeWh)).toBeGreaterThan(100_000);
        expect(records.some((r) => r.energy.gridExportWh > 0)).toBe(true);
        expect(records.some((r) => r.energy.pvCurtailedWh > 0)).toBe(true);
        expect(records.some((r) => r.reverted.includes('battery'))).toBe(true);
        expect(records.some((r) => Math.abs(r.batterySetpointW) > 500_000)).toBe(true);
      });
    });
  }
});

function charge(rs: readonly StepRecord[]): number {
  return sum(rs, (r) => r.energy.batteryChargeWh);
}

describe('battery limits', () => {
  it('never leaves the SoC window 5–95 % and never exceeds 500 kW, whatever is asked (no self-discharge)', () => {
    const { records } = randomWeek(3);
    for (const r of records) {
      expect(r.socPct).toBeGreaterThanOrEqual(5 - 1e-9);
      expect(r.socPct).toBeLessThanOrEqual(95 + 1e-9);
      expect(r.batteryChargeW).toBeLessThanOrEqual(500_000);
      expect(r.batteryDischargeW).toBeLessThanOrEqual(500_000);
    }
    expect(records.some((r) => r.socPct < 5.001)).toBe(true);
  });

  it.each([
    ['charging stops at 95 %', 0.949, -500_000, 0.95],
    ['discharging stops at 5 %', 0.051, 500_000, 0.05],
  ])('%s and the last step takes only what fits', (_name, socStart, powerW, socEnd) => {
    const p = REFERENCE_BATTERY;
    const b = stepBattery(p, socStart * p.capacityWh, powerW, H);
    expect(b.storedWhAfter / p.capacityWh).toBeCloseTo(socEnd, 12);
    expect(b.limited).toBe(true);
    // 1 kWh of room: 1/0.94 kWh AC to charge it; 1 kWh stored gives 0.94 kWh AC
    expect(Math.abs(b.powerW)).toBeCloseTo(powerW < 0 ? 1_000 / 0.94 : 1_000 * 0.94, 6);
  });

  it('turns 100 kWh AC into 94 kWh stored, and 94 kWh stored into 88.36 kWh AC', () => {
    const p = REFERENCE_BATTERY;
    const c = stepBattery(p, 500_000, -100_000, H);
    expect(c.storedWhAfter - 500_000).toBeCloseTo(94_000, 6);
    expect(c.lossWh).toBeCloseTo(6_000, 6);
    const dtMs = (88_360 / 500_000) * H;
    const d = stepBattery(p, 500_000, 500_000, dtMs);
    expect(d.dischargeW).toBe(500_000);
    expect((d.dischargeW * dtMs) / H).toBeCloseTo(88_360, 6);
    expect(d.storedWhAfter).toBeCloseTo(406_000, 6);
    expect(d.lossWh).toBeCloseTo(94_000 - 88_360, 6);
  });

  it('refuses impossible parameters with the field named', () => {
    expect(() => validateBattery({ ...REFERENCE_BATTERY, chargeEfficiency: 1.2 })).toThrow(/chargeEfficiency must be in \(0, 1\]/);
    expect(() => validateBattery({ ...REFERENCE_BATTERY, socMinPct: 96 })).toThrow(/socMinPct\/socMaxPct/);
    expect(() => new SiteSimulator(constantProfile(0, 0), 0, { ...REFERENCE_SITE, pvRatedW: 0 })).toThrow(/pvRatedW/);
  });
});

describe('revert timeouts (device-side safe behaviour)', () => {
  it('holds the battery setpoint until the timeout, then falls back to 0 W; a new write restarts the timeout', () => {
    const sim = new SiteSimulator(constantProfile(300_000, 0), START);
    sim.setBatteryPower(200_000, 120);
    const first = sim.advanceTo(START + 2 * MIN, MIN);
    expect(first.map((r) => r.batteryW)).toEqual([200_000, 200_000]);
    const third = sim.step(MIN);
    expect(third.reverted).toEqual(['battery']);
    expect(third.batteryW).toBe(0);
    expect(third.gridW).toBe(300_000);
    // rewritten before its timeout: keeps going
    sim.setBatteryPower(-100_000, 120);
    sim.advanceTo(sim.nowMs + MIN, MIN);
    sim.setBatteryPower(-100_000, 120);
    const later = sim.advanceTo(sim.nowMs + 2 * MIN, MIN);
    expect(later.map((r) => r.batteryW)).toEqual([-100_000, -100_000]);
    expect(later.map((r) => r.gridW)).toEqual([400_000, 400_000]);
    expect(sim.step(MIN).reverted).toEqual(['battery']);
  });

  it('a timeout of 0 never reverts', () => {
    const sim = new SiteSimulator(constantProfile(300_000, 0), START);
    sim.setBatteryPower(100_000, 0);
    const rs = sim.advanceTo(START + 24 * H, H);
    expect(rs.every((r) => r.batteryW === 100_000 || r.socPct <= 5 + 1e-9)).toBe(true);
    expect(rs.some((r) => r.reverted.length > 0)).toBe(false);
  });

  it('limits PV to the percentage of its rating, then reverts to 100 %', () => {
    const sim = new SiteSimulator(constantProfile(100_000, 600_000), START);
    sim.setPvLimit(40, 60);
    const [limited] = sim.advanceTo(START + MIN, MIN);
    expect(limited).toMatchObject({ pvW: 300_000, pvLimitPct: 40, gridW: -200_000 });
    expect(limited!.energy.pvCurtailedWh).toBeCloseTo(300_000 / 60, 6);
    const after = sim.step(MIN);
    expect(after).toMatchObject({ pvW: 600_000, pvLimitPct: 100, reverted: ['pv'], gridW: -500_000 });
  });

  it('refuses bad setpoints without changing the one in force', () => {
    const sim = new SiteSimulator(constantProfile(0, 0), START);
    sim.setPvLimit(50, 0);
    expect(() => sim.setPvLimit(120, 0)).toThrow(/0–100 %/);
    expect(() => sim.setBatteryPower(Number.NaN, 0)).toThrow(/finite/);
    expect(sim.pvLimitPct).toBe(50);
    expect(sim.batterySetpointW).toBe(0);
  });
});

describe('connection limits', () => {
  it('records import and export beyond the limits as violations (not prevented: the controller must avoid them)', () => {
    const imp = new SiteSimulator(constantProfile(900_000, 0), START);
    imp.setBatteryPower(-200_000, 0);
    expect(imp.step(MIN)).toMatchObject({ gridW: 1_100_000, violations: ['import_limit'] });
    const exp = new SiteSimulator(constantProfile(50_000, 750_000), START);
    expect(exp.step(MIN)).toMatchObject({ gridW: -700_000, violations: [] });
    exp.setBatteryPower(100_000, 0);
    expect(exp.step(MIN)).toMatchObject({ gridW: -800_000, violations: ['export_limit'] });
  });
});
