// Property tests on seeded random sites: whatever the case, the plan balances energy in every
// step, keeps every SoC in its bounds, respects every limit, and charges the demand charge on the
// billing period's peak above the peak already set.
import type { Highs } from 'highs';
import { beforeAll, describe, expect, it } from 'vitest';
import { demandChargeIncrement } from '../tariffs/cost.js';
import { billingPeriodOf } from './formulate.js';
import { randomCase } from './fixtures.js';
import { STEP_H, STEP_MS, type OptimiserInput, type Plan } from './model.js';
import { loadSolver, optimise } from './optimise.js';

const SEEDS = Array.from({ length: 40 }, (_, i) => 1000 + i);
/** W: the solver's feasibility tolerance is 1e-7 kW; 0.01 W leaves room for rounding */
const TOL_W = 0.01;

let highs: Highs;
beforeAll(async () => {
  highs = await loadSolver();
});

function solved(seed: number): { input: OptimiserInput; plan: Plan } {
  const input = randomCase(seed, seed % 3 === 0 ? 192 : 96);
  const plan = optimise(highs, input);
  expect(['optimal', 'infeasible'], `seed ${seed}: ${plan.problems.map((p) => p.message).join('; ')}`).toContain(plan.status);
  return { input, plan };
}

describe.each(SEEDS)('random site, seed %i', (seed) => {
  it('balances energy at every step', () => {
    const { input, plan } = solved(seed);
    expect(plan.steps).toHaveLength(input.loadW.length);
    for (const s of plan.steps) {
      const supply = s.pvW + s.gridImportW + s.batteries.reduce((a, b) => a + b.dischargeW, 0) + s.unservedW;
      const demand =
        s.loadW +
        s.gridExportW +
        s.batteries.reduce((a, b) => a + b.chargeW, 0) +
        s.flexibleLoads.reduce((a, f) => a + f.powerW, 0) +
        s.excessW;
      expect(Math.abs(supply - demand), `step at ${new Date(s.startMs).toISOString()}`).toBeLessThan(TOL_W * 10);
    }
  });

  it('keeps every SoC in its bounds and follows the storage equation', () => {
    const { input, plan } = solved(seed);
    (input.batteries ?? []).forEach((b, i) => {
      let prev = b.initialSocWh;
      const lo = Math.min(b.socMinWh, b.initialSocWh);
      const hi = Math.max(b.socMaxWh, b.initialSocWh);
      for (const s of plan.steps) {
        const x = s.batteries[i]!;
        expect(x.socWh).toBeGreaterThanOrEqual(lo - TOL_W);
        expect(x.socWh).toBeLessThanOrEqual(hi + TOL_W);
        expect(x.socWh).toBeLessThanOrEqual(b.capacityWh + TOL_W);
        const expected = prev + (b.chargeEfficiency * x.chargeW - x.dischargeW / b.dischargeEfficiency) * STEP_H;
        expect(Math.abs(x.socWh - expected)).toBeLessThan(1);
        prev = x.socWh;
      }
    });
  });

  it('exceeds no limit', () => {
    const { input, plan } = solved(seed);
    plan.steps.forEach((s, t) => {
      const start = input.startMs + t * STEP_MS;
      const inW = (w: { startMs: number; endMs: number }) => start >= w.startMs && start < w.endMs;
      expect(s.gridImportW).toBeLessThanOrEqual(input.grid.importLimitW + TOL_W);
      expect(s.gridImportW).toBeGreaterThanOrEqual(0);
      expect(s.gridExportW).toBeGreaterThanOrEqual(0);
      let exportCap = input.grid.exportLimitW;
      let pvCap = input.pvAvailableW?.[t] ?? 0;
      for (const o of input.curtailmentOrders ?? []) {
        if (!inW(o)) continue;
        if (o.maxExportPowerW !== undefined) exportCap = Math.min(exportCap, o.maxExportPowerW);
        if (o.maxPvPowerW !== undefined) pvCap = Math.min(pvCap, o.maxPvPowerW);
      }
      if (input.noExportAtNegativePrice && input.spotPriceEurPerMWh![t]! < 0) exportCap = 0;
      expect(s.gridExportW).toBeLessThanOrEqual(exportCap + TOL_W);
      expect(s.pvW).toBeLessThanOrEqual(pvCap + TOL_W);
      (input.batteries ?? []).forEach((b, i) => {
        expect(s.batteries[i]!.chargeW).toBeLessThanOrEqual(b.maxChargeW + TOL_W);
        expect(s.batteries[i]!.dischargeW).toBeLessThanOrEqual(b.maxDischargeW + TOL_W);
      });
      let controllableW = 0;
      (input.flexibleLoads ?? []).forEach((f, i) => {
        const p = s.flexibleLoads[i]!.powerW;
        expect(p).toBeLessThanOrEqual(f.maxPowerW + TOL_W);
        if (p > TOL_W) {
          expect(start).toBeGreaterThanOrEqual(Math.floor((f.availableFromMs ?? input.startMs) / STEP_MS) * STEP_MS);
          expect(start + STEP_MS).toBeLessThanOrEqual(Math.ceil(f.deadlineMs / STEP_MS) * STEP_MS);
          if (f.minPowerW) expect(p).toBeGreaterThanOrEqual(f.minPowerW - 1);
        }
        if (f.section14a) controllableW += p;
      });
      (input.batteries ?? []).forEach((b, i) => {
        if (b.section14a) controllableW += s.batteries[i]!.chargeW;
      });
      for (const w of input.section14aDimming ?? []) if (inW(w)) expect(controllableW).toBeLessThanOrEqual(w.maxControllablePowerW + 1);
    });
    (input.flexibleLoads ?? []).forEach((f, i) => {
      const delivered = plan.steps.reduce((a, s) => a + s.flexibleLoads[i]!.powerW * STEP_H, 0);
      expect(delivered).toBeLessThanOrEqual(f.energyWh + 1);
    });
  });

  it('charges the demand charge on the billing-period peak above the peak already set', () => {
    const { input, plan } = solved(seed);
    const byPeriod = new Map<string, { peakW: number; days: number; year: number }>();
    plan.steps.forEach((s, t) => {
      const bp = billingPeriodOf(input.startMs + t * STEP_MS, input.tariff)!;
      const p = byPeriod.get(bp.key) ?? { peakW: 0, days: bp.periodDays, year: bp.daysInYear };
      p.peakW = Math.max(p.peakW, s.gridImportW);
      byPeriod.set(bp.key, p);
    });
    let expected = 0;
    [...byPeriod.values()].forEach((p, k) => {
      const sunkKw = k === 0 ? (input.peakSoFarW ?? 0) / 1000 : 0;
      expected += demandChargeIncrement(input.tariff, sunkKw, p.peakW / 1000, p.days, p.year);
    });
    expect(plan.cost!.demandChargeIncrementEur).toBeCloseTo(expected, 6);
    // the planned peak column is tight: the reported plan peak is the highest import of the period
    expect(plan.peaks[0]!.planPeakW).toBeCloseTo(byPeriod.values().next().value!.peakW, 6);
    // the tariff module's own breakdown sees the same peak
    expect(plan.cost!.tariff!.demandCharge.peakKw * 1000).toBeCloseTo(Math.max(...[...byPeriod.values()].map((p) => p.peakW)), 3);
  });

  it('reports the solver objective as the tariff module prices the plan (when no slack is used)', () => {
    const { plan } = solved(seed);
    if (plan.status !== 'optimal') return;
    const pvKWh = plan.steps.reduce((a, s) => a + (s.pvW / 1000) * STEP_H, 0);
    expect(Math.abs(plan.solver.objectiveEur! - plan.cost!.objectiveEur)).toBeLessThan(1e-3 + 1e-6 * pvKWh);
  });
});
