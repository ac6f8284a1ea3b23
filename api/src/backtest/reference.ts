/**
 * The reference site "Musterwerk" of ../shared/guide/reference-site.md as a SiteYear (pure: the
 * series come in parsed), and the resampling of other sites' hourly or 15-minute series.
 */
import type { Tariff } from '../tariffs/schema.js';
import { STEP_MS, type BatteryInput } from '../optimiser/model.js';
import type { PvSystem } from './pv-model.js';
import type { SiteYear } from './simulate.js';

/** 1,000 kWh usable, 500 kW both ways, 94 % one-way, SoC 5–95 %, 2 ct/kWh wear, 50 % at the start. */
export const REFERENCE_BATTERY: BatteryInput = {
  id: 'battery',
  capacityWh: 1_000_000,
  maxChargeW: 500_000,
  maxDischargeW: 500_000,
  chargeEfficiency: 0.94,
  dischargeEfficiency: 0.94,
  socMinWh: 50_000,
  socMaxWh: 950_000,
  initialSocWh: 500_000,
  wearCostEurPerKWh: 0.02,
};

export const REFERENCE_GRID = { importLimitW: 1_000_000, exportLimitW: 700_000 };

/** 750 kWp, south, 30° tilt, at the DWD TRY region 7 station (Kassel). */
export const REFERENCE_PV: PvSystem = { peakPowerW: 750_000, latitudeDeg: 51.3, longitudeDeg: 9.45, tiltDeg: 30, azimuthDeg: 180 };

/**
 * Stored energy left at the end of the year is valued at 15 ct/kWh (about what a kWh displaces:
 * mean 2023 spot ≈ 9.5 ct + 12 ct surcharges, × 94 % discharge efficiency, less wear and the
 * cost of charging it at night) — the same for every strategy, so a strategy cannot win by emptying the battery on 31 December.
 */
export const STORED_ENERGY_VALUE_EUR_PER_KWH = 0.15;

export function siteYear(args: {
  name: string;
  startMs: number;
  loadW: readonly number[];
  pvW: readonly number[];
  spotPriceEurPerMWh: readonly number[];
  tariff: Tariff;
  battery?: BatteryInput;
  grid?: SiteYear['grid'];
}): SiteYear {
  const n = args.loadW.length;
  if (args.pvW.length !== n || args.spotPriceEurPerMWh.length !== n)
    throw new RangeError(`series lengths differ: load ${n}, pv ${args.pvW.length}, prices ${args.spotPriceEurPerMWh.length}`);
  return {
    name: args.name,
    startMs: args.startMs,
    loadW: args.loadW,
    pvW: args.pvW,
    spotPriceEurPerMWh: args.spotPriceEurPerMWh,
    tariff: args.tariff,
    grid: args.grid ?? REFERENCE_GRID,
    battery: args.battery ?? REFERENCE_BATTERY,
    storedEnergyValueEurPerKWh: STORED_ENERGY_VALUE_EUR_PER_KWH,
  };
}

export interface TimedValue {
  epochMs: number;
  value: number;
}

/**
 * Puts a series of interval values (each labelled by its START; hourly or 15-minute) on the
 * 15-minute axis [startMs, startMs + n·15 min): an hourly value holds for its four quarters
 * (power and price are rates, so they are not divided). A missing quarter takes the value one
 * day earlier (then one week later for the first days); the count of filled quarters is returned.
 */
export function toQuarterHours(rows: readonly TimedValue[], startMs: number, n: number): { values: number[]; filled: number } {
  const sorted = [...rows].filter((r) => Number.isFinite(r.epochMs) && Number.isFinite(r.value)).sort((a, b) => a.epochMs - b.epochMs);
  const values = new Array<number>(n).fill(NaN);
  for (let i = 0; i < sorted.length; i++) {
    const r = sorted[i]!;
    const next = sorted[i + 1]?.epochMs;
    const span =
      next !== undefined && next - r.epochMs <= 3_600_000
        ? next - r.epochMs
        : i > 0
          ? Math.min(3_600_000, r.epochMs - sorted[i - 1]!.epochMs)
          : STEP_MS;
    for (let t = r.epochMs; t < r.epochMs + span; t += STEP_MS) {
      const k = Math.round((t - startMs) / STEP_MS);
      if (k >= 0 && k < n) values[k] = r.value;
    }
  }
  let filled = 0;
  for (let k = 0; k < n; k++) {
    if (Number.isFinite(values[k])) continue;
    filled++;
    if (k >= 96 && Number.isFinite(values[k - 96])) values[k] = values[k - 96]!;
  }
  for (let k = n - 1; k >= 0; k--) if (!Number.isFinite(values[k])) values[k] = k + 672 < n ? values[k + 672]! : 0;
  return { values: values.map((v) => (Number.isFinite(v) ? v : 0)), filled };
}
