import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { demandChargeIncrement, type CostBreakdown } from './cost.js';
import { loadTariff } from './loader.js';
import { musterwerkLoadOnly } from './musterwerk.js';
import { DEFAULT_DATA_DIR, LOAD_FILE, PRICE_FILE, addDays, buildPrices2023, type MusterwerkLoadOnly } from './reference-site.js';

const haveData = existsSync(join(DEFAULT_DATA_DIR, LOAD_FILE)) && existsSync(join(DEFAULT_DATA_DIR, PRICE_FILE));

describe('price gap rule of reference-site.md', () => {
  // hourly rows for local days given as [date, price]; every hour of a day has the same price
  const day = (date: string, price: number) => {
    const start = Date.parse(`${date}T00:00:00Z`) - 3600_000; // CET midnight (winter dates only here)
    return Array.from({ length: 24 }, (_, h) => ({ epochMs: start + h * 3600_000, value: price }));
  };
  it('a missing day takes the same weekday a week earlier; Jan 1–5 take the first available week', () => {
    // data from Fri 2023-01-06 to Sun 2023-01-15 with price = day of month, 2023-01-13 missing
    const rows = ['06', '07', '08', '09', '10', '11', '12', '14', '15'].flatMap((d) => day(`2023-01-${d}`, Number(d)));
    // later days present until 03-20 (price 1) except Fridays 01-20 and 01-27; the rest of the year is filled by the same rule
    for (let d = '2023-01-16'; d <= '2023-03-20'; d = addDays(d, 1)) if (d !== '2023-01-20' && d !== '2023-01-27') rows.push(...day(d, 1));
    const { priceEurPerMWh, filledDays } = buildPrices2023(rows);
    const at = (date: string) => priceEurPerMWh[(Date.parse(`${date}T00:00:00Z`) - Date.parse('2023-01-01T00:00:00Z')) / 900_000]!;
    expect(filledDays.slice(0, 6)).toEqual(['2023-01-01', '2023-01-02', '2023-01-03', '2023-01-04', '2023-01-05', '2023-01-13']);
    expect(at('2023-01-13')).toBe(6); // Friday 13th ← Friday 6th
    expect(at('2023-01-01')).toBe(8); // Sunday 1st ← Sunday 8th
    expect(at('2023-01-05')).toBe(12); // Thursday 5th ← Thursday 12th
    expect(at('2023-01-19')).toBe(1); // a present day keeps its own price
    expect(at('2023-01-27')).toBe(6); // gaps chain: Friday 27th ← 20th ← 13th ← 6th
  });
});

describe.skipIf(!haveData)('reference site Musterwerk 2023, load only (no PV, no battery)', () => {
  let data: MusterwerkLoadOnly;
  let b: CostBreakdown;
  beforeAll(async () => {
    ({ data, breakdown: b } = await musterwerkLoadOnly());
  });

  it('covers 2023 in 15-minute steps with 24 price days filled', () => {
    expect(b.intervals).toBe(35040);
    expect(b.start.toISOString()).toBe('2022-12-31T23:00:00.000Z');
    expect(b.end.toISOString()).toBe('2023-12-31T23:00:00.000Z');
    expect(data.filledPriceDays).toHaveLength(24); // 19 missing days + Jan 1–5
  });

  it('imports 2,500 MWh ± 0.1 % with a peak near 870 kW', () => {
    expect(Math.abs(b.importEnergyWh / 2.5e9 - 1)).toBeLessThan(0.001);
    expect(b.demandCharge.peakKw).toBeGreaterThan(850);
    expect(b.demandCharge.peakKw).toBeLessThan(890);
    expect(b.exportEnergyWh).toBe(0);
  });

  it('the parts add up to the total', () => {
    const parts =
      b.energyEur +
      b.spotEur +
      b.surchargesEur +
      b.gridEnergyEur +
      b.demandCharge.totalEur +
      b.standingChargeEur -
      b.section14a.totalEur +
      b.vatEur -
      b.feedInRevenueEur;
    expect(parts).toBeCloseTo(b.totalEur, 6);
    expect(b.vatEur).toBe(0);
    expect(b.feedInRevenueEur).toBe(0);
  });

  it('surcharges are 12.0 ct/kWh on the imported energy and the demand charge 120 EUR/kW on the year peak', async () => {
    expect(b.surchargesEur).toBeCloseTo((b.importEnergyWh / 1000) * 0.12, 6);
    expect(b.demandCharge.totalEur).toBeCloseTo(120 * b.demandCharge.peakKw, 6);
    expect(demandChargeIncrement(await loadTariff('musterwerk-2023'), 0, b.demandCharge.peakKw, 365)).toBeCloseTo(
      b.demandCharge.totalEur,
      6,
    );
  });

  it('marginal import price is spot + 12 ct/kWh in every interval', () => {
    data.spotPriceEurPerMWh.forEach((p, i) => {
      if (i % 97 === 0) expect(b.marginal.importEurPerKWh[i]).toBeCloseTo(p / 1000 + 0.12, 10);
    });
  });
});
