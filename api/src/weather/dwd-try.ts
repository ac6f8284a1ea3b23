/**
 * DWD test reference year TRY 2010 ("mittleres Jahr", 15 German climate regions), in the CSV form
 * of `shared/data/weather/dwd_try2010_15regions_hourly.csv` (see that folder's README).
 *
 * Time: `hour_mez_1_24` is the hour ENDING at HH in MEZ = UTC+1 all year (no DST), so the row
 * (month, day, HH) becomes the record `[HH−1, HH)` MEZ, i.e. `[HH−2, HH−1)` UTC on the chosen
 * calendar year. Hour 24 ends at 00:00 of the next day. Radiation is the mean of that hour;
 * temperature, cloud cover and wind are taken as the values at the end of the hour.
 *
 * A TRY is a synthetic typical year, not a real one: laying it on a calendar year only gives it
 * dates. It has no Feb 29, so on a leap year that day is a gap.
 *
 * Units: °C, m/s, W/m² as in the file; cloud cover octa → % (× 12.5; octa 9 "not observable" →
 * absent). `ghiWPerM2` is the file's `ghi_wm2` (= direct horizontal + diffuse), `dhiWPerM2` the
 * diffuse horizontal; DNI is not given (it would need the sun position) and stays absent.
 */
import { HOUR_MS } from '../markets/timeaxis.js';
import { WeatherParseError, type WeatherLineError } from './errors.js';
import type { WeatherRecord, WeatherSeries } from './model.js';

/** TRY 2010 reference stations (from `dwd_try2010_stations.csv`, DWD), degrees N / E. */
export const DWD_TRY2010_STATIONS: Readonly<Record<number, { station: string; latitude: number; longitude: number }>> = {
  1: { station: 'Bremerhaven', latitude: 53.5333, longitude: 8.5833 },
  2: { station: 'Rostock', latitude: 54.1833, longitude: 12.0833 },
  3: { station: 'Hamburg', latitude: 53.6333, longitude: 10.0 },
  4: { station: 'Potsdam', latitude: 52.3833, longitude: 13.0667 },
  5: { station: 'Essen', latitude: 51.4, longitude: 6.9667 },
  6: { station: 'Bad Marienberg', latitude: 50.6667, longitude: 7.9667 },
  7: { station: 'Kassel', latitude: 51.3, longitude: 9.45 },
  8: { station: 'Braunlage', latitude: 51.7333, longitude: 10.6 },
  9: { station: 'Chemnitz', latitude: 50.8, longitude: 12.8667 },
  10: { station: 'Hof', latitude: 50.3167, longitude: 11.8833 },
  11: { station: 'Fichtelberg', latitude: 50.4333, longitude: 12.95 },
  12: { station: 'Mannheim', latitude: 49.5167, longitude: 8.55 },
  13: { station: 'Muehldorf', latitude: 48.2833, longitude: 12.5 },
  14: { station: 'Stoetten', latitude: 48.6667, longitude: 9.8667 },
  15: { station: 'Garmisch-Partenkirchen', latitude: 47.4833, longitude: 11.0667 },
};

const HEADER =
  'try_region,month,day,hour_mez_1_24,temp_air_c,pressure_hpa,rel_humidity_pct,wind_speed_10m_ms,wind_dir_10m_deg,' +
  'cloud_cover_octa,direct_horizontal_wm2,diffuse_horizontal_wm2,ghi_wm2,longwave_down_wm2';
const MEZ_OFFSET_MS = HOUR_MS;
const NUMBER = /^[+-]?\d+(\.\d+)?$/;

export interface DwdTryOptions {
  /** Calendar year to lay the typical year on, e.g. 2023. */
  year: number;
  /** Only these regions (1–15); default all. */
  regions?: readonly number[];
}

export interface DwdTryResult {
  /** One series per region, keyed by region number. */
  regions: Map<number, WeatherSeries>;
  errors: WeatherLineError[];
}

/** Parse the TRY 2010 CSV. A bad line is reported and skipped; a wrong header throws. */
export function parseDwdTry(text: string, opts: DwdTryOptions): DwdTryResult {
  const lines = text.split(/\r?\n/);
  if (lines[0]?.replace(/^\uFEFF/, '').trim() !== HEADER) {
    throw new WeatherParseError('dwd-try', `unexpected header, expected "${HEADER}"`, { line: 1 });
  }
  const wanted = opts.regions === undefined ? undefined : new Set(opts.regions);
  const regions = new Map<number, WeatherSeries>();
  const errors: WeatherLineError[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === '') continue;
    const reject = (reason: string) => errors.push({ line: i + 1, reason, text: line });
    const cells = line.split(',');
    if (cells.length !== 14) {
      reject(`expected 14 columns, got ${cells.length}`);
      continue;
    }
    if (!cells.every((c) => NUMBER.test(c.trim()))) {
      reject('a cell is not a number');
      continue;
    }
    const [region, month, day, hour, tempC, , , windMPerS, , octa, , diffuse, ghi] = cells.map(Number) as number[];
    if (wanted !== undefined && !wanted.has(region!)) continue;
    const station = DWD_TRY2010_STATIONS[region!];
    if (station === undefined) {
      reject(`unknown region ${region}`);
      continue;
    }
    const dayStartMez = Date.UTC(opts.year, month! - 1, day!);
    const date = new Date(dayStartMez);
    if (!(month! >= 1 && month! <= 12) || date.getUTCMonth() !== month! - 1 || date.getUTCDate() !== day) {
      reject(`no such date ${month}-${day} in ${opts.year}`);
      continue;
    }
    if (!Number.isInteger(hour) || hour! < 1 || hour! > 24) {
      reject(`hour must be 1–24, got ${hour}`);
      continue;
    }
    if (!Number.isInteger(octa) || octa! < 0 || octa! > 9) {
      reject(`cloud cover must be 0–9 octa, got ${octa}`);
      continue;
    }
    const endMs = dayStartMez + hour! * HOUR_MS - MEZ_OFFSET_MS;
    const record: WeatherRecord = {
      startMs: endMs - HOUR_MS,
      endMs,
      ghiWPerM2: ghi!,
      dhiWPerM2: diffuse!,
      tempC: tempC!,
      windMPerS: windMPerS!,
    };
    if (octa !== 9) record.cloudCoverPct = octa! * 12.5;
    let series = regions.get(region!);
    if (series === undefined) {
      series = {
        latitude: station.latitude,
        longitude: station.longitude,
        source: `dwd-try2010:${String(region).padStart(2, '0')}`,
        records: [],
      };
      regions.set(region!, series);
    }
    const last = series.records[series.records.length - 1];
    if (last !== undefined && record.startMs < last.endMs) {
      reject(`out of order or duplicate hour for region ${region}`);
      continue;
    }
    series.records.push(record);
  }
  return { regions, errors };
}
