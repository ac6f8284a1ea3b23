import { describe, expect, it } from 'vitest';
import { parseWeatherCsv } from './csv.js';
import { WeatherParseError } from './errors.js';

const iso = (t: number) => new Date(t).toISOString();
const AT = { latitude: 51.3, longitude: 9.45 };

const GOOD = [
  'timestamp,ghi [W/m2],temp [°C],cloud_cover [%],wind_speed [km/h],station',
  '2024-06-01T10:00:00+02:00,512.5,18.2,40,12.6,kassel',
  '2024-06-01T11:00:00+02:00,640,19.0,,18,kassel',
  '2024-06-01T12:00:00Z,700,20.5,10,0,kassel',
].join('\n');

describe('parseWeatherCsv', () => {
  it('timestamp labels the END of the period by default; units converted; empty cell absent', () => {
    const r = parseWeatherCsv(GOOD, AT);
    expect([r.errors, r.ignoredColumns, r.resolutionMs, r.series.source]).toEqual([[], ['station'], 3_600_000, 'csv']);
    expect(r.series.records.map((x) => [iso(x.startMs), iso(x.endMs)])).toEqual([
      ['2024-06-01T07:00:00.000Z', '2024-06-01T08:00:00.000Z'],
      ['2024-06-01T08:00:00.000Z', '2024-06-01T09:00:00.000Z'],
      ['2024-06-01T11:00:00.000Z', '2024-06-01T12:00:00.000Z'],
    ]);
    expect(r.series.records[0]).toMatchObject({ ghiWPerM2: 512.5, tempC: 18.2, cloudCoverPct: 40, windMPerS: 3.5 });
    expect('cloudCoverPct' in r.series.records[1]!).toBe(false);
    expect(r.series.records[1]!.windMPerS).toBe(5);
  });

  it.each([
    ['period_start column', 'period_start;ghi [W/m²];dhi [W/m2]\n2024-01-01T00:00Z;1;2', {}, '2024-01-01T00:00:00.000Z'],
    ['period_end column', 'period_end,dni [W/m2]\n2024-01-01T00:00Z,3', {}, '2023-12-31T23:45:00.000Z'],
    [
      'timestamp with timestampIs periodStart',
      'time,temp [K]\n2024-01-01T00:00Z,273.15',
      { timestampIs: 'periodStart' as const },
      '2024-01-01T00:00:00.000Z',
    ],
  ])('%s', (_name, text, opts, startIso) => {
    const r = parseWeatherCsv(text, { ...AT, resolutionMs: 900_000, ...opts });
    expect(r.errors).toEqual([]);
    expect(iso(r.series.records[0]!.startMs)).toBe(startIso);
  });

  it('converts octa and kelvin', () => {
    const r = parseWeatherCsv('timestamp,cloud_cover [octa],temperature [K]\n2024-01-01T00:00Z,6,263.15', AT);
    expect(r.series.records[0]!.cloudCoverPct).toBe(75);
    expect(r.series.records[0]!.tempC).toBeCloseTo(-10, 10);
  });

  it.each([
    ['wrong column count', '2024-06-01T13:00:00Z,1,2', /expected 6 columns/],
    ['no offset', '2024-06-01T13:00:00,1,2,3,4,x', /with offset/],
    ['duplicate time', '2024-06-01T12:00:00Z,1,2,3,4,x', /duplicate time/],
    ['time going back', '2024-06-01T09:00:00Z,1,2,3,4,x', /before the previous/],
    ['not a number', '2024-06-01T13:00:00Z,abc,2,3,4,x', /ghi \[W\/m2\]: not a number/],
    ['cloud cover above 100 %', '2024-06-01T13:00:00Z,1,2,130,4,x', /outside 0…100/],
    ['negative wind', '2024-06-01T13:00:00Z,1,2,3,-4,x', /outside 0…120/],
  ])('rejects a line with %s, by line number', (_name, bad, reason) => {
    const r = parseWeatherCsv(`${GOOD}\n${bad}\n2024-06-01T14:00:00Z,1,2,3,4,x`, AT);
    expect(r.errors).toEqual([{ line: 5, reason: expect.stringMatching(reason), text: bad }]);
    expect(r.series.records.length).toBe(4);
  });

  it.each([
    ['no time column', 'ghi [W/m2]\n1', /first column/],
    ['no unit', 'timestamp,ghi\n2024-01-01T00:00Z,1', /needs its unit/],
    ['unknown unit', 'timestamp,ghi [kW/m2]\n2024-01-01T00:00Z,1', /unit must be one of/],
    ['no weather column', 'timestamp,foo\n2024-01-01T00:00Z,1', /no known weather column/],
    ['two temperature columns', 'timestamp,temp [C],temperature [K]\n', /two columns/],
  ])('throws on a header with %s', (_name, text, message) => {
    expect(() => parseWeatherCsv(text, AT)).toThrow(WeatherParseError);
    expect(() => parseWeatherCsv(text, AT)).toThrow(message);
  });
});
