/**
 * A flexible-load demand in the plan, on the demo site's real data (load, PV, 2023 DE-LU prices,
 * reference tariff) solved by HiGHS: an EV of 11 kW that needs 40 kWh by 07:00 local. Then the
 * plan goes through toActivePlan to the control tick: the flexible agent writes the plan's power.
 * (No simulated EV device exists: the charger here is a DeviceView, as in control/tick.test.ts.)
 */
import type { Highs } from 'highs';
import { beforeAll, describe, expect, it } from 'vitest';
import { controlTick, type DeviceView } from '../control/tick.js';
import { loadSolver, optimise } from '../optimiser/optimise.js';
import { STEP_H, STEP_MS } from '../optimiser/model.js';
import { DEMO_SITE_ENERGY, siteEnergySchema } from '../site-energy/model.js';
import { demoInputs } from './fixtures.js';
import { buildPlanInput, toActivePlan, type PlannerInputs } from './planner.js';

/** 2023-01-17 18:07 CET: tomorrow's prices are out, dark outside (no PV to soak up) */
const EVENING = Date.parse('2023-01-17T17:07:00Z');
/** 2023-01-18 07:00 CET */
const DEPARTURE = Date.parse('2023-01-18T06:00:00Z');
const EV_MAX_W = 11_000;
const NEED_WH = 40_000;

const energy = siteEnergySchema.parse({
  ...DEMO_SITE_ENERGY,
  flexibleLoads: [{ id: 'ev', kind: 'ev-charger', deviceId: 'ev', powerSeries: 'ev/power', maxPowerW: EV_MAX_W }],
});

function setup(over: Partial<PlannerInputs>) {
  return demoInputs(EVENING, { energy, ...over }).then((p) => {
    const s = buildPlanInput(p);
    if (!s.ok) throw new Error(`waiting: ${s.waiting}`);
    return s;
  });
}

describe('an EV charging demand in the plan (demo data, HiGHS)', () => {
  let highs: Highs;
  beforeAll(async () => {
    highs = await loadSolver();
  });

  it('charges 40 kWh by 07:00 in the cheapest steps, never above 11 kW, nothing after the deadline', async () => {
    const s = await setup({ flexibleDemands: [{ id: 'ev', energyWh: NEED_WH, deadlineMs: DEPARTURE }] });
    expect(s.input.flexibleLoads).toEqual([{ id: 'ev', energyWh: NEED_WH, deadlineMs: DEPARTURE, maxPowerW: EV_MAX_W, section14a: false }]);
    const plan = optimise(highs, s.input);
    expect(plan.status, JSON.stringify(plan.problems)).toBe('optimal');
    const evW = plan.steps.map((st) => st.flexibleLoads.find((f) => f.id === 'ev')?.powerW ?? 0);
    const deadlineStep = (DEPARTURE - s.input.startMs) / STEP_MS;
    expect(Number.isInteger(deadlineStep)).toBe(true);
    // energy met, power within 0…11 kW, nothing after the deadline
    expect(evW.slice(0, deadlineStep).reduce((a, w) => a + w * STEP_H, 0)).toBeCloseTo(NEED_WH, 0);
    for (const w of evW) {
      expect(w).toBeGreaterThanOrEqual(-1e-6);
      expect(w).toBeLessThanOrEqual(EV_MAX_W + 1e-6);
    }
    expect(evW.slice(deadlineStep).every((w) => Math.abs(w) < 1e-6)).toBe(true);

    // cheapest: what the plan pays for the EV's energy at the marginal import price equals the
    // cheapest possible schedule (fill the cheapest steps before the deadline at 11 kW)
    const price = s.input.marginalPrices!.importEurPerKWh.slice(0, deadlineStep);
    const planned = evW.slice(0, deadlineStep).reduce((a, w, t) => a + ((w * STEP_H) / 1000) * price[t]!, 0);
    let left = NEED_WH;
    let cheapest = 0;
    for (const p of [...price].sort((a, b) => a - b)) {
      const wh = Math.min(left, EV_MAX_W * STEP_H);
      cheapest += (wh / 1000) * p;
      left -= wh;
      if (left <= 0) break;
    }
    expect(planned).toBeCloseTo(cheapest, 2);
    // and it is a real choice: charging at once would have cost more
    const atOnce = price.slice(0, Math.ceil(NEED_WH / (EV_MAX_W * STEP_H))).reduce((a, p) => a + p, 0) * ((EV_MAX_W * STEP_H) / 1000);
    expect(atOnce).toBeGreaterThan(cheapest + 0.01);
    // the charging is not at the start of the evening (18:00–22:00 local is expensive)
    expect(evW[0]).toBeLessThan(1);
  });

  it('a charger with a minimum current (6 A × 3 phases ≈ 4.14 kW) is on at ≥ 4.14 kW or off (MILP), energy met', async () => {
    const withMin = siteEnergySchema.parse({
      ...energy,
      flexibleLoads: [{ ...energy.flexibleLoads[0]!, minPowerW: 4_140 }],
    });
    // every step is off or between the minimum and the maximum power
    const s = await setup({ energy: withMin, flexibleDemands: [{ id: 'ev', energyWh: 10_000, deadlineMs: DEPARTURE }] });
    expect(s.input.flexibleLoads![0]).toMatchObject({ minPowerW: 4_140 });
    const plan = optimise(highs, s.input);
    expect(plan.status, JSON.stringify(plan.problems)).toBe('optimal');
    expect(plan.mixedInteger).toBe(true);
    const evW = plan.steps.map((st) => st.flexibleLoads.find((f) => f.id === 'ev')?.powerW ?? 0);
    for (const w of evW) expect(w < 1e-6 || (w >= 4_140 - 1e-6 && w <= EV_MAX_W + 1e-6), String(w)).toBe(true);
    expect(evW.reduce((a, w) => a + w * STEP_H, 0)).toBeCloseTo(10_000, 0);
  });

  it('the active plan carries flexibleW and the control tick writes it to the charger', async () => {
    // an earlier peak of 900 kW this month: the night's steps lie well below the peak target, so the
    // agents' peak shaving (line 1 % below the target) stays out of it and the plan is followed as is
    const s = await setup({ peakSoFarW: 900_000, flexibleDemands: [{ id: 'ev', energyWh: NEED_WH, deadlineMs: DEPARTURE }] });
    const plan = optimise(highs, s.input);
    const active = toActivePlan({ id: 'p-ev', siteId: 'demo', createdAtMs: EVENING, reason: 'flexible' }, energy, plan, 900_000);
    expect(active.peakTargetW).toBeCloseTo(900_000, 0);
    const charging = active.steps.find((st) => (st.flexibleW.ev ?? 0) > 5_000)!;
    expect(charging).toBeDefined();
    const idle = active.steps.find((st) => st.startMs < DEPARTURE && st.flexibleW.ev === 0)!;
    expect(idle).toBeDefined();
    const charger: DeviceView = { writable: true, state: 'online', setpoints: [{ name: 'power', unit: 'W', min: 0, max: 22_000 }] };
    const tickAt = (step: typeof charging, evPowerW: number) => {
      const nowMs = step.startMs + 60_000;
      // the grid meter sees the plan's grid power with the EV's measured power in place of its planned one
      const gridW = step.gridW - (step.flexibleW.ev ?? 0) + evPowerW;
      const latest = {
        'grid/power': gridW,
        'battery/power': step.batteryW.battery!,
        'battery/soc': 50,
        'pv/power': 0,
        'ev/power': evPowerW,
      };
      return controlTick({
        siteId: 'demo',
        energy,
        nowMs,
        automationEnabled: true,
        plan: active,
        overrides: [],
        signals: [],
        rules: undefined,
        latest: Object.fromEntries(Object.entries(latest).map(([k, value]) => [k, { tsMs: nowMs - 2_000, value }])),
        gridSamples: [{ tsMs: step.startMs, powerW: gridW }],
        devices: { battery: { ...charger, setpoints: [{ name: 'power', unit: 'W', min: -500_000, max: 500_000 }] }, ev: charger },
        last: {},
      }).decisions.find((d) => d.assetId === 'ev')!;
    };
    const on = tickAt(charging, 0);
    expect(on).toMatchObject({ kind: 'flexible', mode: 'auto', command: { source: 'plan', deviceId: 'ev', setpoint: 'power' } });
    expect(on.command!.writtenW).toBeCloseTo(charging.flexibleW.ev!, 0);
    const off = tickAt(idle, 11_000);
    expect(off.command).toMatchObject({ source: 'plan', writtenW: 0 });
  });

  it('without a demand the EV is left out of the plan (its agent leaves it alone); an unknown asset is a warning', async () => {
    const s = await setup({});
    expect(s.input.flexibleLoads).toEqual([]);
    const active = toActivePlan({ id: 'p0', siteId: 'demo', createdAtMs: EVENING, reason: 'x' }, energy, optimise(highs, s.input), 0);
    expect(active.steps[0]!.flexibleW).toEqual({});
    const w = await setup({ flexibleDemands: [{ id: 'boiler', energyWh: 1000, deadlineMs: DEPARTURE }] });
    expect(w.input.flexibleLoads).toEqual([]);
    expect(w.summary.warnings.join(' ')).toMatch(/flexible demand boiler: no such flexible load/);
  });
});
