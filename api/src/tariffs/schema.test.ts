import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { listTariffFiles, loadTariffFile, TARIFFS_DIR } from './loader.js';
import { TariffSchema, tariffJsonSchema } from './schema.js';

const files = await listTariffFiles();

describe('every tariff data file in /tariffs', () => {
  it('there are files to check, including the reference site', () => {
    expect(files.map((f) => f.split('/').pop())).toContain('musterwerk-2023.json');
    expect(files.length).toBeGreaterThanOrEqual(4);
  });

  it.each(files.map((f) => ({ file: f.split('/').pop()!, path: f })))('$file loads and validates', async ({ path }) => {
    const tariff = await loadTariffFile(path);
    // illustrative files say so in their name and flag
    expect(tariff.example).toBe(tariff.id.startsWith('example-'));
  });

  it('the committed JSON Schema matches the zod schema (regenerate: npx tsx api/src/tariffs/write-schema.ts)', async () => {
    const committed: unknown = JSON.parse(await readFile(join(TARIFFS_DIR, 'tariff.schema.json'), 'utf8'));
    expect(committed).toEqual(tariffJsonSchema());
  });
});

describe('the reference tariff is exactly the one of reference-site.md', () => {
  it('day-ahead + 12.0 ct/kWh, VAT reclaimed, 120 EUR/kW/a on the yearly 15-min peak, feed-in spot − 0.4 ct/kWh', async () => {
    const t = await loadTariffFile(join(TARIFFS_DIR, 'musterwerk-2023.json'));
    expect(t.energy).toEqual({ type: 'dynamic', surcharges: [expect.objectContaining({ priceCtPerKWh: 12.0 })] });
    expect(t.vat).toEqual({ percent: 19, reclaimed: true });
    expect(t.grid).toEqual({
      energyChargeCtPerKWh: 0,
      demandCharge: { priceEurPerKwPerYear: 120, billingPeriod: 'year' },
      standingChargeEurPerYear: 0,
    });
    expect(t.feedIn).toEqual({ type: 'spotMinusMargin', marginCtPerKWh: 0.4 });
    expect(t.section14a).toBeUndefined();
    expect(t.timeZone).toBe('Europe/Berlin');
  });
});

describe('the schema rejects what a tariff file must not say', () => {
  const base = { id: 'x', name: 'x', energy: { type: 'fixed', priceCtPerKWh: 30 }, grid: {} };
  const m3 = { energyChargeCtPerKWh: { low: 1, standard: 0, high: 2 }, windows: [{ level: 'low', from: '00:00', to: '06:00' }] };
  it.each([
    { name: 'unknown key (typo)', input: { ...base, grdi: {} } },
    { name: 'unknown energy type', input: { ...base, energy: { type: 'flat', priceCtPerKWh: 30 } } },
    {
      name: 'window that crosses midnight',
      input: {
        ...base,
        energy: { type: 'timeOfUse', defaultPriceCtPerKWh: 30, periods: [{ name: 'n', from: '22:00', to: '06:00', priceCtPerKWh: 20 }] },
      },
    },
    {
      name: 'time 25:00',
      input: {
        ...base,
        energy: { type: 'timeOfUse', defaultPriceCtPerKWh: 30, periods: [{ name: 'n', from: '00:00', to: '25:00', priceCtPerKWh: 20 }] },
      },
    },
    { name: 'unknown time zone', input: { ...base, timeZone: 'Europe/Atlantis' } },
    { name: 'negative demand charge', input: { ...base, grid: { demandCharge: { priceEurPerKwPerYear: -1, billingPeriod: 'year' } } } },
    { name: 'billing period week', input: { ...base, grid: { demandCharge: { priceEurPerKwPerYear: 1, billingPeriod: 'week' } } } },
    {
      name: '§14a Modul 1 and Modul 2 together',
      input: { ...base, section14a: { module1: { reductionEurPerYear: 1 }, module2: { energyChargeReductionPercent: 60 } } },
    },
    { name: '§14a Modul 3 without Modul 1', input: { ...base, section14a: { module3: m3 } } },
    {
      name: '§14a Modul 3 standard level ≠ grid energy charge',
      input: { ...base, grid: { energyChargeCtPerKWh: 5 }, section14a: { module1: { reductionEurPerYear: 1 }, module3: m3 } },
    },
    { name: 'VAT above 100 %', input: { ...base, vat: { percent: 119, reclaimed: false } } },
  ])('$name', ({ input }) => {
    expect(TariffSchema.safeParse(input).success).toBe(false);
  });

  it('fills the defaults of a minimal file', () => {
    expect(TariffSchema.parse(base)).toMatchObject({
      example: false,
      currency: 'EUR',
      timeZone: 'Europe/Berlin',
      grid: { energyChargeCtPerKWh: 0, standingChargeEurPerYear: 0 },
    });
  });
});
