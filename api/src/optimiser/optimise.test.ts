// Scenario tests: small hand-made sites whose right answer is known without a solver.
import type { Highs } from 'highs';
import { beforeAll, describe, expect, it } from 'vitest';
import { demandChargeIncrement } from '../tariffs/cost.js';
import { T0, battery, fixedTariff, pvCurve, spotTariff } from './fixtures.js';
import { STEP_MS, type OptimiserInput } from './model.js';
import { loadSolver, optimise } from './optimise.js';

let highs: Highs;
beforeAll(async () => {
  highs = await loadSolver();
});

const flat = (n: number, v: number) => new Array<number>(n).fill(v);
const GRID = { importLimitW: 1_000_000, exportLimitW: 700_000 };
const site = (over: Partial<OptimiserInput>): OptimiserInput => ({
  startMs: T0,
  tariff: spotTariff(),
  spotPriceEurPerMWh: flat(96, 100),
  loadW: flat(96, 200_000),
  grid: GRID,
  ...over,
});

describe('optimise', () => {
  it('charges in cheap hours and discharges in dear ones (arbitrage)', () => {
    const spot = [...flat(32, 0), ...flat(32, 300), ...flat(32, 100)];
    const plan = optimise(highs, site({ spotPriceEurPerMWh: spot, batteries: [battery({ initialSocWh: 50_000 })], peakSoFarW: 800_000 }));
    expect(plan.status).toBe('optimal');
    const charged = plan.steps.slice(0, 32).reduce((a, s) => a + s.batteries[0]!.chargeW, 0);
    const discharged = plan.steps.slice(32, 64).reduce((a, s) => a + s.batteries[0]!.dischargeW, 0);
    expect(charged).toBeGreaterThan(0);
    expect(discharged).toBeGreaterThan(0);
    expect(plan.steps.slice(32, 64).every((s) => s.batteries[0]!.chargeW < 1)).toBe(true);
  });

  it('shaves a load spike above the peak already set instead of paying the demand charge', () => {
    const loadW = flat(96, 300_000);
    for (let t = 40; t < 44; t++) loadW[t] = 700_000;
    const plan = optimise(highs, site({ loadW, batteries: [battery()], peakSoFarW: 400_000 }));
    expect(plan.status).toBe('optimal');
    expect(plan.peaks[0]!.planPeakW).toBeLessThanOrEqual(400_000 + 1);
    expect(plan.cost!.demandChargeIncrementEur).toBeCloseTo(0, 6);
  });

  it('treats the peak already set as sunk: no battery cycling to stay below it', () => {
    const loadW = flat(96, 300_000);
    for (let t = 40; t < 44; t++) loadW[t] = 600_000;
    const plan = optimise(highs, site({ loadW, batteries: [battery({ terminalValueEurPerKWh: 0.22 })], peakSoFarW: 650_000 }));
    expect(plan.status).toBe('optimal');
    // flat price: nothing to gain, wear to lose — the battery stays idle
    expect(plan.steps.every((s) => s.batteries[0]!.dischargeW < 1)).toBe(true);
    expect(plan.cost!.demandChargeIncrementEur).toBe(0);
  });

  it('pays the demand charge increment when the peak cannot be avoided, as the tariff module computes it', () => {
    const loadW = flat(96, 300_000);
    loadW[50] = 900_000;
    const plan = optimise(highs, site({ loadW, peakSoFarW: 500_000 }));
    expect(plan.status).toBe('optimal');
    const tariff = spotTariff();
    expect(plan.cost!.demandChargeIncrementEur).toBeCloseTo(demandChargeIncrement(tariff, 500, 900, 365), 6);
    expect(plan.cost!.demandChargeIncrementEur).toBeCloseTo(120 * 400, 6);
  });

  it('with a monthly bill, a horizon across the month end has one peak per month', () => {
    const start = Date.parse('2023-06-29T22:00:00Z'); // 2023-06-30 00:00 CEST
    const plan = optimise(
      highs,
      site({
        startMs: start,
        tariff: spotTariff('month'),
        loadW: flat(192, 300_000),
        spotPriceEurPerMWh: flat(192, 100),
        peakSoFarW: 300_000,
      }),
    );
    expect(plan.peaks.map((p) => p.period)).toEqual(['2023-06', '2023-07']);
    expect(plan.peaks[1]!.firstStep).toBe(96);
    // July starts from zero: its 300 kW are charged for 31 days of 365
    expect(plan.cost!.demandChargeIncrementEur).toBeCloseTo((120 * 300 * 31) / 365, 6);
  });

  it('curtails PV when feed-in costs money (negative price) and exports nothing with noExportAtNegativePrice', () => {
    const spot = flat(96, -50);
    const pvAvailableW = pvCurve(96, 750_000);
    const a = optimise(highs, site({ spotPriceEurPerMWh: spot, pvAvailableW, loadW: flat(96, 100_000), peakSoFarW: 900_000 }));
    expect(a.status).toBe('optimal');
    expect(a.steps.every((s) => s.gridExportW < 1)).toBe(true); // spot − 0.4 ct < 0: exporting costs
    expect(a.steps.some((s) => s.pvCurtailedW > 100_000)).toBe(true);
    const spot2 = [...flat(48, 50), ...flat(48, -5)];
    const b = optimise(highs, site({ spotPriceEurPerMWh: spot2, pvAvailableW, loadW: flat(96, 100_000), noExportAtNegativePrice: true }));
    expect(b.steps.slice(48).every((s) => s.gridExportW === 0)).toBe(true);
  });

  it('obeys a redispatch curtailment order and a §14a dimming window', () => {
    const order = { startMs: T0 + 40 * STEP_MS, endMs: T0 + 56 * STEP_MS, maxPvPowerW: 50_000 };
    const dim = { startMs: T0 + 64 * STEP_MS, endMs: T0 + 80 * STEP_MS, maxControllablePowerW: 4_200 };
    const plan = optimise(
      highs,
      site({
        tariff: fixedTariff(),
        spotPriceEurPerMWh: undefined,
        pvAvailableW: pvCurve(96, 400_000),
        curtailmentOrders: [order],
        section14aDimming: [dim],
        flexibleLoads: [{ id: 'hp', energyWh: 60_000, deadlineMs: T0 + 96 * STEP_MS, maxPowerW: 11_000, section14a: true }],
      }),
    );
    expect(plan.status).toBe('optimal');
    plan.steps.slice(40, 56).forEach((s) => expect(s.pvW).toBeLessThanOrEqual(50_000 + 1e-6));
    plan.steps.slice(64, 80).forEach((s) => expect(s.flexibleLoads[0]!.powerW).toBeLessThanOrEqual(4_200 + 1e-6));
  });

  it('delivers a flexible load (EV) by its deadline in the cheapest steps, at least its minimum power when on (MILP)', () => {
    const spot = [...flat(40, 200), ...flat(16, 20), ...flat(40, 200)];
    const ev = { id: 'ev', energyWh: 44_000, availableFromMs: T0, deadlineMs: T0 + 80 * STEP_MS, maxPowerW: 22_000, minPowerW: 6_000 };
    const plan = optimise(highs, site({ spotPriceEurPerMWh: spot, flexibleLoads: [ev], peakSoFarW: 500_000 }));
    expect(plan.status).toBe('optimal');
    expect(plan.mixedInteger).toBe(true);
    const p = plan.steps.map((s) => s.flexibleLoads[0]!.powerW);
    expect(p.reduce((a, b) => a + b, 0) * 0.25).toBeCloseTo(44_000, 0);
    expect(p.slice(40, 56).reduce((a, b) => a + b, 0) * 0.25).toBeCloseTo(44_000, 0); // all in the cheap window
    p.forEach((x) => expect(x < 1e-6 || x >= 6_000 - 1e-6).toBe(true));
    expect(p.slice(80).every((x) => x === 0)).toBe(true);
  });

  it('explains an import limit that cannot be met: which limit, which step', () => {
    const loadW = flat(8, 300_000);
    loadW[5] = 1_200_000;
    const plan = optimise(highs, site({ loadW, spotPriceEurPerMWh: flat(8, 100) }));
    expect(plan.status).toBe('infeasible');
    expect(plan.problems).toHaveLength(1);
    expect(plan.problems[0]).toMatchObject({ kind: 'import-limit', step: 5, subject: 'grid.importLimitW' });
    expect(plan.problems[0]!.message).toContain('short by 200.0 kW');
    expect(plan.steps[5]!.gridImportW).toBeCloseTo(1_000_000, 3);
  });

  it('explains a flexible load that cannot get its energy by the deadline', () => {
    const ev = { id: 'ev', energyWh: 100_000, deadlineMs: T0 + 8 * STEP_MS, maxPowerW: 22_000 };
    const plan = optimise(highs, site({ flexibleLoads: [ev] }));
    expect(plan.status).toBe('infeasible');
    expect(plan.problems[0]).toMatchObject({ kind: 'flexible-load-energy', subject: 'flexibleLoads[0] ev' });
    expect(plan.problems[0]!.message).toContain('44.00 of 100.00 kWh');
  });

  it('explains non-curtailable PV above every sink as an export-limit problem', () => {
    const plan = optimise(
      highs,
      site({
        loadW: flat(96, 10_000),
        pvAvailableW: pvCurve(96, 900_000),
        pvCurtailable: false,
        grid: { importLimitW: 1e6, exportLimitW: 100_000 },
      }),
    );
    expect(plan.status).toBe('infeasible');
    expect(plan.problems.every((p) => p.kind === 'export-limit')).toBe(true);
    expect(plan.problems.length).toBeGreaterThan(0);
  });

  it('returns status invalid with the field and reason for bad input, without throwing', () => {
    const plan = optimise(
      highs,
      site({
        startMs: T0 + 1,
        pvAvailableW: flat(95, 0),
        batteries: [battery({ socMinWh: 900_000, socMaxWh: 800_000, chargeEfficiency: 1.2 })],
      }),
    );
    expect(plan.status).toBe('invalid');
    const subjects = plan.problems.map((p) => p.subject);
    expect(subjects).toEqual(expect.arrayContaining(['startMs', 'pvAvailableW', 'batteries[0].chargeEfficiency', 'batteries[0].socMinWh']));
    expect(plan.problems.find((p) => p.subject === 'pvAvailableW')!.message).toBe('pvAvailableW: has 95 values, loadW has 96');
  });

  it('runs two batteries and values the energy left at the end', () => {
    const plan = optimise(
      highs,
      site({
        batteries: [
          battery({ id: 'a', terminalValueEurPerKWh: 0.5 }),
          battery({ id: 'b', initialSocWh: 100_000, terminalSocMinWh: 600_000 }),
        ],
        peakSoFarW: 900_000,
      }),
    );
    expect(plan.status).toBe('optimal');
    const last = plan.steps[95]!;
    expect(last.batteries[0]!.socWh).toBeCloseTo(950_000, 0); // worth more than the 22 ct/kWh it costs to charge
    expect(last.batteries[1]!.socWh).toBeGreaterThanOrEqual(600_000 - 1e-3);
    expect(plan.cost!.terminalValueEur).toBeCloseTo(0.5 * 950, 3);
  });
});
