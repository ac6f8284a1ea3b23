/**
 * Bandit evaluation in the backtest (issue #7 item 5): Luna's MPC runs with K strategy variants
 * (arms: SoC reserve, forecast quantile, peak-target offset); a bandit of api/src/recommend/bandit.ts
 * picks one arm per period (a day by default) from the realised outcomes of the periods before.
 * The evaluation compares the bandit's year with each fixed arm's year (`npm run backtest:bandit`).
 *
 * Reward of a period (higher = better, EUR): what the period saved against no battery —
 *   (no-battery energy cost + demand price × the rise of the no-battery billing peak) − (energy cost
 *   + wear + stored-energy change + demand price × the rise of the billing peak the period caused).
 * Over a year the rewards add up to the saving against no battery (the demand price of a monthly
 * period is the annual one / 12, where the bill pro-rates by hours).
 * Everything in it is measured after the fact (meters, prices, the bill's rules): a live site can
 * compute it too. The no-battery cost of a period is the counterfactual from the metered load and PV.
 * Context (LinUCB): [1, working-day flag (the same day a week ago was a high-load day), the day's
 * known price spread / 100 EUR/MWh, cos(season)]. Pure: no I/O.
 */
import type { Arm, Bandit } from '../recommend/bandit.js';
import { costBreakdown } from '../tariffs/cost.js';
import { STEP_H, STEP_MS } from '../optimiser/model.js';
import type { MpcController, MpcVariantOptions } from './mpc.js';
import type { Controller, SiteYear } from './simulate.js';

/**
 * params: reserveFactor (0 = no reserve), quantile (0 = plan on the forecast), targetMarginKw (a
 * peak target learnt from the last 28 days, PastPeakTarget, + this margin; absent = no target).
 * An offset over the peak so far was tried first and ratchets: each plan frees another step above
 * the peak the last one set (fixed for a year: capture −0.36, peak 1,114 kW).
 */
export type VariantArm = Arm;

export const DEFAULT_ARMS: VariantArm[] = [
  { id: 'p50', params: { reserveFactor: 0, quantile: 0 } },
  { id: 'q90', params: { reserveFactor: 0, quantile: 0.9 } },
  { id: 'q90-reserve', params: { reserveFactor: 1, quantile: 0.9 } },
  { id: 'q90-reserve-target50', params: { reserveFactor: 1, quantile: 0.9, targetMarginKw: 50 } },
];

export function variantOptions(arm: VariantArm): MpcVariantOptions {
  const p = arm.params;
  return {
    pastReserve: (p.reserveFactor ?? 0) > 0 ? { factor: p.reserveFactor! } : undefined,
    loadQuantile: (p.quantile ?? 0) > 0 ? { q: p.quantile!, maxShare: 0.2 } : undefined,
    pastPeakTarget: p.targetMarginKw !== undefined ? { days: 28, marginW: p.targetMarginKw * 1000 } : undefined,
  };
}

export const CONTEXT_DIMS = 4;

export interface PeriodOutcome {
  step: number;
  armId: string;
  rewardEur: number;
}

export interface BanditControllerOptions {
  arms: VariantArm[];
  /** null: always arms[0] (a fixed variant, booked the same way) */
  bandit: Bandit | null;
  /** steps per decision (96 = a day) */
  periodSteps: number;
  /** billing-period key per step (simulate.ts periodKeys) */
  keys: readonly string[];
}

export interface BanditController extends Controller {
  outcomes: PeriodOutcome[];
  /** how often each arm was chosen */
  counts: Record<string, number>;
}

const DAY = 96;

/** The context the bandit sees at `step` (only the past and the published prices). */
export function context(site: SiteYear, step: number, peakSoFarW: number): number[] {
  let weekAgoMaxW = 0;
  for (let k = 0; k < DAY && step - 7 * DAY + k >= 0; k++)
    weekAgoMaxW = Math.max(weekAgoMaxW, site.loadW[step - 7 * DAY + k]! - site.pvW[step - 7 * DAY + k]!);
  const working = peakSoFarW > 0 && weekAgoMaxW > 0.5 * peakSoFarW ? 1 : 0;
  const prices = site.spotPriceEurPerMWh.slice(step, step + DAY);
  const spread = prices.length > 0 ? (Math.max(...prices) - Math.min(...prices)) / 100 : 0;
  const dayOfYear = ((site.startMs + step * STEP_MS) / 86_400_000) % 365.25;
  return [1, working, spread, Math.cos((2 * Math.PI * dayOfYear) / 365.25)];
}

/** Wraps one MPC: at each period start books the last period's reward and lets the bandit pick the next arm. */
export function banditController(site: SiteYear, mpc: MpcController, opts: BanditControllerOptions): BanditController {
  const n = site.loadW.length;
  const zeros = new Array<number>(n).fill(0);
  const marginal = costBreakdown(
    site.tariff,
    { start: new Date(site.startMs), importEnergyWh: zeros, exportEnergyWh: zeros },
    { spotPriceEurPerMWh: site.spotPriceEurPerMWh },
  ).marginal;
  const demand = site.tariff.grid.demandCharge;
  const demandEurPerW = demand ? (demand.priceEurPerKwPerYear * (demand.billingPeriod === 'month' ? 1 / 12 : 1)) / 1000 : 0;
  const b = site.battery;
  const counts: Record<string, number> = Object.fromEntries(opts.arms.map((a) => [a.id, 0]));
  const outcomes: PeriodOutcome[] = [];
  let armId = opts.arms[0]!.id;
  let ctx: number[] = [];
  let periodStart = -1;
  let costEur = 0;
  let noBatteryEur = 0;
  let socStartWh = b.initialSocWh;
  let socWh = b.initialSocWh;
  let peakW = 0;
  let peakStartW = 0;
  /** the no-battery counterfactual's billing peak, W */
  let noBatteryPeakW = 0;
  let noBatteryPeakStartW = 0;

  const book = () => {
    if (periodStart < 0) return;
    const rewardEur =
      noBatteryEur +
      demandEurPerW * (noBatteryPeakW - noBatteryPeakStartW) -
      (costEur + demandEurPerW * (peakW - peakStartW) - ((socWh - socStartWh) / 1000) * site.storedEnergyValueEurPerKWh);
    outcomes.push({ step: periodStart, armId, rewardEur });
    opts.bandit?.update(armId, ctx, rewardEur);
  };
  const choose = (step: number, peakSoFarW: number) => {
    book();
    ctx = context(site, step, peakSoFarW);
    armId = opts.bandit ? opts.bandit.choose(ctx) : opts.arms[0]!.id;
    counts[armId] = (counts[armId] ?? 0) + 1;
    mpc.configure(variantOptions(opts.arms.find((a) => a.id === armId)!));
    periodStart = step;
    costEur = 0;
    noBatteryEur = 0;
    socStartWh = socWh;
    peakStartW = peakW;
    noBatteryPeakStartW = noBatteryPeakW;
  };

  return {
    name: mpc.name,
    curtailNegativeExport: mpc.curtailNegativeExport,
    outcomes,
    counts,
    batteryPowerW(state) {
      if (state.step % opts.periodSteps === 0) choose(state.step, state.peakSoFarW);
      return mpc.batteryPowerW(state);
    },
    observe(step, r) {
      mpc.observe?.(step, r);
      if (step > 0 && opts.keys[step] !== opts.keys[step - 1]) {
        peakW = 0;
        peakStartW = 0;
        noBatteryPeakW = 0;
        noBatteryPeakStartW = 0;
      }
      costEur += ((r.importW * marginal.importEurPerKWh[step]! - r.exportW * marginal.exportEurPerKWh[step]!) * STEP_H) / 1000;
      const net = site.loadW[step]! - site.pvW[step]!;
      const exportW = Math.min(site.grid.exportLimitW, Math.max(0, -net));
      noBatteryEur += ((Math.max(0, net) * marginal.importEurPerKWh[step]! - exportW * marginal.exportEurPerKWh[step]!) * STEP_H) / 1000;
      peakW = Math.max(peakW, r.importW);
      noBatteryPeakW = Math.max(noBatteryPeakW, Math.max(0, net));
      // wear on what was discharged (the simulation may have clipped the controller's request)
      if (r.socWh < socWh) costEur += ((b.wearCostEurPerKWh ?? 0) * (socWh - r.socWh) * b.dischargeEfficiency) / 1000;
      socWh = r.socWh;
      // the last period of the data is booked too
      if (step === n - 1) book();
    },
  };
}
