/** Tiny builders for optimiser tests and the benchmark: tariffs, batteries, seeded random cases. */
import { parseTariff, type Tariff } from '../tariffs/schema.js';
import { STEP_MS, type BatteryInput, type OptimiserInput } from './model.js';
import { mulberry32 } from '../random.js';

/** 2023-06-05 00:00 Europe/Berlin (a Monday, CEST) */
export const T0 = Date.parse('2023-06-04T22:00:00Z');

/** The reference site's tariff shape: spot + 12 ct/kWh, 120 EUR/kW/a on the year's peak, feed-in spot − 0.4 ct. */
export function spotTariff(billingPeriod: 'year' | 'month' = 'year'): Tariff {
  return parseTariff({
    id: 'test-spot',
    name: 'test spot tariff',
    energy: { type: 'dynamic', surcharges: [{ name: 'lumped', priceCtPerKWh: 12 }] },
    feedIn: { type: 'spotMinusMargin', marginCtPerKWh: 0.4 },
    grid: { demandCharge: { priceEurPerKwPerYear: 120, billingPeriod } },
  });
}

/** Fixed 30 ct/kWh, feed-in 8 ct/kWh, no demand charge. */
export function fixedTariff(): Tariff {
  return parseTariff({
    id: 'test-fixed',
    name: 'test fixed tariff',
    energy: { type: 'fixed', priceCtPerKWh: 30 },
    feedIn: { type: 'fixed', priceCtPerKWh: 8 },
    grid: {},
  });
}

export function battery(over: Partial<BatteryInput> = {}): BatteryInput {
  return {
    id: 'bat',
    capacityWh: 1_000_000,
    maxChargeW: 500_000,
    maxDischargeW: 500_000,
    chargeEfficiency: 0.94,
    dischargeEfficiency: 0.94,
    socMinWh: 50_000,
    socMaxWh: 950_000,
    initialSocWh: 500_000,
    wearCostEurPerKWh: 0.02,
    ...over,
  };
}

/** Deterministic PRNG: the same seed gives the same cases. */
export const rng = mulberry32;

/** A day-shaped PV curve (peak at local noon-ish), W. */
export function pvCurve(n: number, peakW: number, startMs = T0): number[] {
  return Array.from({ length: n }, (_, t) => {
    const hourUtc = ((startMs + t * STEP_MS) / 3_600_000) % 24;
    return Math.max(0, peakW * Math.sin(((hourUtc - 4) / 16) * Math.PI));
  });
}

/**
 * A random site: load, PV, prices (incl. negative hours), 0–2 batteries, 0–2 flexible loads
 * (some with a minimum power), an optional §14a window and redispatch order.
 */
export function randomCase(seed: number, n = 96): OptimiserInput {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const baseLoad = 100_000 + r() * 300_000;
  const loadW = Array.from({ length: n }, () => baseLoad * (0.6 + 0.8 * r()));
  const pvPeak = pick([0, 200_000, 750_000]);
  const spot = Array.from({ length: Math.ceil(n / 4) }, () => -20 + r() * 200)
    .flatMap((p) => [p, p, p, p])
    .slice(0, n);
  const nb = pick([0, 1, 1, 2]);
  const batteries = Array.from({ length: nb }, (_, i) => {
    const cap = 200_000 + r() * 800_000;
    return battery({
      id: `bat${i}`,
      capacityWh: cap,
      maxChargeW: cap * (0.25 + r() * 0.5),
      maxDischargeW: cap * (0.25 + r() * 0.5),
      chargeEfficiency: 0.9 + r() * 0.09,
      dischargeEfficiency: 0.9 + r() * 0.09,
      socMinWh: cap * 0.05,
      socMaxWh: cap * 0.95,
      initialSocWh: cap * (0.05 + r() * 0.9),
      terminalValueEurPerKWh: r() * 0.2,
      section14a: r() < 0.3,
    });
  });
  const nf = pick([0, 1, 2]);
  const flexibleLoads = Array.from({ length: nf }, (_, i) => {
    const maxPowerW = 11_000 + r() * 100_000;
    const from = T0 + Math.floor(r() * n * 0.5) * STEP_MS;
    return {
      id: `flex${i}`,
      energyWh: maxPowerW * (1 + r() * 6),
      availableFromMs: from,
      deadlineMs: from + Math.floor(8 + r() * n) * STEP_MS,
      maxPowerW,
      ...(r() < 0.5 ? { minPowerW: maxPowerW * 0.3 } : {}),
      section14a: r() < 0.5,
    };
  });
  const windowStart = T0 + Math.floor(r() * n) * STEP_MS;
  return {
    startMs: T0,
    tariff: spotTariff(r() < 0.5 ? 'year' : 'month'),
    spotPriceEurPerMWh: spot,
    loadW,
    pvAvailableW: pvCurve(n, pvPeak),
    pvCurtailable: true,
    grid: { importLimitW: 1_000_000, exportLimitW: pick([0, 300_000, 700_000]) },
    batteries,
    flexibleLoads,
    peakSoFarW: r() * baseLoad * 1.2,
    section14aDimming: r() < 0.5 ? [{ startMs: windowStart, endMs: windowStart + 8 * STEP_MS, maxControllablePowerW: 4_200 }] : [],
    curtailmentOrders: r() < 0.5 ? [{ startMs: windowStart, endMs: windowStart + 12 * STEP_MS, maxPvPowerW: 100_000 }] : [],
    noExportAtNegativePrice: r() < 0.5,
  };
}
