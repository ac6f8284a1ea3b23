// The reference site's load-only year under its tariff: shared by the test and report.ts.
import { costBreakdown, type CostBreakdown } from './cost.js';
import { loadTariff } from './loader.js';
import { readMusterwerkLoadOnly, type MusterwerkLoadOnly } from './reference-site.js';

export async function musterwerkLoadOnly(dataDir?: string): Promise<{ data: MusterwerkLoadOnly; breakdown: CostBreakdown }> {
  const tariff = await loadTariff('musterwerk-2023');
  const data = await readMusterwerkLoadOnly(dataDir);
  const breakdown = costBreakdown(
    tariff,
    { start: data.start, importEnergyWh: data.importEnergyWh, exportEnergyWh: data.exportEnergyWh },
    { spotPriceEurPerMWh: data.spotPriceEurPerMWh },
  );
  return { data, breakdown };
}

/** The annual figures as `BENCH tariff.musterwerk.load_only.<part> <value> <unit>` lines. */
export function benchLines(b: CostBreakdown): string[] {
  const eur: [string, number][] = [
    ['spot', b.spotEur],
    ['surcharges', b.surchargesEur],
    ['energy', b.energyEur],
    ['grid_energy', b.gridEnergyEur],
    ['demand_charge', b.demandCharge.totalEur],
    ['standing_charge', b.standingChargeEur],
    ['section14a_reduction', b.section14a.totalEur],
    ['vat', b.vatEur],
    ['feed_in_revenue', b.feedInRevenueEur],
    ['total', b.totalEur],
  ];
  return [
    ...eur.map(([part, v]) => `BENCH tariff.musterwerk.load_only.${part} ${v.toFixed(2)} EUR`),
    `BENCH tariff.musterwerk.load_only.import_energy ${(b.importEnergyWh / 1e6).toFixed(3)} MWh`,
    `BENCH tariff.musterwerk.load_only.peak ${b.demandCharge.peakKw.toFixed(1)} kW`,
  ];
}
