// costBreakdown: the single source of truth for what grid exchange costs under a tariff.
// Pure: a function of (tariff, profile, options). See README.md beside this file.
import { hoursInYear, localParts, parseHhMm, type LocalParts } from './local-time.js';
import type { Tariff } from './schema.js';

export const INTERVAL_MINUTES = 15;
const INTERVAL_MS = INTERVAL_MINUTES * 60_000;
const INTERVAL_H = INTERVAL_MINUTES / 60;

/** A 15-minute series of grid exchange at the site's grid connection point. */
export interface GridProfile {
  /** start of the first interval (UTC instant, on a 15-minute boundary) */
  start: Date;
  /** energy imported from the grid per interval, Wh (≥ 0) */
  importEnergyWh: readonly number[];
  /** energy exported to the grid per interval, Wh (≥ 0) */
  exportEnergyWh: readonly number[];
  /** §14a Modul 2: the part of importEnergyWh measured on the controllable device's own meter, Wh */
  controllableImportEnergyWh?: readonly number[];
}

export interface CostOptions {
  /** day-ahead price per interval, EUR/MWh, aligned with the profile (needed by dynamic energy and spot feed-in) */
  spotPriceEurPerMWh?: readonly number[];
}

export interface DemandPeriod {
  /** billing period in local time: "2023" (year) or "2023-03" (month) */
  period: string;
  /** highest 15-minute average import in the period, kW */
  peakKw: number;
  /** start of the interval with that peak (first one if tied); null if no import */
  peakAt: Date | null;
  /** hours of this billing period covered by the profile */
  coveredHours: number;
  chargeEur: number;
}

export interface CostBreakdown {
  start: Date;
  end: Date;
  intervals: number;
  importEnergyWh: number;
  exportEnergyWh: number;
  /** fixed or time-of-use energy price × import (0 for dynamic tariffs) */
  energyEur: number;
  /** day-ahead price × import (dynamic tariffs) */
  spotEur: number;
  /** fixed surcharges of a dynamic tariff × import */
  surchargesEur: number;
  /** grid energy charge × import at the standard charge (Modul 3 differences are in section14a) */
  gridEnergyEur: number;
  demandCharge: { totalEur: number; peakKw: number; peakAt: Date | null; periods: DemandPeriod[] };
  /** standing charge pro-rated to the hours covered */
  standingChargeEur: number;
  /** §14a reductions, positive = saving (Modul 3 can be negative: high windows cost more) */
  section14a: { module1Eur: number; module2Eur: number; module3Eur: number; totalEur: number };
  /** energy + spot + surcharges + grid energy + demand + standing − §14a */
  netImportCostEur: number;
  /** VAT on netImportCostEur; 0 when no VAT or reclaimed */
  vatEur: number;
  /** money received for export (negative when the feed-in price is negative) */
  feedInRevenueEur: number;
  /** netImportCostEur + vatEur − feedInRevenueEur */
  totalEur: number;
  /** per interval, what one more kWh costs/earns; demand charge excluded (see demandChargeIncrement) */
  marginal: { importEurPerKWh: number[]; exportEurPerKWh: number[] };
}

export class TariffInputError extends Error {
  override readonly name = 'TariffInputError';
  /** bad input: retrying with the same input does not help */
  readonly retryable = false;
}

function matchesWindow(
  local: LocalParts,
  w: { days: readonly string[]; months?: readonly number[] | undefined; from: string; to: string },
): boolean {
  if (!w.days.includes(local.weekday)) return false;
  if (w.months && !w.months.includes(local.month)) return false;
  return local.minuteOfDay >= parseHhMm(w.from) && local.minuteOfDay < parseHhMm(w.to);
}

function checkSeries(name: string, series: readonly number[] | undefined, n: number, nonNegative: boolean): void {
  if (!series) return;
  if (series.length !== n) throw new TariffInputError(`${name} has ${series.length} values, the profile has ${n} intervals`);
  for (let i = 0; i < n; i++) {
    const v = series[i]!;
    if (!Number.isFinite(v)) throw new TariffInputError(`${name}[${i}] is not a finite number`);
    if (nonNegative && v < 0) throw new TariffInputError(`${name}[${i}] is negative (${v})`);
  }
}

/** Energy price of the supply contract for one interval, EUR/kWh (spot included for dynamic tariffs). */
function energyPriceEurPerKWh(
  tariff: Tariff,
  local: LocalParts,
  spotEurPerKWh: number,
): { energy: number; spot: number; surcharges: number } {
  const e = tariff.energy;
  if (e.type === 'fixed') return { energy: e.priceCtPerKWh / 100, spot: 0, surcharges: 0 };
  if (e.type === 'timeOfUse') {
    const p = e.periods.find((period) => matchesWindow(local, period));
    return { energy: (p ? p.priceCtPerKWh : e.defaultPriceCtPerKWh) / 100, spot: 0, surcharges: 0 };
  }
  const surcharges = e.surcharges.reduce((s, x) => s + x.priceCtPerKWh, 0) / 100;
  return { energy: 0, spot: spotEurPerKWh, surcharges };
}

/** Grid energy charge in this interval, EUR/kWh, with §14a Modul 3 applied. */
function gridChargeEurPerKWh(tariff: Tariff, local: LocalParts): number {
  const m3 = tariff.section14a?.module3;
  if (!m3) return tariff.grid.energyChargeCtPerKWh / 100;
  const w = m3.windows.find((win) => matchesWindow(local, win));
  return (w ? m3.energyChargeCtPerKWh[w.level] : m3.energyChargeCtPerKWh.standard) / 100;
}

function vatFactor(tariff: Tariff): number {
  return tariff.vat && !tariff.vat.reclaimed ? tariff.vat.percent / 100 : 0;
}

/**
 * Cost of a 15-minute grid profile under a tariff, broken into its parts, plus the marginal
 * import/export price of every interval for the optimiser. Throws TariffInputError on bad input.
 */
export function costBreakdown(tariff: Tariff, profile: GridProfile, options: CostOptions = {}): CostBreakdown {
  const startMs = profile.start.getTime();
  if (!Number.isFinite(startMs) || startMs % INTERVAL_MS !== 0) throw new TariffInputError('profile.start must be on a 15-minute boundary');
  const n = profile.importEnergyWh.length;
  checkSeries('exportEnergyWh', profile.exportEnergyWh, n, true);
  checkSeries('importEnergyWh', profile.importEnergyWh, n, true);
  checkSeries('controllableImportEnergyWh', profile.controllableImportEnergyWh, n, true);
  const spot = options.spotPriceEurPerMWh;
  checkSeries('spotPriceEurPerMWh', spot, n, false);
  const needsSpot = tariff.energy.type === 'dynamic' || tariff.feedIn?.type === 'spotMinusMargin';
  if (needsSpot && !spot) throw new TariffInputError(`tariff ${tariff.id} needs options.spotPriceEurPerMWh`);
  if (profile.controllableImportEnergyWh) {
    profile.controllableImportEnergyWh.forEach((c, i) => {
      if (c > profile.importEnergyWh[i]! + 1e-9)
        throw new TariffInputError(`controllableImportEnergyWh[${i}] exceeds importEnergyWh[${i}]`);
    });
  }

  const vat = vatFactor(tariff);
  const standardGridEurPerKWh = tariff.grid.energyChargeCtPerKWh / 100;
  const m2Share = (tariff.section14a?.module2?.energyChargeReductionPercent ?? 0) / 100;
  const m1EurPerYear = tariff.section14a?.module1?.reductionEurPerYear ?? 0;
  const demand = tariff.grid.demandCharge;

  let importWh = 0;
  let exportWh = 0;
  let energyEur = 0;
  let spotEur = 0;
  let surchargesEur = 0;
  let gridEnergyEur = 0;
  let standingChargeEur = 0;
  let module1Eur = 0;
  let module2Eur = 0;
  let module3Eur = 0;
  let feedInRevenueEur = 0;
  const importEurPerKWh: number[] = new Array<number>(n);
  const exportEurPerKWh: number[] = new Array<number>(n);
  const periods = new Map<string, DemandPeriod & { year: number }>();

  for (let i = 0; i < n; i++) {
    const t = startMs + i * INTERVAL_MS;
    const local = localParts(t, tariff.timeZone);
    const impKWh = profile.importEnergyWh[i]! / 1000;
    const expKWh = profile.exportEnergyWh[i]! / 1000;
    const spotEurPerKWh = spot ? spot[i]! / 1000 : 0;
    importWh += profile.importEnergyWh[i]!;
    exportWh += profile.exportEnergyWh[i]!;

    const price = energyPriceEurPerKWh(tariff, local, spotEurPerKWh);
    const gridEurPerKWh = gridChargeEurPerKWh(tariff, local);
    energyEur += price.energy * impKWh;
    spotEur += price.spot * impKWh;
    surchargesEur += price.surcharges * impKWh;
    gridEnergyEur += standardGridEurPerKWh * impKWh;
    module3Eur += (standardGridEurPerKWh - gridEurPerKWh) * impKWh;
    const ctrlKWh = (profile.controllableImportEnergyWh?.[i] ?? 0) / 1000;
    module2Eur += gridEurPerKWh * m2Share * ctrlKWh;

    const yearShare = INTERVAL_H / hoursInYear(local.year);
    standingChargeEur += tariff.grid.standingChargeEurPerYear * yearShare;
    module1Eur += m1EurPerYear * yearShare;

    importEurPerKWh[i] = (price.energy + price.spot + price.surcharges + gridEurPerKWh) * (1 + vat);

    let feedInEurPerKWh = 0;
    if (tariff.feedIn?.type === 'fixed') feedInEurPerKWh = tariff.feedIn.priceCtPerKWh / 100;
    else if (tariff.feedIn?.type === 'spotMinusMargin') feedInEurPerKWh = spotEurPerKWh - tariff.feedIn.marginCtPerKWh / 100;
    feedInRevenueEur += feedInEurPerKWh * expKWh;
    exportEurPerKWh[i] = feedInEurPerKWh;

    if (demand) {
      const key = demand.billingPeriod === 'year' ? `${local.year}` : `${local.year}-${String(local.month).padStart(2, '0')}`;
      let p = periods.get(key);
      if (!p) {
        p = { period: key, year: local.year, peakKw: 0, peakAt: null, coveredHours: 0, chargeEur: 0 };
        periods.set(key, p);
      }
      p.coveredHours += INTERVAL_H;
      const kw = impKWh / INTERVAL_H;
      if (kw > p.peakKw) {
        p.peakKw = kw;
        p.peakAt = new Date(t);
      }
    }
  }

  const demandPeriods: DemandPeriod[] = [];
  let demandEur = 0;
  let peakKw = 0;
  let peakAt: Date | null = null;
  for (const { year, ...p } of periods.values()) {
    p.chargeEur = demand ? (demand.priceEurPerKwPerYear * p.peakKw * p.coveredHours) / hoursInYear(year) : 0;
    demandEur += p.chargeEur;
    if (p.peakKw > peakKw) {
      peakKw = p.peakKw;
      peakAt = p.peakAt;
    }
    demandPeriods.push(p);
  }

  const section14aTotal = module1Eur + module2Eur + module3Eur;
  const netImportCostEur = energyEur + spotEur + surchargesEur + gridEnergyEur + demandEur + standingChargeEur - section14aTotal;
  const vatEur = netImportCostEur * vat;
  return {
    start: new Date(startMs),
    end: new Date(startMs + n * INTERVAL_MS),
    intervals: n,
    importEnergyWh: importWh,
    exportEnergyWh: exportWh,
    energyEur,
    spotEur,
    surchargesEur,
    gridEnergyEur,
    demandCharge: { totalEur: demandEur, peakKw, peakAt, periods: demandPeriods },
    standingChargeEur,
    section14a: { module1Eur, module2Eur, module3Eur, totalEur: section14aTotal },
    netImportCostEur,
    vatEur,
    feedInRevenueEur,
    totalEur: netImportCostEur + vatEur - feedInRevenueEur,
    marginal: { importEurPerKWh, exportEurPerKWh },
  };
}

/**
 * Extra demand charge (EUR, VAT included when the tariff charges it) of raising the billing
 * period's peak from peakSoFarKw to newPeakKw. Only the part above the peak already set counts.
 * periodDays: length of the billing period being charged (365 for a yearly bill of a common year,
 * 31 for a 31-day month); the annual price is pro-rated by periodDays / daysInYear, the same
 * convention costBreakdown uses (hours covered / hours in the year).
 */
export function demandChargeIncrement(
  tariff: Tariff,
  peakSoFarKw: number,
  newPeakKw: number,
  periodDays: number,
  daysInYear = 365,
): number {
  const d = tariff.grid.demandCharge;
  if (!d || newPeakKw <= peakSoFarKw) return 0;
  return ((d.priceEurPerKwPerYear * (newPeakKw - peakSoFarKw) * periodDays) / daysInYear) * (1 + vatFactor(tariff));
}
