/**
 * Figures of a backtest: annual cost lines per strategy, billing peak, and the share of the
 * perfect-foresight saving a strategy captures, for the year and per month. Pure.
 *
 * capture = (cost_noBattery − cost_strategy) / (cost_noBattery − cost_perfectForesight), with
 * cost = tariff total (costBreakdown) + battery wear + stored-energy adjustment.
 * Per month, each month's slice is priced by costBreakdown on its own (so its demand charge is
 * the month's own peak × its hours / 8760 — as if billed monthly: the annual bill has no monthly
 * split), plus that month's wear and SoC change.
 */
import { costBreakdown } from '../tariffs/cost.js';
import { localParts } from '../tariffs/local-time.js';
import { STEP_MS } from '../optimiser/model.js';
import type { SimResult, SiteYear } from './simulate.js';

export function capture(noBattery: number, strategy: number, perfect: number): number {
  const best = noBattery - perfect;
  return best === 0 ? 1 : (noBattery - strategy) / best;
}

/** [month key "2023-01", first step, end step) in the site's tariff time zone */
export function monthRanges(site: Pick<SiteYear, 'startMs' | 'tariff'>, n: number): [string, number, number][] {
  const out: [string, number, number][] = [];
  let key = '';
  for (let t = 0; t < n; t++) {
    const p = localParts(site.startMs + t * STEP_MS, site.tariff.timeZone);
    const k = `${p.year}-${String(p.month).padStart(2, '0')}`;
    if (k !== key) {
      if (out.length > 0) out[out.length - 1]![2] = t;
      out.push([k, t, n]);
      key = k;
    }
  }
  return out;
}

/** Cost of a slice of a simulation, on the same terms as SimResult.totalEur. */
export function sliceCost(site: SiteYear, r: SimResult, from: number, to: number): number {
  const b = costBreakdown(
    site.tariff,
    {
      start: new Date(site.startMs + from * STEP_MS),
      importEnergyWh: r.importEnergyWh.slice(from, to),
      exportEnergyWh: r.exportEnergyWh.slice(from, to),
    },
    { spotPriceEurPerMWh: site.spotPriceEurPerMWh.slice(from, to) },
  );
  let dischargedWh = 0;
  for (let t = from; t < to; t++) if (r.batteryPowerW[t]! > 0) dischargedWh += r.batteryPowerW[t]! * 0.25;
  const socStart = from === 0 ? site.battery.initialSocWh : r.socWh[from - 1]!;
  const socEnd = r.socWh[to - 1]!;
  const wear = ((site.battery.wearCostEurPerKWh ?? 0) * dischargedWh) / 1000;
  return b.totalEur + wear - ((socEnd - socStart) / 1000) * site.storedEnergyValueEurPerKWh;
}

export interface MonthCapture {
  month: string;
  capture: number;
  savingEur: number;
  boundSavingEur: number;
}

export function monthlyCapture(site: SiteYear, none: SimResult, strategy: SimResult, perfect: SimResult): MonthCapture[] {
  return monthRanges(site, site.loadW.length).map(([month, from, to]) => {
    const c1 = sliceCost(site, none, from, to);
    const c3 = sliceCost(site, strategy, from, to);
    const c4 = sliceCost(site, perfect, from, to);
    return { month, capture: capture(c1, c3, c4), savingEur: c1 - c3, boundSavingEur: c1 - c4 };
  });
}

const slug = (name: string) =>
  name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_|_$/g, '');

/** `BENCH backtest.<strategy>.<line> <value> <unit>` lines of one strategy. */
export function costLines(r: SimResult): string[] {
  const s = slug(r.name);
  const b = r.tariff;
  return [
    `BENCH backtest.${s}.total ${r.totalEur.toFixed(2)} EUR`,
    `BENCH backtest.${s}.spot ${b.spotEur.toFixed(2)} EUR`,
    `BENCH backtest.${s}.surcharges ${b.surchargesEur.toFixed(2)} EUR`,
    `BENCH backtest.${s}.demand_charge ${b.demandCharge.totalEur.toFixed(2)} EUR`,
    `BENCH backtest.${s}.feed_in_revenue ${b.feedInRevenueEur.toFixed(2)} EUR`,
    `BENCH backtest.${s}.wear ${r.wearEur.toFixed(2)} EUR`,
    `BENCH backtest.${s}.stored_energy_adjustment ${r.storedEnergyEur.toFixed(2)} EUR`,
    `BENCH backtest.${s}.billing_peak ${b.demandCharge.peakKw.toFixed(1)} kW`,
    `BENCH backtest.${s}.import_energy ${(b.importEnergyWh / 1e6).toFixed(1)} MWh`,
    `BENCH backtest.${s}.export_energy ${(b.exportEnergyWh / 1e6).toFixed(1)} MWh`,
    `BENCH backtest.${s}.battery_discharged ${(r.dischargedWh / 1e6).toFixed(1)} MWh`,
    `BENCH backtest.${s}.pv_curtailed ${(r.curtailedWh / 1e6).toFixed(2)} MWh`,
  ];
}

export { slug };
