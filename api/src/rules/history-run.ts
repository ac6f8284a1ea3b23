/**
 * Pure glue between a site's stored history (recommend/history.ts) and dryRun: fills gaps (load from
 * the grid balance where the load meter is missing, 0 elsewhere — counted and reported), merges the
 * site's batteries into one (capacities and powers summed, efficiencies capacity-weighted), and starts
 * from the first measured SoC.
 */
import type { SiteEnergy } from '../site-energy/model.js';
import type { Tariff } from '../tariffs/schema.js';
import type { SiteHistory } from '../recommend/history.js';
import { dryRun, type DryRun } from './dry-run.js';
import type { BatteryLimits } from './engine.js';
import type { RuleSet } from './schema.js';

/** One battery standing for all of the site's batteries (zero capacity when it has none). */
export function aggregateBattery(energy: SiteEnergy): BatteryLimits {
  const bs = energy.batteries;
  const cap = bs.reduce((s, b) => s + b.capacityWh, 0);
  const weighted = (f: (b: (typeof bs)[number]) => number) => (cap > 0 ? bs.reduce((s, b) => s + f(b) * b.capacityWh, 0) / cap : 1);
  return {
    capacityWh: cap,
    socMinWh: bs.reduce((s, b) => s + (b.socMinPct / 100) * b.capacityWh, 0),
    socMaxWh: bs.reduce((s, b) => s + (b.socMaxPct / 100) * b.capacityWh, 0),
    maxChargeW: bs.reduce((s, b) => s + b.maxChargeW, 0),
    maxDischargeW: bs.reduce((s, b) => s + b.maxDischargeW, 0),
    chargeEfficiency: weighted((b) => b.chargeEfficiency),
    dischargeEfficiency: weighted((b) => b.dischargeEfficiency),
  };
}

export interface HistoryDryRun extends DryRun {
  /** steps filled per series because no reading was stored */
  filledSteps: { loadW: number; loadFromGridBalance: number; pvW: number; batteryW: number; spotPriceEurPerMWh: number };
  initialSocWh: number;
}

export function dryRunOverHistory(set: RuleSet, h: SiteHistory, energy: SiteEnergy, tariff: Tariff): HistoryDryRun {
  const filled = { loadW: 0, loadFromGridBalance: 0, pvW: 0, batteryW: 0, spotPriceEurPerMWh: 0 };
  const orZero = (v: number, key: keyof typeof filled) => {
    if (Number.isFinite(v)) return v;
    filled[key]++;
    return 0;
  };
  const pvW = h.pvW.map((v) => orZero(v, 'pvW'));
  const batteryW = h.batteryW.map((v) => orZero(v, 'batteryW'));
  const loadW = h.loadW.map((v, i) => {
    if (Number.isFinite(v)) return v;
    const g = h.gridW[i]!;
    if (Number.isFinite(g)) {
      filled.loadFromGridBalance++;
      // balance: load = grid import + PV + battery discharge
      return Math.max(0, g + pvW[i]! + batteryW[i]!);
    }
    filled.loadW++;
    return 0;
  });
  const price = h.spotPriceEurPerMWh.map((v) => orZero(v, 'spotPriceEurPerMWh'));
  const battery = aggregateBattery(energy);
  const firstSoc = h.socPct.find((v) => Number.isFinite(v));
  const initialSocWh = Math.min(
    battery.socMaxWh,
    Math.max(battery.socMinWh, firstSoc !== undefined ? (firstSoc / 100) * battery.capacityWh : battery.socMinWh),
  );
  const r = dryRun(
    set,
    { startMs: h.startMs, loadW, pvW, spotPriceEurPerMWh: price, intentBatteryPowerW: batteryW, initialSocWh },
    battery,
    tariff,
    { exportLimitW: energy.grid.exportLimitW },
  );
  return { ...r, filledSteps: filled, initialSocWh };
}
