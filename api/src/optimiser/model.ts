/**
 * Inputs and outputs of the optimiser (pure). All instants are UTC epoch ms; every step is 15
 * minutes; powers are 15-minute averages in W, energies in Wh, prices as the tariff module gives
 * them. See README.md beside this file for the formulation.
 */
import type { CostBreakdown } from '../tariffs/cost.js';
import type { Tariff } from '../tariffs/schema.js';

export const STEP_MINUTES = 15;
export const STEP_MS = STEP_MINUTES * 60_000;
/** hours per step */
export const STEP_H = STEP_MINUTES / 60;
/** 48 h of 15-minute steps */
export const MAX_STEPS = 192;

/** A time window `[startMs, endMs)` (UTC epoch ms). */
export interface Window {
  startMs: number;
  endMs: number;
}

export interface BatteryInput {
  id: string;
  /** usable capacity, Wh */
  capacityWh: number;
  /** maximum charge power (AC side), W */
  maxChargeW: number;
  /** maximum discharge power (AC side), W */
  maxDischargeW: number;
  /** one-way efficiency AC → stored energy, 0..1 */
  chargeEfficiency: number;
  /** one-way efficiency stored energy → AC, 0..1 */
  dischargeEfficiency: number;
  /** lower SoC bound, Wh (0 ≤ socMinWh ≤ socMaxWh ≤ capacityWh) */
  socMinWh: number;
  /** upper SoC bound, Wh */
  socMaxWh: number;
  /** stored energy at the start of the horizon, Wh (may lie outside [socMin, socMax]; the plan then only moves towards the bounds) */
  initialSocWh: number;
  /** wear cost per kWh discharged (AC side), EUR/kWh */
  wearCostEurPerKWh?: number;
  /** value of each kWh stored at the end of the horizon, EUR/kWh (what it will save later) */
  terminalValueEurPerKWh?: number;
  /** hard lower bound on the SoC at the end of the horizon, Wh (optional) */
  terminalSocMinWh?: number;
  /** the battery's charging is a §14a controllable consumption device (dimmed in dimming windows) */
  section14a?: boolean;
}

/** A load that needs an amount of energy by a deadline (EV charging is one case). */
export interface FlexibleLoadInput {
  id: string;
  /** energy still needed, Wh */
  energyWh: number;
  /** earliest start (UTC ms); default: the horizon start */
  availableFromMs?: number;
  /** the energy must be delivered by then (UTC ms); may lie beyond the horizon */
  deadlineMs: number;
  /** maximum power, W */
  maxPowerW: number;
  /** minimum power when running, W (> 0 makes the on/off decision binary: the only integer variables) */
  minPowerW?: number;
  /** a §14a controllable consumption device (dimmed in dimming windows) */
  section14a?: boolean;
}

/** §14a EnWG: the grid operator limits the controllable devices' total power in a window. */
export interface DimmingWindow extends Window {
  /** the controllable devices together draw at most this much, W (4,200 W for one device by default in §14a) */
  maxControllablePowerW: number;
}

/** A redispatch order: cap the PV output and/or the feed-in in a window. */
export interface CurtailmentOrder extends Window {
  maxPvPowerW?: number;
  maxExportPowerW?: number;
}

export interface OptimiserInput {
  /** start of the first step (UTC, on a 15-minute boundary) */
  startMs: number;
  tariff: Tariff;
  /** day-ahead price per step, EUR/MWh (needed by dynamic tariffs and spot-based feed-in) */
  spotPriceEurPerMWh?: readonly number[];
  /**
   * costBreakdown(tariff, …, { spotPriceEurPerMWh }).marginal for exactly these steps, when the
   * caller has priced a longer axis once (the backtest does, to save the Intl time-zone work);
   * default: computed here from the tariff and spotPriceEurPerMWh.
   */
  marginalPrices?: { importEurPerKWh: readonly number[]; exportEurPerKWh: readonly number[] };
  /** the non-shiftable load per step, W (its length sets the horizon, 1..192) */
  loadW: readonly number[];
  /** PV power available per step, W (forecast); omitted = no PV */
  pvAvailableW?: readonly number[];
  /** can the PV be curtailed (default true)? */
  pvCurtailable?: boolean;
  grid: {
    /** connection limit for import, W */
    importLimitW: number;
    /** connection limit for export, W */
    exportLimitW: number;
  };
  batteries?: readonly BatteryInput[];
  flexibleLoads?: readonly FlexibleLoadInput[];
  /** the peak already set in the current billing period (sunk), W; default 0 */
  peakSoFarW?: number;
  /**
   * a peak the plan may use without cost, W (≥ peakSoFarW): e.g. a target carried across plans
   * because the period's peak is expected to reach it anyway. Default peakSoFarW.
   */
  freePeakW?: number;
  section14aDimming?: readonly DimmingWindow[];
  curtailmentOrders?: readonly CurtailmentOrder[];
  /** no feed-in while the spot price is negative (e.g. §51 EEG): export bound 0 in those steps */
  noExportAtNegativePrice?: boolean;
  /** MILP only: relative gap (default 0.005) and time limit in s (default 10) */
  mip?: { relGap?: number; timeLimitS?: number };
}

export interface BatteryStep {
  id: string;
  chargeW: number;
  dischargeW: number;
  /** dischargeW − chargeW: positive = discharging into the site */
  powerW: number;
  /** stored energy at the END of the step, Wh */
  socWh: number;
}

export interface PlanStep {
  startMs: number;
  loadW: number;
  gridImportW: number;
  gridExportW: number;
  pvW: number;
  pvCurtailedW: number;
  batteries: BatteryStep[];
  flexibleLoads: { id: string; powerW: number }[];
  /** load that no feasible setpoint could serve (only when infeasible), W */
  unservedW: number;
  /** generation that could go nowhere (non-curtailable PV above all sinks; only when infeasible), W */
  excessW: number;
}

export type ProblemKind = 'input' | 'import-limit' | 'export-limit' | 'flexible-load-energy' | 'terminal-soc' | 'solver';

export interface Problem {
  kind: ProblemKind;
  /** the step concerned (index into the horizon), if any */
  step?: number;
  startMs?: number;
  /** the device or field concerned */
  subject?: string;
  message: string;
}

export interface PlanCost {
  /** costBreakdown of the planned grid profile (standing/demand charges pro-rated over the horizon as the tariff module does); null when skipped (OptimiseOptions.breakdown false) */
  tariff: CostBreakdown | null;
  /** Σ marginal import price × import, EUR */
  importEur: number;
  /** Σ marginal export price × export, EUR */
  feedInRevenueEur: number;
  /** demandChargeIncrement above the peak already set (and above freePeakW), per billing period, EUR */
  demandChargeIncrementEur: number;
  wearEur: number;
  /** value of the energy left in the batteries at the end, EUR (counted as a saving) */
  terminalValueEur: number;
  /** importEur − feedInRevenueEur + demandChargeIncrementEur + wearEur − terminalValueEur */
  objectiveEur: number;
}

export interface PeakPeriod {
  /** billing period key as the tariff module names it ("2023" or "2023-03") */
  period: string;
  firstStep: number;
  peakSoFarW: number;
  /** the peak the plan may reach without extra charge: max(peakSoFar, freePeak) for the first period */
  freePeakW: number;
  /** highest planned import in the period's steps, W */
  planPeakW: number;
}

export type PlanStatus = 'optimal' | 'infeasible' | 'invalid' | 'failed';

export interface Plan {
  /** optimal: all limits met; infeasible: best effort with the violated limits in `problems`; invalid: bad input, no plan */
  status: PlanStatus;
  problems: Problem[];
  steps: PlanStep[];
  cost: PlanCost | null;
  peaks: PeakPeriod[];
  /** whether binaries were used (min power of flexible loads) */
  mixedInteger: boolean;
  /** steps where a battery both charges and discharges (an LP can do that when energy has a negative value) */
  simultaneousChargeDischargeSteps: number[];
  solver: {
    modelStatus: string;
    /** the solver's objective incl. slack penalties, EUR (equals cost.objectiveEur when no slack is used, up to a 1e-6 EUR/kWh PV tie-break) */
    objectiveEur: number | null;
    columns: number;
    rows: number;
    integerColumns: number;
  };
}
