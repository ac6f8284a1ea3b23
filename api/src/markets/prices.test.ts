import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_DATA_DIR } from '../tariffs/reference-site.js';
import { describe, expect, it } from 'vitest';
import { parseAwattar } from './awattar.js';
import { parseTibberPriceInfo } from './tibber.js';
import { parsePriceCsv } from './csv.js';
import { rateAt } from './timeaxis.js';

// aWATTar/Tibber samples and the price CSV are format samples without a licence to ship: read from ../shared/data.
const SHARED = join(DEFAULT_DATA_DIR, 'prices');
const haveShared = existsSync(join(SHARED, 'awattar_marketdata_DE_sample_2024-06-14_2024-06-16.json'));
const fixture = (name: string) => readFileSync(join(SHARED, name), 'utf8');
const iso = (t: number) => new Date(t).toISOString();
const ms = (s: string) => Date.parse(s);

describe.skipIf(!haveShared)('aWATTar, real response 2024-06-14…16', () => {
  const curve = parseAwattar(fixture('awattar_marketdata_DE_sample_2024-06-14_2024-06-16.json'));

  it('72 contiguous hourly rates', () => {
    expect([curve.zone, curve.unit, curve.resolutionMs, curve.rates.length, curve.gaps]).toEqual(['DE-LU', 'EUR/MWh', 3_600_000, 72, []]);
    expect(iso(curve.rates[0]!.startMs)).toBe('2024-06-13T22:00:00.000Z');
    expect(iso(curve.rates[71]!.startMs)).toBe('2024-06-16T21:00:00.000Z');
  });

  it.each([
    ['first hour', '2024-06-13T22:00Z', 83.13],
    ['lowest (negative) price', '2024-06-15T12:00Z', -80.01],
    ['negative neighbour', '2024-06-15T11:00Z', -65.46],
    ['last hour', '2024-06-16T21:00Z', 94.44],
  ])('exact price: %s', (_name, at, expected) => {
    expect(rateAt(curve.rates, ms(at))?.value).toBe(expected);
  });

  it('agrees with the DE-LU CSV on all 72 hours (README check)', () => {
    const csv = parsePriceCsv(fixture('de_lu_day_ahead_hourly_2023-01-06_2024-08-20.csv'));
    expect(curve.rates.filter((r) => rateAt(csv.rates, r.startMs)?.value !== r.value)).toEqual([]);
  });

  it.each([
    ['not JSON', '{"object":', /awattar: not JSON/],
    ['no data array', '{"object":"list"}', /"data" array/],
    [
      'string price',
      '{"object":"list","data":[{"start_timestamp":0,"end_timestamp":3600000,"marketprice":"1","unit":"Eur/MWh"}]}',
      /marketprice is not a number.*item 0/,
    ],
    [
      'other unit',
      '{"object":"list","data":[{"start_timestamp":0,"end_timestamp":3600000,"marketprice":1,"unit":"Eur/kWh"}]}',
      /unit "Eur\/kWh" is not Eur\/MWh/,
    ],
  ])('rejects %s', (_name, text, message) => {
    expect(() => parseAwattar(text)).toThrow(message);
  });
});

describe.skipIf(!haveShared)('Tibber priceInfo, real sample 2025-05-18/19', () => {
  const t = parseTibberPriceInfo(fixture('tibber_graphql_priceinfo_sample_2025-05-18.json'));

  it('48 hourly consumer prices; the sample carries total/level only', () => {
    expect(t.totalEurPerKWh).toHaveLength(48);
    expect(t.resolutionMs).toBe(3_600_000);
    expect(iso(t.totalEurPerKWh[0]!.startMs)).toBe('2025-05-17T22:00:00.000Z');
    expect(iso(t.totalEurPerKWh[47]!.endMs)).toBe('2025-05-19T22:00:00.000Z');
    expect([t.energyEurPerMWh, t.taxEurPerKWh, t.currencyFromPayload]).toEqual([null, null, false]);
    expect(t.levels[0]).toEqual({ startMs: ms('2025-05-17T22:00Z'), level: 'EXPENSIVE' });
  });

  it.each([
    ['today 00:00+02:00', '2025-05-18T00:00:00+02:00', 0.3136],
    ['today 13:00+02:00 (cheap)', '2025-05-18T13:00:00+02:00', 0.1778],
    ['tomorrow 00:00+02:00', '2025-05-19T00:00:00+02:00', 0.318],
    ['tomorrow 20:00+02:00 (peak)', '2025-05-19T20:00:00+02:00', 0.4592],
    ['tomorrow 23:00+02:00', '2025-05-19T23:00:00+02:00', 0.3197],
  ])('exact total: %s', (_name, at, expected) => {
    expect(rateAt(t.totalEurPerKWh, ms(at))?.value).toBe(expected);
  });

  it('with energy/tax/currency queried: energy part as EUR/MWh, total kept per kWh', () => {
    const p = parseTibberPriceInfo({
      today: [
        { startsAt: '2025-05-18T00:00:00.000+02:00', total: 0.3136, energy: 0.1021, tax: 0.2115, currency: 'EUR', level: 'NORMAL' },
        { startsAt: '2025-05-18T01:00:00.000+02:00', total: 0.3, energy: 0.09, tax: 0.21, currency: 'EUR', level: 'CHEAP' },
      ],
      tomorrow: [],
    });
    expect(p.energyEurPerMWh!.rates.map((r) => r.value)).toEqual([102.1, 90]);
    expect(p.energyEurPerMWh!.unit).toBe('EUR/MWh');
    expect(p.totalEurPerKWh.map((r) => r.value)).toEqual([0.3136, 0.3]);
    expect(p.taxEurPerKWh!.map((r) => r.value)).toEqual([0.2115, 0.21]);
    expect(p.currencyFromPayload).toBe(true);
  });

  it.each([
    ['no priceInfo', { data: { viewer: {} } }, /no data.viewer.home.currentSubscription.priceInfo/],
    ['startsAt without offset', { today: [{ startsAt: '2025-05-18T00:00:00', total: 0.3 }] }, /not an ISO 8601 instant/],
    ['NOK', { today: [{ startsAt: '2025-05-18T00:00:00Z', total: 3, currency: 'NOK' }] }, /today\[0\].currency NOK is not supported/],
    ['total missing', { today: [{ startsAt: '2025-05-18T00:00:00Z' }] }, /today\[0\].total is missing/],
  ])('rejects %s', (_name, doc, message) => {
    expect(() => parseTibberPriceInfo(doc)).toThrow(message);
  });
});
