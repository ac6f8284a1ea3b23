import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { findGaps } from '../markets/timeaxis.js';
import { parseDwdTry } from './dwd-try.js';
import { WeatherParseError } from './errors.js';
import { weatherRates } from './model.js';

// DWD TRY 2010 (credit: Deutscher Wetterdienst), kept in ../shared/data, not in the repo.
const SHARED = process.env.LUNA_SHARED_DATA ?? fileURLToPath(new URL('../../../../shared/data/', import.meta.url));
const FILE = join(SHARED, 'weather', 'dwd_try2010_15regions_hourly.csv');
const haveShared = existsSync(FILE);
const iso = (t: number) => new Date(t).toISOString();
const HEADER =
  'try_region,month,day,hour_mez_1_24,temp_air_c,pressure_hpa,rel_humidity_pct,wind_speed_10m_ms,wind_dir_10m_deg,' +
  'cloud_cover_octa,direct_horizontal_wm2,diffuse_horizontal_wm2,ghi_wm2,longwave_down_wm2';

describe.skipIf(!haveShared)('DWD TRY 2010, real file', () => {
  const text = haveShared ? readFileSync(FILE, 'utf8') : '';
  const all = parseDwdTry(text, { year: 2023 });
  const kassel = all.regions.get(7)!;

  it('reads 15 regions × 8760 hours without errors', () => {
    expect(all.errors).toEqual([]);
    expect([...all.regions.keys()]).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]);
    expect([...all.regions.values()].map((s) => s.records.length)).toEqual(Array(15).fill(8760));
    expect([kassel.latitude, kassel.longitude, kassel.source]).toEqual([51.3, 9.45, 'dwd-try2010:07']);
  });

  it('the year 2023 runs 2022-12-31T23:00Z … 2023-12-31T23:00Z without gaps', () => {
    expect(iso(kassel.records[0]!.startMs)).toBe('2022-12-31T23:00:00.000Z');
    expect(iso(kassel.records[8759]!.endMs)).toBe('2023-12-31T23:00:00.000Z');
    expect(findGaps(weatherRates(kassel.records, 'tempC'))).toEqual([]);
  });

  // line numbers and values as in the file; hour HH MEZ (UTC+1) ends at HH−1 UTC
  it.each([
    [
      'line 52562: 1 Jan hour 1 MEZ',
      '2022-12-31T23:00:00.000Z',
      { tempC: -2.7, windMPerS: 2.1, cloudCoverPct: 50, ghiWPerM2: 0, dhiWPerM2: 0 },
    ],
    [
      'line 52574: 1 Jan hour 13 MEZ',
      '2023-01-01T11:00:00.000Z',
      { tempC: 0.9, windMPerS: 5, cloudCoverPct: 87.5, ghiWPerM2: 112, dhiWPerM2: 96 },
    ],
    [
      'line 52737: 8 Jan hour 8, octa 9 = not observable',
      '2023-01-08T06:00:00.000Z',
      { tempC: -0.5, windMPerS: 2, ghiWPerM2: 0, dhiWPerM2: 0 },
    ],
    [
      'line 56678: 21 Jun hour 13 MEZ',
      '2023-06-21T11:00:00.000Z',
      { tempC: 20.7, windMPerS: 1, cloudCoverPct: 87.5, ghiWPerM2: 440, dhiWPerM2: 365 },
    ],
    [
      'line 61321: 31 Dec hour 24 MEZ',
      '2023-12-31T22:00:00.000Z',
      { tempC: -1.8, windMPerS: 1.5, cloudCoverPct: 62.5, ghiWPerM2: 0, dhiWPerM2: 0 },
    ],
  ])('Kassel (region 7), %s', (_name, startIso, expected) => {
    const r = kassel.records.find((x) => iso(x.startMs) === startIso)!;
    expect(r.endMs - r.startMs).toBe(3_600_000);
    expect(r).toEqual({ startMs: r.startMs, endMs: r.endMs, ...expected });
  });

  it('on a leap year Feb 29 is a gap (the TRY has no Feb 29)', () => {
    const k2024 = parseDwdTry(text, { year: 2024, regions: [7] }).regions.get(7)!;
    expect(k2024.records.length).toBe(8760);
    expect(findGaps(weatherRates(k2024.records, 'tempC')).map((g) => [iso(g.startMs), iso(g.endMs)])).toEqual([
      ['2024-02-28T23:00:00.000Z', '2024-02-29T23:00:00.000Z'],
    ]);
  });
});

describe('parseDwdTry, small inputs', () => {
  it('rejects a wrong header', () => {
    expect(() => parseDwdTry('region,month\n', { year: 2023 })).toThrow(WeatherParseError);
  });

  it.each([
    ['too few columns', '7,1,1,1,-2.7', /expected 14 columns/],
    ['a non-number', '7,1,1,1,x,989.7,98,2.1,180,4,0,0,0.0,213', /not a number/],
    ['region 16', '16,1,1,1,-2.7,989.7,98,2.1,180,4,0,0,0.0,213', /unknown region 16/],
    ['30 February', '7,2,30,1,-2.7,989.7,98,2.1,180,4,0,0,0.0,213', /no such date 2-30/],
    ['hour 0', '7,1,1,0,-2.7,989.7,98,2.1,180,4,0,0,0.0,213', /hour must be 1–24/],
    ['octa 10', '7,1,1,1,-2.7,989.7,98,2.1,180,10,0,0,0.0,213', /0–9 octa/],
  ])('reports %s with its line number and keeps the good line', (_name, bad, reason) => {
    const good = '7,1,1,1,-2.7,989.7,98,2.1,180,4,0,0,0.0,213';
    const r = parseDwdTry([HEADER, bad, good].join('\n'), { year: 2023 });
    expect(r.errors).toEqual([{ line: 2, reason: expect.stringMatching(reason), text: bad }]);
    expect(r.regions.get(7)!.records.length).toBe(1);
  });

  it('reports a repeated hour', () => {
    const good = '7,1,1,1,-2.7,989.7,98,2.1,180,4,0,0,0.0,213';
    expect(parseDwdTry([HEADER, good, good].join('\n'), { year: 2023 }).errors[0]).toMatchObject({
      line: 3,
      reason: expect.stringMatching(/duplicate/),
    });
  });
});
