/**
 * Test fixtures for the backtest: a few days of a synthetic working-day site (load with noise, a
 * clear-sky PV curve of the reference plant, a day-shaped price) under a monthly demand charge,
 * starting 2023-05-29 00:00 CEST so that a run crosses into June. Seeded: the same site every run.
 */
import { rng } from '../optimiser/fixtures.js';
import { parseTariff } from '../tariffs/schema.js';
import { pvPowerW, sunPosition } from './pv-model.js';
import { REFERENCE_PV, siteYear } from './reference.js';
import type { SiteYear } from './simulate.js';

export const SYNTH_TARIFF = parseTariff({
  id: 'bt',
  name: 'backtest test tariff',
  energy: { type: 'dynamic', surcharges: [{ name: 'lumped', priceCtPerKWh: 12 }] },
  feedIn: { type: 'spotMinusMargin', marginCtPerKWh: 0.4 },
  grid: { demandCharge: { priceEurPerKwPerYear: 120, billingPeriod: 'month' } },
});
export const SYNTH_START = Date.parse('2023-05-28T22:00:00Z'); // 2023-05-29 00:00 CEST, so the run crosses into June

/** A few days of a working-day load with noise, a PV curve and a day-shaped price. */
export function synthSite(days: number, seed = 1): SiteYear {
  const r = rng(seed);
  const n = days * 96;
  const loadW: number[] = [];
  const spot: number[] = [];
  for (let t = 0; t < n; t++) {
    const h = ((t % 96) / 4 + 2) % 24; // local hour (CEST)
    const working = h >= 6 && h < 18;
    loadW.push((working ? 500_000 : 150_000) * (0.85 + 0.3 * r()));
    spot.push(80 + 60 * Math.sin(((h - 4) / 24) * 2 * Math.PI) + (t % 4 === 0 ? 10 * r() : 0));
  }
  const pvW = pvPowerW(REFERENCE_PV, clearDays(days), SYNTH_START, n);
  return siteYear({ name: 'synthetic', startMs: SYNTH_START, loadW, pvW, spotPriceEurPerMWh: spot, tariff: SYNTH_TARIFF });
}

/** Hourly clear-sky weather at Kassel from SYNTH_START. */
export function clearDays(days: number) {
  const out = [];
  for (let h = 0; h < days * 24; h++) {
    const startMs = SYNTH_START + h * 3_600_000;
    const cz = Math.max(0, sunPosition(startMs + 1_800_000, 51.3, 9.45).cosZenith);
    out.push({ startMs, ghiWPerM2: 900 * cz, dhiWPerM2: 120 * cz, tempC: 18 });
  }
  return out;
}
