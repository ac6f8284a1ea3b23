/**
 * Luna's model predictive control as the backtest runs it: every `replanSteps` a plan over the
 * next `horizonSteps` from the forecasts, the current SoC and the billing period's peak so far;
 * between re-plans the plan's battery setpoints, corrected by a real-time peak guard.
 *
 * The demand charge is the crux. The peak already set in the billing period is sunk: the plan
 * pays only for raising it (optimiser: `peakSoFarW`). The guard carries the plan's peak target
 * into real time: when the actual import would exceed max(peak so far, planned import) — the
 * forecast was wrong — the battery discharges more to hold it.
 */
import type { Highs } from 'highs';
import { costBreakdown } from '../tariffs/cost.js';
import { optimise } from '../optimiser/optimise.js';
import { STEP_MS, type Plan } from '../optimiser/model.js';
import type { ForecastProvider } from './forecast.js';
import type { Controller, SiteYear } from './simulate.js';

export interface MpcOptions {
  name: string;
  forecast: ForecastProvider;
  /** re-plan every this many steps (4 = hourly) */
  replanSteps: number;
  /** plan horizon, steps (≤ 192) */
  horizonSteps: number;
  /** hold the plan's peak in real time (see above); default true */
  peakGuard?: boolean;
  /** guard line: the plan's peak target ('peak', default) or the planned import of the step ('step') */
  guardAt?: 'peak' | 'step';
  /**
   * a peak target for the billing period, W: import up to it is free in every plan (e.g. what a live
   * site takes from last year's bill). Default none: only the peak already set counts.
   */
  peakTargetW?: number;
  /** SoC the plans keep in reserve for the peak guard, Wh (the guard may use it; default none) */
  reserveWh?: number;
  /** value of stored energy at the horizon end, EUR/kWh; default: the horizon's mean import price × discharge efficiency − wear */
  terminalValueEurPerKWh?: number;
}

export interface MpcStats {
  plans: number;
  failedPlans: number;
  infeasiblePlans: number;
  guardSteps: number;
}

/**
 * The tariff's marginal prices are affine in the spot price (costBreakdown: (spot + surcharges +
 * grid charge) × (1 + VAT) for import, spot − margin or a fixed price for export). Evaluating
 * costBreakdown once at spot 0 and once at 1000 EUR/MWh over the whole axis gives both
 * coefficients, so each plan prices its forecast spot without a per-plan time-zone walk.
 */
export function affineMarginals(
  site: SiteYear,
): (from: number, spot: readonly number[]) => { importEurPerKWh: number[]; exportEurPerKWh: number[] } {
  const n = site.loadW.length;
  const zeros = new Array<number>(n).fill(0);
  const at = (v: number) =>
    costBreakdown(
      site.tariff,
      { start: new Date(site.startMs), importEnergyWh: zeros, exportEnergyWh: zeros },
      { spotPriceEurPerMWh: new Array<number>(n).fill(v) },
    ).marginal;
  const m0 = at(0);
  const m1 = at(1000);
  return (from, spot) => ({
    importEurPerKWh: spot.map(
      (p, k) => m0.importEurPerKWh[from + k]! + ((m1.importEurPerKWh[from + k]! - m0.importEurPerKWh[from + k]!) * p) / 1000,
    ),
    exportEurPerKWh: spot.map(
      (p, k) => m0.exportEurPerKWh[from + k]! + ((m1.exportEurPerKWh[from + k]! - m0.exportEurPerKWh[from + k]!) * p) / 1000,
    ),
  });
}

export function mpcController(highs: Highs, site: SiteYear, opts: MpcOptions): Controller & { stats: MpcStats } {
  const n = site.loadW.length;
  const stats: MpcStats = { plans: 0, failedPlans: 0, infeasiblePlans: 0, guardSteps: 0 };
  let plan: Plan | null = null;
  let planStart = 0;
  const b = site.battery;
  const marginals = affineMarginals(site);

  function replan(step: number, socWh: number, peakSoFarW: number): void {
    const steps = Math.min(opts.horizonSteps, n - step);
    const nowMs = site.startMs + step * STEP_MS;
    const fc = opts.forecast({ step, nowMs, steps });
    const meanSpot = fc.spotPriceEurPerMWh.reduce((a, v) => a + v, 0) / steps;
    // default terminal value: what a stored kWh displaces later, roughly the mean import price of the horizon
    const surcharge =
      site.tariff.energy.type === 'dynamic' ? site.tariff.energy.surcharges.reduce((a, s) => a + s.priceCtPerKWh, 0) / 100 : 0;
    // at the end of the data the year's own valuation applies (the same as perfect foresight's)
    const terminal =
      step + steps >= n
        ? site.storedEnergyValueEurPerKWh
        : (opts.terminalValueEurPerKWh ?? Math.max(0, (meanSpot / 1000 + surcharge) * b.dischargeEfficiency - (b.wearCostEurPerKWh ?? 0)));
    plan = optimise(
      highs,
      {
        startMs: nowMs,
        tariff: site.tariff,
        spotPriceEurPerMWh: fc.spotPriceEurPerMWh,
        marginalPrices: marginals(step, fc.spotPriceEurPerMWh),
        loadW: fc.loadW,
        pvAvailableW: fc.pvW,
        grid: site.grid,
        batteries: [
          {
            ...b,
            socMinWh: Math.max(b.socMinWh, Math.min(b.socMaxWh, opts.reserveWh ?? 0)),
            initialSocWh: socWh,
            terminalValueEurPerKWh: terminal,
          },
        ],
        peakSoFarW,
        ...(opts.peakTargetW !== undefined ? { freePeakW: Math.max(peakSoFarW, opts.peakTargetW) } : {}),
      },
      { breakdown: false },
    );
    planStart = step;
    stats.plans++;
    if (plan.status === 'infeasible') stats.infeasiblePlans++;
    if (plan.status === 'invalid' || plan.status === 'failed') {
      stats.failedPlans++;
      plan = null;
    }
  }

  return {
    name: opts.name,
    curtailNegativeExport: true,
    stats,
    batteryPowerW({ step, socWh, peakSoFarW }) {
      if (plan === null || step - planStart >= opts.replanSteps || step - planStart >= plan.steps.length) replan(step, socWh, peakSoFarW);
      // no plan (solver failure): fall back to self-consumption for this step
      if (plan === null) return site.loadW[step]! - site.pvW[step]!;
      const ps = plan.steps[step - planStart]!;
      let p = ps.batteries[0]!.powerW;
      if (opts.peakGuard ?? true) {
        // the plan's peak target (its highest planned import in this billing period) is free to use;
        // holding a lower line would spend energy the plan keeps for its own peak steps
        const target = opts.guardAt === 'step' ? ps.gridImportW : Math.max(ps.gridImportW, plan.peaks[0]?.planPeakW ?? 0);
        const threshold = Math.max(peakSoFarW, target);
        const importW = site.loadW[step]! - site.pvW[step]! - p;
        if (importW > threshold + 1) {
          p += importW - threshold;
          stats.guardSteps++;
        }
      }
      return p;
    },
  };
}
