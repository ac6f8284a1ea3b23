import { beforeAll, describe, expect, it } from 'vitest';
import type { Highs } from 'highs';
import type { GridSignal } from '../control/model.js';
import { loadSolver, optimise } from '../optimiser/optimise.js';
import { STEP_MS, STEP_H } from '../optimiser/model.js';
import { mulberry32 } from '../random.js';
import { DEMO_SITE_ENERGY, siteEnergySchema } from '../site-energy/model.js';
import { fixedTariff } from '../optimiser/fixtures.js';
import { buildPlanInput, MIN_STEPS, persistenceAt, signalsToConstraints, toActivePlan, type PlannerInputs } from './planner.js';
import { demoInputs, measured, realData } from './fixtures.js';

/** 2023-06-14 15:07 CEST: tomorrow's day-ahead prices are out */
const AFTERNOON = Date.parse('2023-06-14T13:07:00Z');
/** 2023-06-14 09:07 CEST: prices known until tonight only */
const MORNING = Date.parse('2023-06-14T07:07:00Z');

function setupOk(p: PlannerInputs) {
  const s = buildPlanInput(p);
  if (!s.ok) throw new Error(`expected a plan input, got waiting: ${s.waiting}`);
  return s;
}

describe('buildPlanInput: horizon', () => {
  it('runs from the current step to the end of the known prices (tomorrow 24:00 local)', async () => {
    const s = setupOk(await demoInputs(AFTERNOON));
    expect(s.input.startMs).toBe(Date.parse('2023-06-14T13:00:00Z'));
    // known until 2023-06-15 24:00 CEST = 22:00Z → 33 h = 132 steps
    expect(s.input.loadW).toHaveLength(132);
    expect(s.summary.horizon.endMs).toBe(Date.parse('2023-06-15T22:00:00Z'));
    expect(s.summary.prices).toMatchObject({ fromKnown: 132, fromForecast: 0, fromPersistence: 0 });
    expect(s.summary.warnings).toEqual([]);
  });

  it('is at least 24 h: beyond the known prices the price forecast fills in', async () => {
    const base = await demoInputs(MORNING);
    const { prices } = await realData();
    // a "forecast" of the next 48 h (here: the real prices, hourly)
    const start = Date.parse('2023-06-14T07:00:00Z');
    const p = prices.filter((r) => r.startMs >= start && r.startMs < start + 48 * 3_600_000).map((r) => r.value);
    const s = setupOk({
      ...base,
      priceForecast: {
        target: 'price',
        model: 'price.profile',
        unit: 'EUR/MWh',
        issuedAtMs: start,
        startMs: start,
        stepMs: 3_600_000,
        p10: p,
        p50: p,
        p90: p,
      },
    });
    expect(s.input.loadW).toHaveLength(MIN_STEPS);
    // known until 2023-06-14 22:00Z: 15 h = 60 steps, the rest from the forecast
    expect(s.summary.prices).toMatchObject({ fromKnown: 60, fromForecast: 36, fromPersistence: 0 });
  });

  it('without a price forecast repeats an earlier day of known prices and says so', async () => {
    const s = setupOk(await demoInputs(MORNING));
    expect(s.input.loadW).toHaveLength(MIN_STEPS);
    expect(s.summary.prices.fromPersistence).toBe(36);
    expect(s.summary.warnings.join(' ')).toMatch(/prices: 36 of 96 steps repeat the known prices of an earlier day/);
    // the repeated value is the price 24 h earlier
    const { prices } = await realData();
    const t = s.input.startMs + 70 * STEP_MS;
    expect(s.input.spotPriceEurPerMWh![70]).toBe(prices.find((r) => r.startMs <= t - 86_400_000 && r.endMs > t - 86_400_000)!.value);
  });

  it('is at most 48 h (192 steps)', async () => {
    const { prices } = await realData();
    const s = setupOk({
      ...(await demoInputs(AFTERNOON)),
      knownPrices: prices.filter((r) => r.startMs >= AFTERNOON - 86_400_000 && r.startMs < AFTERNOON + 5 * 86_400_000),
    });
    expect(s.input.loadW).toHaveLength(192);
  });
});

describe('buildPlanInput: missing inputs', () => {
  it('waits for a load forecast when there is neither a forecast nor measured history', async () => {
    const s = buildPlanInput({ ...(await demoInputs(AFTERNOON)), load: {} });
    expect(s).toEqual({ ok: false, waiting: expect.stringMatching(/^no load forecast for site demo yet/) });
  });

  it('falls back to measured load history (the same time a day earlier) and says so', async () => {
    const { demo } = await realData();
    const from = AFTERNOON - 7 * 86_400_000 - (AFTERNOON % STEP_MS);
    const history = { startMs: from, stepMs: STEP_MS, values: measured(demo, 'load', from, 7 * 96) };
    const s = setupOk({ ...(await demoInputs(AFTERNOON)), load: { history } });
    expect(s.summary.load).toMatchObject({ forecastModel: null, fromForecast: 0, fromPersistence: 132 });
    expect(s.input.loadW[0]).toBe(measured(demo, 'load', s.input.startMs - 86_400_000, 1)[0]);
    expect(s.summary.warnings[0]).toMatch(/load: 132 of 132 steps from persistence of measured load\/power/);
  });

  it('waits for prices under a dynamic tariff, names the zone and what is known', async () => {
    const s = buildPlanInput({ ...(await demoInputs(AFTERNOON)), knownPrices: [] });
    expect(s.ok).toBe(false);
    if (!s.ok)
      expect(s.waiting).toMatch(
        /^no day-ahead price for DE-LU from 2023-06-14T13:00:00.000Z \(known prices until none, no price forecast\)/,
      );
  });

  it('needs no prices under a fixed tariff', async () => {
    const s = setupOk({ ...(await demoInputs(AFTERNOON)), tariff: fixedTariff(), knownPrices: [] });
    expect(s.input.spotPriceEurPerMWh).toBeUndefined();
    expect(s.input.loadW).toHaveLength(MIN_STEPS);
  });

  it('waits for a PV forecast when the site has PV and nothing covers it', async () => {
    const s = buildPlanInput({ ...(await demoInputs(AFTERNOON)), pv: {} });
    expect(s.ok).toBe(false);
    if (!s.ok) expect(s.waiting).toMatch(/^no PV forecast for site demo yet/);
  });

  it('assumes the lower SoC bound when no SoC is measured, and warns', async () => {
    const s = setupOk({ ...(await demoInputs(AFTERNOON)), socPct: {} });
    expect(s.input.batteries![0]!.initialSocWh).toBe(50_000);
    expect(s.summary.warnings).toContain('battery battery: no SoC reading in battery/soc; assumed 5 % (its lower bound)');
  });
});

describe('buildPlanInput: mapping', () => {
  it('maps the battery (SoC % → Wh), grid limits, PV and the chosen quantiles', async () => {
    const base = await demoInputs(AFTERNOON, { socPct: { battery: 62 }, quantile: { load: 'p90', pv: 'p10' } });
    const s = setupOk(base);
    const b = s.input.batteries![0]!;
    expect(b).toMatchObject({ capacityWh: 1_000_000, socMinWh: 50_000, socMaxWh: 950_000, initialSocWh: 620_000, maxChargeW: 500_000 });
    expect(b.terminalValueEurPerKWh).toBeGreaterThan(0);
    expect(s.input.grid).toEqual({ importLimitW: 1_000_000, exportLimitW: 700_000 });
    const i = (s.input.startMs - base.load.forecast!.startMs) / STEP_MS;
    expect(s.input.loadW[3]).toBe(base.load.forecast!.p90[i + 3]);
    expect(s.input.pvAvailableW![3]).toBe(base.pv.forecast!.p10[i + 3]);
    expect(s.input.pvCurtailable).toBe(true);
    expect(s.summary.quantile).toEqual({ load: 'p90', pv: 'p10' });
  });

  it('carries the peak so far and the site peak target into the optimiser (free peak = the higher)', async () => {
    const energy = siteEnergySchema.parse({ ...DEMO_SITE_ENERGY, peakTargetW: 400_000 });
    const a = setupOk(await demoInputs(AFTERNOON, { energy, peakSoFarW: 300_000 }));
    expect(a.input.peakSoFarW).toBe(300_000);
    expect(a.input.freePeakW).toBe(400_000);
    const b = setupOk(await demoInputs(AFTERNOON, { energy, peakSoFarW: 520_000 }));
    expect(b.input.freePeakW).toBe(520_000);
  });

  it('turns grid signals into §14a dimming windows and redispatch orders', () => {
    const base = { siteId: 'demo', source: 'api' as const, receivedAtMs: 0 };
    const signals: GridSignal[] = [
      { ...base, id: 'd1', kind: 'section14a-dimming', fromMs: 1000, toMs: 5000, maxControllablePowerW: 4200 },
      { ...base, id: 'r1', kind: 'redispatch-curtailment', fromMs: 2000, toMs: 9000, maxPvPowerW: 100_000, cancelledAtMs: 6000 },
      { ...base, id: 'old', kind: 'redispatch-curtailment', fromMs: 0, toMs: 500, maxExportPowerW: 0 },
      { ...base, id: 'a1', kind: 'redispatch-activation', fromMs: 1000, toMs: 2000, targetGridW: -50_000 },
    ];
    const c = signalsToConstraints(signals, 900, 10_000);
    expect(c.dimming).toEqual([{ startMs: 1000, endMs: 5000, maxControllablePowerW: 4200 }]);
    expect(c.curtailment).toEqual([{ startMs: 2000, endMs: 6000, maxPvPowerW: 100_000 }]);
    expect(c.used).toEqual(['d1', 'r1']);
    expect(c.warnings).toEqual(['grid signal a1: redispatch activation (grid at -50000 W) is held by the control layer, not planned']);
  });

  it('persistence looks back up to 7 days for a known value', () => {
    const day = 86_400_000;
    const v = (ts: number) => (ts === 10 * day - 3 * day ? 42 : NaN);
    expect(persistenceAt(v, 10 * day)).toBe(42);
    expect(persistenceAt(() => NaN, 10 * day)).toBeNaN();
  });
});

describe('plans from real data (HiGHS)', () => {
  let highs: Highs;
  beforeAll(async () => {
    highs = await loadSolver();
  });

  it('a June afternoon: the battery follows the prices and the active plan holds the peak target', async () => {
    const inputs = await demoInputs(AFTERNOON, { peakSoFarW: 450_000 });
    const s = setupOk(inputs);
    const plan = optimise(highs, s.input);
    expect(plan.status).toBe('optimal');
    const active = toActivePlan({ id: 'p1', siteId: 'demo', createdAtMs: AFTERNOON, reason: 'test' }, DEMO_SITE_ENERGY, plan, 450_000);
    expect(active.steps).toHaveLength(132);
    expect(active.steps[0]!.startMs).toBe(s.input.startMs);
    const maxImport = Math.max(...plan.steps.map((x) => x.gridImportW));
    expect(active.peakTargetW).toBeCloseTo(Math.max(450_000, maxImport), 0);
    // it uses the battery (charges and discharges over 33 h of real prices)
    expect(active.steps.some((x) => x.batteryW.battery! > 1000)).toBe(true);
    expect(active.steps.some((x) => x.batteryW.battery! < -1000)).toBe(true);
  });

  it('property: plan steps respect battery bounds, grid limits and the energy balance (30 random instants of 2023)', async () => {
    const r = mulberry32(2023);
    const e = DEMO_SITE_ENERGY;
    const bat = e.batteries[0]!;
    for (let k = 0; k < 30; k++) {
      const nowMs = Date.parse('2023-01-10T00:00:00Z') + Math.floor(r() * 340 * 96) * STEP_MS + Math.floor(r() * 15) * 60_000;
      const soc = 5 + r() * 90;
      const inputs = await demoInputs(nowMs, { socPct: { battery: soc }, peakSoFarW: r() * 600_000 });
      const s = setupOk(inputs);
      const plan = optimise(highs, s.input);
      expect(plan.status, new Date(nowMs).toISOString()).toBe('optimal');
      const active = toActivePlan({ id: `p${k}`, siteId: 'demo', createdAtMs: nowMs, reason: 'property' }, e, plan, inputs.peakSoFarW);
      let socWh = (soc / 100) * bat.capacityWh;
      active.steps.forEach((st, t) => {
        const ctx = `${new Date(nowMs).toISOString()} step ${t}`;
        expect(st.gridW, ctx).toBeLessThanOrEqual(e.grid.importLimitW + 1);
        expect(st.gridW, ctx).toBeGreaterThanOrEqual(-e.grid.exportLimitW - 1);
        const p = st.batteryW.battery!;
        expect(p, ctx).toBeLessThanOrEqual(bat.maxDischargeW + 1);
        expect(p, ctx).toBeGreaterThanOrEqual(-bat.maxChargeW - 1);
        expect(st.batterySocPct.battery!, ctx).toBeGreaterThanOrEqual(bat.socMinPct - 1e-3);
        expect(st.batterySocPct.battery!, ctx).toBeLessThanOrEqual(bat.socMaxPct + 1e-3);
        // SoC follows the power (one battery: either charging or discharging in a step)
        const b = plan.steps[t]!.batteries[0]!;
        socWh += b.chargeW * bat.chargeEfficiency * STEP_H - (b.dischargeW / bat.dischargeEfficiency) * STEP_H;
        expect(b.socWh, ctx).toBeCloseTo(socWh, 0);
        // energy balance at the grid point: grid = load − PV − battery (no flexible loads here)
        const ps = plan.steps[t]!;
        expect(st.gridW, ctx).toBeCloseTo(ps.loadW - ps.pvW - p, -1);
        // every step lies below the peak target
        expect(Math.max(0, st.gridW), ctx).toBeLessThanOrEqual(active.peakTargetW + 1);
      });
    }
  }, 120_000);
});
