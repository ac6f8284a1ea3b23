// The MPC loop as the backtest runs it with its own forecasts and the peak-aware options, and the
// bandit evaluation around it: properties of issue #7 at every step (energy balance, SoC bounds,
// limits, the demand charge on the billing-period peak) and the reward bookkeeping.
import type { Highs } from 'highs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadSolver } from '../optimiser/optimise.js';
import { synthSite } from './test-fixtures.js';
import { thompsonBandit } from '../recommend/bandit.js';
import { banditController, DEFAULT_ARMS } from './bandit-eval.js';
import { seasonalNaiveForecast } from './forecast.js';
import { mpcController, type MpcOptions } from './mpc.js';
import { noBattery, periodKeys, simulate, type Controller, type StepState } from './simulate.js';

let highs: Highs;
beforeAll(async () => {
  highs = await loadSolver();
});

const PEAK_AWARE: Omit<MpcOptions, 'name' | 'forecast'> = {
  replanSteps: 4,
  horizonSteps: 192,
  loadQuantile: { q: 0.9, maxShare: 0.2 },
  pastReserve: {},
  track: 'discharge',
  surplusGuard: true,
  chargeGuard: true,
};

/** records what the simulation told the controller */
function spy(c: Controller): Controller & { seen: StepState[] } {
  const seen: StepState[] = [];
  return { ...c, seen, batteryPowerW: (s) => (seen.push(s), c.batteryPowerW(s)) };
}

describe('peak-aware MPC loop with its own forecasts', () => {
  it('balances energy, keeps SoC and limits, and bills the demand charge on each billing period’s peak', () => {
    const site = synthSite(10, 5);
    const n = site.loadW.length;
    const mpc = mpcController(highs, site, {
      ...PEAK_AWARE,
      name: 'mpc',
      forecast: seasonalNaiveForecast({ ...site, timeZone: 'Europe/Berlin' }, { levelSteps: 8 }),
    });
    const c = spy(mpc);
    const r = simulate(site, c);
    const b = site.battery;
    expect(mpc.stats.failedPlans).toBe(0);
    expect(r.importLimitViolations).toBe(0);
    const keys = periodKeys(site, n);
    const peakKw = new Map<string, number>();
    let peakSoFar = 0;
    for (let t = 0; t < n; t++) {
      const imp = r.importEnergyWh[t]! * 4;
      const exp = r.exportEnergyWh[t]! * 4;
      expect(imp - exp).toBeCloseTo(site.loadW[t]! - r.pvUsedW[t]! - r.batteryPowerW[t]!, 6);
      expect(imp * exp).toBe(0);
      expect(r.socWh[t]!).toBeGreaterThanOrEqual(b.socMinWh - 1e-6);
      expect(r.socWh[t]!).toBeLessThanOrEqual(b.socMaxWh + 1e-6);
      expect(r.batteryPowerW[t]!).toBeLessThanOrEqual(b.maxDischargeW + 1e-6);
      expect(-r.batteryPowerW[t]!).toBeLessThanOrEqual(b.maxChargeW + 1e-6);
      expect(imp).toBeLessThanOrEqual(site.grid.importLimitW + 1e-6);
      expect(exp).toBeLessThanOrEqual(site.grid.exportLimitW + 1e-6);
      // the controller is told the billing period's peak so far, which restarts with each period
      if (t > 0 && keys[t] !== keys[t - 1]) peakSoFar = 0;
      expect(c.seen[t]!.peakSoFarW).toBeCloseTo(peakSoFar, 6);
      // charging never sets a new peak
      if (r.batteryPowerW[t]! < 0) expect(imp).toBeLessThanOrEqual(Math.max(peakSoFar, site.loadW[t]! - site.pvW[t]!) + 1e-6);
      peakSoFar = Math.max(peakSoFar, imp);
      peakKw.set(keys[t]!, Math.max(peakKw.get(keys[t]!) ?? 0, imp / 1000));
    }
    // the bill's demand charge: each month's own peak, the annual price pro-rated by the month's hours
    expect(r.tariff.demandCharge.periods.map((p) => p.peakKw)).toEqual([...peakKw.values()].map((v) => expect.closeTo(v, 6)));
    expect(keys[0]).not.toBe(keys[n - 1]); // the run crosses a billing period
  });
});

describe('bandit evaluation', () => {
  it('books one reward per period that add up to the saving against no battery', () => {
    const site = synthSite(6, 7);
    const keys = periodKeys(site, site.loadW.length);
    const forecast = seasonalNaiveForecast({ ...site, timeZone: 'Europe/Berlin' }, { levelSteps: 8 });
    const bandit = thompsonBandit(DEFAULT_ARMS, { seed: 3, priorVar: 1e6 });
    const ctl = banditController(site, mpcController(highs, site, { ...PEAK_AWARE, name: 'b', forecast }), {
      arms: DEFAULT_ARMS,
      bandit,
      periodSteps: 96,
      keys,
    });
    const r = simulate(site, ctl, undefined, keys);
    const none = simulate(site, noBattery(), undefined, keys);
    expect(ctl.outcomes).toHaveLength(6);
    expect(Object.values(ctl.counts).reduce((a, v) => a + v, 0)).toBe(6);
    const demand = site.tariff.grid.demandCharge!;
    const energyOnly = (x: typeof r) => x.tariff.totalEur - x.tariff.demandCharge.totalEur;
    // the rewards price each period's rise of the billing peak at the period's demand price
    const peakEur = (x: typeof r) => x.tariff.demandCharge.periods.reduce((a, p) => a + (p.peakKw * demand.priceEurPerKwPerYear) / 12, 0);
    const saving = energyOnly(none) + peakEur(none) - (energyOnly(r) + r.wearEur + r.storedEnergyEur + peakEur(r));
    expect(ctl.outcomes.reduce((a, o) => a + o.rewardEur, 0)).toBeCloseTo(saving, 6);
  });

  it('a fixed variant keeps its arm all along', () => {
    const site = synthSite(3, 2);
    const forecast = seasonalNaiveForecast({ ...site, timeZone: 'Europe/Berlin' });
    const ctl = banditController(site, mpcController(highs, site, { ...PEAK_AWARE, name: 'f', forecast }), {
      arms: [DEFAULT_ARMS[2]!],
      bandit: null,
      periodSteps: 96,
      keys: periodKeys(site, site.loadW.length),
    });
    simulate(site, ctl);
    expect(ctl.counts).toEqual({ [DEFAULT_ARMS[2]!.id]: 3 });
  });
});
