/**
 * The backtest's site physics (pure): each 15-minute step a controller asks for a battery power;
 * the battery obeys its power and SoC limits; the grid takes the rest; PV is curtailed only where
 * the export limit (or, for price-aware controllers, a negative feed-in price) demands it. The
 * year's grid profile is priced by the tariff module's costBreakdown.
 */
import { costBreakdown, type CostBreakdown } from '../tariffs/cost.js';
import type { Tariff } from '../tariffs/schema.js';
import { billingPeriodOf } from '../optimiser/formulate.js';
import { STEP_H, STEP_MS, type BatteryInput } from '../optimiser/model.js';

export interface SiteYear {
  name: string;
  startMs: number;
  /** true load per step, W */
  loadW: readonly number[];
  /** true PV power available per step, W */
  pvW: readonly number[];
  spotPriceEurPerMWh: readonly number[];
  tariff: Tariff;
  grid: { importLimitW: number; exportLimitW: number };
  /** the battery; initialSocWh is the SoC at the start of the year */
  battery: BatteryInput;
  /** value of energy left in the battery at the end (vs. the start), EUR/kWh: makes strategies that end fuller or emptier comparable */
  storedEnergyValueEurPerKWh: number;
}

export interface StepState {
  step: number;
  socWh: number;
  /** highest 15-min import in the current billing period so far (before this step), W */
  peakSoFarW: number;
}

/** A controller: battery power for step t (W, + = discharge); `curtailNegativeExport` lets it stop feed-in at a negative price. */
export interface Controller {
  name: string;
  curtailNegativeExport: boolean;
  batteryPowerW(state: StepState): number;
  /** called after the step with what happened */
  observe?(step: number, result: { importW: number; exportW: number; socWh: number }): void;
}

export interface SimResult {
  name: string;
  importEnergyWh: number[];
  exportEnergyWh: number[];
  batteryPowerW: number[];
  /** PV power used (after curtailment) per step, W */
  pvUsedW: number[];
  socWh: number[];
  dischargedWh: number;
  curtailedWh: number;
  /** steps where the load exceeded what the import limit allowed (the simulation imports it anyway and counts it) */
  importLimitViolations: number;
  tariff: CostBreakdown;
  wearEur: number;
  /** −(SoC end − SoC start) × storedEnergyValue: positive when the year ends emptier than it began */
  storedEnergyEur: number;
  /** tariff total + wear + stored-energy adjustment: the figure the strategies are compared on */
  totalEur: number;
}

/** billing-period key per step, computed once per site (one Intl call per step). */
export function periodKeys(site: Pick<SiteYear, 'startMs' | 'tariff'>, n: number): string[] {
  const keys = new Array<string>(n);
  for (let t = 0; t < n; t++) keys[t] = billingPeriodOf(site.startMs + t * STEP_MS, site.tariff)?.key ?? 'none';
  return keys;
}

export function simulate(
  site: SiteYear,
  controller: Controller,
  onProgress?: (step: number, n: number) => void,
  keys: readonly string[] = periodKeys(site, site.loadW.length),
): SimResult {
  const n = site.loadW.length;
  const b = site.battery;
  const zeros = new Array<number>(n).fill(0);
  const exportPrice = costBreakdown(
    site.tariff,
    { start: new Date(site.startMs), importEnergyWh: zeros, exportEnergyWh: zeros },
    { spotPriceEurPerMWh: site.spotPriceEurPerMWh },
  ).marginal.exportEurPerKWh;
  const importEnergyWh: number[] = [];
  const exportEnergyWh: number[] = [];
  const batteryPowerW: number[] = [];
  const pvUsedW: number[] = [];
  const socWh: number[] = [];
  let soc = b.initialSocWh;
  let peak = 0;
  let dischargedWh = 0;
  let curtailedWh = 0;
  let violations = 0;
  for (let t = 0; t < n; t++) {
    if (t > 0 && keys[t] !== keys[t - 1]) peak = 0;
    let p = controller.batteryPowerW({ step: t, socWh: soc, peakSoFarW: peak });
    if (!Number.isFinite(p)) p = 0;
    // battery limits: power and the energy it holds / can take in this step
    const maxDis = Math.max(0, Math.min(b.maxDischargeW, ((soc - b.socMinWh) * b.dischargeEfficiency) / STEP_H));
    const maxCh = Math.max(0, Math.min(b.maxChargeW, (b.socMaxWh - soc) / (b.chargeEfficiency * STEP_H)));
    p = Math.max(-maxCh, Math.min(maxDis, p));
    if (p > 0) {
      soc -= (p * STEP_H) / b.dischargeEfficiency;
      dischargedWh += p * STEP_H;
    } else soc -= p * STEP_H * b.chargeEfficiency;
    let pv = site.pvW[t]!;
    let net = site.loadW[t]! - pv - p; // + import, − export
    if (net < 0) {
      let cap = site.grid.exportLimitW;
      if (controller.curtailNegativeExport && exportPrice[t]! < 0) cap = 0;
      if (-net > cap) {
        const cut = Math.min(pv, -net - cap);
        pv -= cut;
        curtailedWh += cut * STEP_H;
        net += cut;
      }
    }
    const imp = Math.max(0, net);
    const exp = Math.max(0, -net);
    if (imp > site.grid.importLimitW + 1e-6) violations++;
    importEnergyWh.push(imp * STEP_H);
    exportEnergyWh.push(exp * STEP_H);
    batteryPowerW.push(p);
    pvUsedW.push(pv);
    socWh.push(soc);
    peak = Math.max(peak, imp);
    controller.observe?.(t, { importW: imp, exportW: exp, socWh: soc });
    if (onProgress && t % 672 === 0) onProgress(t, n);
  }
  const tariff = costBreakdown(
    site.tariff,
    { start: new Date(site.startMs), importEnergyWh, exportEnergyWh },
    { spotPriceEurPerMWh: site.spotPriceEurPerMWh },
  );
  const wearEur = ((b.wearCostEurPerKWh ?? 0) * dischargedWh) / 1000;
  const storedEnergyEur = (-(soc - b.initialSocWh) / 1000) * site.storedEnergyValueEurPerKWh;
  return {
    name: controller.name,
    importEnergyWh,
    exportEnergyWh,
    batteryPowerW,
    pvUsedW,
    socWh,
    dischargedWh,
    curtailedWh,
    importLimitViolations: violations,
    tariff,
    wearEur,
    storedEnergyEur,
    totalEur: tariff.totalEur + wearEur + storedEnergyEur,
  };
}

/** Baseline 1: no battery (the battery is never used), PV exported whatever the price. */
export function noBattery(): Controller {
  return { name: 'no battery', curtailNegativeExport: false, batteryPowerW: () => 0 };
}

/** Baseline 2: charge from PV surplus, discharge to cover import; no price or peak awareness. */
export function selfConsumption(site: Pick<SiteYear, 'loadW' | 'pvW'>): Controller {
  return {
    name: 'rule-based self-consumption',
    curtailNegativeExport: false,
    batteryPowerW: ({ step }) => site.loadW[step]! - site.pvW[step]!,
  };
}

/** Replays a battery schedule (e.g. the perfect-foresight optimum). */
export function schedule(name: string, batteryPowerW: readonly number[]): Controller {
  return { name, curtailNegativeExport: true, batteryPowerW: ({ step }) => batteryPowerW[step] ?? 0 };
}
