/**
 * Luna's model predictive control as the backtest runs it: every `replanSteps` a plan over the
 * next `horizonSteps` from the forecasts, the current SoC and the billing period's peak so far;
 * between re-plans the plan's battery setpoints, corrected by a real-time peak guard.
 *
 * The demand charge is the crux. The peak already set in the billing period is sunk: the plan
 * pays only for raising it (optimiser: `peakSoFarW`). The guard carries the plan's peak target
 * into real time: when the actual import would exceed max(peak so far, planned import) — the
 * forecast was wrong — the battery discharges more to hold it.
 *
 * Peak-aware options (all learnt from the past only; README "Peak-aware MPC"): plan on a pessimistic
 * load from the MPC's own error record (`loadQuantile`), keep an SoC reserve from the last days
 * (`pastReserve`), discharge only what keeps the planned import (`track`), let SoC above the plan
 * hold the peak so far (`surplusGuard`), never set a peak by charging (`chargeGuard`). Charging never
 * pushes the import above the connection limit (always). `configure` switches the variant options
 * while running (the bandit evaluation, bandit-eval.ts).
 */
import type { Highs } from 'highs';
import { costBreakdown } from '../tariffs/cost.js';
import { optimise } from '../optimiser/optimise.js';
import { STEP_H, STEP_MS, type Plan } from '../optimiser/model.js';
import type { ForecastProvider } from './forecast.js';
import {
  ErrorQuantiles,
  PastPeakTarget,
  PastReserve,
  type ErrorQuantileOptions,
  type PastPeakTargetOptions,
  type PastReserveOptions,
} from './peak.js';
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
  /**
   * guard line: the plan's peak target ('peak', default), the planned import of the step ('step'),
   * or only the peak so far and the target ('soFar': the plan's own line is ignored, e.g. when it
   * plans without a reserve the guard may spend)
   */
  guardAt?: 'peak' | 'step' | 'soFar';
  /**
   * how a plan step is carried out when the actual load differs from the plan's: 'battery' (default)
   * keeps the planned battery power (the grid takes the error); 'discharge' discharges at most what
   * keeps the planned import (a peak planned on a too high forecast does not drain the battery);
   * 'grid' keeps the planned grid exchange (the battery takes the whole error, within its limits).
   */
  track?: 'battery' | 'discharge' | 'grid';
  /**
   * the SoC above the plan's trajectory (the load came in below the pessimistic forecast) holds
   * max(peak so far, target) even where the plan's own line is higher (default false)
   */
  surplusGuard?: boolean;
  /** charging never raises the import above max(peak so far, target) (default false: the plan's import counts) */
  chargeGuard?: boolean;
  /**
   * a peak target for the billing period, W: import up to it is free in every plan (e.g. what a live
   * site takes from last year's bill). Default none: only the peak already set counts.
   */
  peakTargetW?: number;
  /** energy above the SoC minimum the plans keep in reserve for the peak guard, Wh (the guard may use it; default none) */
  reserveWh?: number;
  /**
   * a peak target learnt from the past days (peak.ts PastPeakTarget): import up to it is free in
   * every plan and the guard holds max(peak so far, target, plan). Combines with peakTargetW (the higher counts).
   */
  pastPeakTarget?: PastPeakTargetOptions;
  /**
   * plan on a pessimistic load: the forecast + an upper quantile of this MPC's own past errors where
   * the load is high (peak.ts ErrorQuantiles), so plans keep energy for peaks the forecast misses.
   */
  loadQuantile?: ErrorQuantileOptions;
  /**
   * an SoC reserve from the past (peak.ts PastReserve): the plans keep back the energy the worst of
   * the last days needed above max(peak so far, target); the guard may spend it. Adds to reserveWh.
   */
  pastReserve?: PastReserveOptions;
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

/** the options a strategy variant may change while the MPC runs (the bandit evaluation switches them) */
export type MpcVariantOptions = Pick<MpcOptions, 'reserveWh' | 'pastReserve' | 'loadQuantile' | 'pastPeakTarget' | 'peakTargetW'>;

export interface MpcController extends Controller {
  stats: MpcStats;
  /** change the variant options from the next step on (the next step re-plans) */
  configure(patch: MpcVariantOptions): void;
}

export function mpcController(highs: Highs, site: SiteYear, initial: MpcOptions): MpcController {
  let opts: MpcOptions = { ...initial };
  const n = site.loadW.length;
  const stats: MpcStats = { plans: 0, failedPlans: 0, infeasiblePlans: 0, guardSteps: 0 };
  let plan: Plan | null = null;
  let planStart = 0;
  /** per plan step: the pessimistic load the plan used − the forecast (0 without loadQuantile), W */
  let shiftW: number[] = [];
  let planSoc0 = 0;
  /** the plan's highest import in the current billing period less the pessimistic shift of its step, W */
  let planPeakP50W = 0;
  const b = site.battery;
  const marginals = affineMarginals(site);
  const past = (t: number) => site.loadW[t]! - site.pvW[t]!;
  const pastTarget = new PastPeakTarget(
    past,
    { energyWh: b.socMaxWh - b.socMinWh, maxDischargeW: b.maxDischargeW, dischargeEfficiency: b.dischargeEfficiency },
    opts.pastPeakTarget?.energyShare,
  );
  // the error record runs always (a variant may switch the pessimistic load on later)
  const errors = new ErrorQuantiles((t) => site.loadW[t]!, opts.loadQuantile ?? { q: 0.9 });
  const pastReserve = new PastReserve(past, b.dischargeEfficiency);
  /** the billing-peak target of the current plan (0 = none), W */
  let targetW = 0;

  function replan(step: number, socWh: number, peakSoFarW: number): void {
    const steps = Math.min(opts.horizonSteps, n - step);
    const nowMs = site.startMs + step * STEP_MS;
    const fc = opts.forecast({ step, nowMs, steps });
    // the controller reads only steps before `step` (the past) for its target and error statistics
    targetW = Math.max(opts.peakTargetW ?? 0, opts.pastPeakTarget ? pastTarget.targetW(step, opts.pastPeakTarget) : 0);
    const reserveWh =
      (opts.reserveWh ?? 0) + (opts.pastReserve ? pastReserve.reserveWh(step, Math.max(peakSoFarW, targetW), opts.pastReserve) : 0);
    errors.record(step, fc.loadW);
    const loadW = opts.loadQuantile ? errors.upper(step, fc.loadW, site.grid.importLimitW, opts.loadQuantile) : fc.loadW;
    shiftW = loadW.map((v, k) => v - fc.loadW[k]!);
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
        loadW,
        pvAvailableW: fc.pvW,
        grid: site.grid,
        batteries: [
          {
            ...b,
            socMinWh: Math.max(b.socMinWh, Math.min(b.socMaxWh, b.socMinWh + reserveWh)),
            initialSocWh: socWh,
            terminalValueEurPerKWh: terminal,
          },
        ],
        peakSoFarW,
        ...(targetW > 0 ? { freePeakW: Math.max(peakSoFarW, targetW) } : {}),
      },
      { breakdown: false },
    );
    planStart = step;
    planSoc0 = socWh;
    planPeakP50W = 0;
    if (plan.status !== 'invalid' && plan.status !== 'failed') {
      const first = plan.peaks[0];
      const end = plan.peaks[1]?.firstStep ?? plan.steps.length;
      if (first) for (let k = first.firstStep; k < end; k++) planPeakP50W = Math.max(planPeakP50W, plan.steps[k]!.gridImportW - shiftW[k]!);
    }
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
    configure(patch) {
      opts = { ...opts, ...patch };
      plan = null;
    },
    batteryPowerW({ step, socWh, peakSoFarW }) {
      if (plan === null || step - planStart >= opts.replanSteps || step - planStart >= plan.steps.length) replan(step, socWh, peakSoFarW);
      // no plan (solver failure): fall back to self-consumption for this step
      if (plan === null) return site.loadW[step]! - site.pvW[step]!;
      const ps = plan.steps[step - planStart]!;
      let p = ps.batteries[0]!.powerW;
      const track = opts.track ?? 'battery';
      if (track !== 'battery') {
        // forecast error of this step's net load (the plan's load − its PV before curtailment)
        // against the forecast itself, not the pessimistic load the plan kept energy for
        const errW = site.loadW[step]! - site.pvW[step]! - (ps.loadW - shiftW[step - planStart]! - ps.pvW - ps.pvCurtailedW);
        if (track === 'grid') p += errW;
        else if (p > 0 && errW < 0) p = Math.max(0, p + errW);
      }
      if (opts.peakGuard ?? true) {
        // the plan's peak target (its highest planned import in this billing period) is free to use;
        // holding a lower line would spend energy the plan keeps for its own peak steps
        const target =
          opts.guardAt === 'soFar'
            ? 0
            : opts.guardAt === 'step'
              ? ps.gridImportW - shiftW[step - planStart]!
              : Math.max(ps.gridImportW - shiftW[step - planStart]!, planPeakP50W);
        const threshold = Math.max(peakSoFarW, target, targetW);
        const importW = site.loadW[step]! - site.pvW[step]! - p;
        if (importW > threshold + 1) {
          p += importW - threshold;
          stats.guardSteps++;
        }
        if (opts.surplusGuard) {
          // energy above what the plan expected to hold at this step holds the lower line too
          const plannedSocWh = step === planStart ? planSoc0 : plan.steps[step - planStart - 1]!.batteries[0]!.socWh;
          const low = Math.max(peakSoFarW, targetW);
          const over = site.loadW[step]! - site.pvW[step]! - p - low;
          const surplusW = ((socWh - plannedSocWh) * b.dischargeEfficiency) / STEP_H;
          if (over > 1 && surplusW > 0) p += Math.min(over, surplusW);
        }
      }
      // never import above the connection limit because of a planned charge (the load came in higher)
      const netNowW = site.loadW[step]! - site.pvW[step]!;
      if (p < 0 && netNowW - p > site.grid.importLimitW) p = Math.min(0, netNowW - site.grid.importLimitW);
      if (opts.chargeGuard && p < 0) {
        const netW = site.loadW[step]! - site.pvW[step]!;
        p = Math.max(p, Math.min(0, netW - Math.max(peakSoFarW, targetW)));
      }
      return p;
    },
  };
}
