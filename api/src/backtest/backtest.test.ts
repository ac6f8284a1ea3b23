// The backtest's parts on small synthetic sites: physics conserve energy, forecasts cannot look
// ahead, the MPC loop with perfect forecasts reaches the one-shot optimum, capture arithmetic.
import type { Highs } from 'highs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadSolver } from '../optimiser/optimise.js';
import { SYNTH_START, synthSite } from './test-fixtures.js';
import { knownPricesEnd, perfectForecast, seasonalNaiveForecast } from './forecast.js';
import { mpcController } from './mpc.js';
import { perfectForesightPlan } from './perfect-foresight.js';
import { toQuarterHours } from './reference.js';
import { capture, monthRanges, sliceCost } from './report.js';
import { noBattery, schedule, selfConsumption, simulate } from './simulate.js';

const START = SYNTH_START;

let highs: Highs;
beforeAll(async () => {
  highs = await loadSolver();
});

describe('simulate', () => {
  it('conserves energy at every step and keeps the battery within its limits', () => {
    const site = synthSite(4);
    for (const c of [
      noBattery(),
      selfConsumption(site),
      schedule(
        'random',
        site.loadW.map((_, i) => (i % 7) * 150_000 - 450_000),
      ),
    ]) {
      const r = simulate(site, c);
      const b = site.battery;
      r.importEnergyWh.forEach((imp, t) => {
        const net = (imp - r.exportEnergyWh[t]!) * 4; // W
        expect(net).toBeCloseTo(site.loadW[t]! - r.pvUsedW[t]! - r.batteryPowerW[t]!, 6);
        expect(r.pvUsedW[t]!).toBeLessThanOrEqual(site.pvW[t]! + 1e-9);
        expect(r.exportEnergyWh[t]! * 4).toBeLessThanOrEqual(site.grid.exportLimitW + 1e-6);
        expect(r.socWh[t]!).toBeGreaterThanOrEqual(b.socMinWh - 1e-6);
        expect(r.socWh[t]!).toBeLessThanOrEqual(b.socMaxWh + 1e-6);
        expect(r.batteryPowerW[t]!).toBeLessThanOrEqual(b.maxDischargeW + 1e-6);
        expect(r.batteryPowerW[t]!).toBeGreaterThanOrEqual(-b.maxChargeW - 1e-6);
      });
      expect(r.totalEur).toBeCloseTo(r.tariff.totalEur + r.wearEur + r.storedEnergyEur, 6);
    }
  });

  it('self-consumption charges only from PV surplus and discharges only to cover import', () => {
    const site = synthSite(3);
    const r = simulate(site, selfConsumption(site));
    r.batteryPowerW.forEach((p, t) => {
      if (p < 0) expect(-p).toBeLessThanOrEqual(site.pvW[t]! - site.loadW[t]! + 1e-6);
      if (p > 0) expect(p).toBeLessThanOrEqual(site.loadW[t]! - site.pvW[t]! + 1e-6);
    });
  });
});

describe('forecast providers', () => {
  it('seasonal naive reads only the past (changing the future changes nothing)', () => {
    const site = synthSite(10);
    const series = { ...site, timeZone: 'Europe/Berlin' };
    const step = 8 * 96 + 30;
    const req = { step, nowMs: START + step * 900_000, steps: 192 };
    const a = seasonalNaiveForecast(series, { levelSteps: 8 })(req);
    const future = (xs: readonly number[]) => xs.map((v, i) => (i >= step ? v * 3 + 1 : v));
    const b = seasonalNaiveForecast(
      {
        ...series,
        loadW: future(site.loadW),
        pvW: future(site.pvW),
        spotPriceEurPerMWh: site.spotPriceEurPerMWh.map((v, i) => (i >= knownPricesEnd(series, req.nowMs) ? v + 500 : v)),
      },
      { levelSteps: 8 },
    )(req);
    expect(b).toEqual(a);
    expect(perfectForecast(series)(req).loadW).toEqual(site.loadW.slice(step, step + 192));
  });

  it('knows tomorrow’s day-ahead prices from 13:00 local time', () => {
    const series = { startMs: START, timeZone: 'Europe/Berlin' };
    expect(knownPricesEnd(series, START + 12 * 3_600_000)).toBe(96); // noon: today only
    expect(knownPricesEnd(series, START + 13 * 3_600_000)).toBe(192); // 13:00: tomorrow too
  });
});

describe('MPC loop', () => {
  it('with perfect forecasts reaches the perfect-foresight optimum within 0.5 % of the saving', () => {
    const site = synthSite(4, 3);
    const none = simulate(site, noBattery());
    const pf = perfectForesightPlan(highs, site);
    expect(pf.status).toBe('optimal');
    const perfect = simulate(
      site,
      schedule(
        'pf',
        pf.steps.map((s) => s.batteries[0]!.powerW),
      ),
    );
    // the replayed schedule imports what the LP planned: same physics, same data
    pf.steps.forEach((s, t) => expect(perfect.importEnergyWh[t]! * 4).toBeCloseTo(s.gridImportW, 0));
    const c = mpcController(highs, site, {
      name: 'mpc',
      forecast: perfectForecast({ ...site, timeZone: 'Europe/Berlin' }),
      replanSteps: 4,
      horizonSteps: 192,
    });
    const mpc = simulate(site, c);
    expect(c.stats.failedPlans).toBe(0);
    expect(none.totalEur - perfect.totalEur).toBeGreaterThan(100); // there is something to capture
    expect(capture(none.totalEur, mpc.totalEur, perfect.totalEur)).toBeGreaterThan(0.995);
    expect(capture(none.totalEur, mpc.totalEur, perfect.totalEur)).toBeLessThan(1 + 1e-6); // the bound is a bound
  });
});

describe('report', () => {
  it('capture is the share of the bound saving; months split at local midnight', () => {
    expect(capture(100, 80, 60)).toBeCloseTo(0.5, 12);
    expect(capture(100, 110, 60)).toBeCloseTo(-0.25, 12);
    const site = synthSite(4);
    const months = monthRanges(site, site.loadW.length);
    expect(months.map((m) => m[0])).toEqual(['2023-05', '2023-06']);
    expect(months[1]![1]).toBe(3 * 96); // 2023-06-01 00:00 CEST
    const r = simulate(site, noBattery());
    expect(sliceCost(site, r, 0, months[0]![2]) + sliceCost(site, r, months[1]![1], months[1]![2])).toBeCloseTo(r.totalEur, 6);
  });

  it('resamples hourly rows to quarters and fills a gap from the day before', () => {
    const rows = Array.from({ length: 48 }, (_, h) => ({ epochMs: START + h * 3_600_000, value: h }));
    rows.splice(30, 1); // hour 30 missing
    const { values, filled } = toQuarterHours(rows, START, 192);
    expect(values.slice(0, 8)).toEqual([0, 0, 0, 0, 1, 1, 1, 1]);
    expect(filled).toBe(4);
    expect(values.slice(120, 124)).toEqual([6, 6, 6, 6]); // hour 30 ← hour 6
  });
});
