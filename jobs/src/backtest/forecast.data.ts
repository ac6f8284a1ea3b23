/**
 * Data edge of the forecast backtest: reads the shared real data (and any `--load`, `--weather`,
 * `--pv` file) into the forecast module's types. Everything returned is on the UTC grid; power
 * in W, temperature in °C.
 */
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { addCalendarDays, germanHolidays } from '../../../api/src/calendar/index.js';
import type { RegularSeries, SiteCalendar } from '../../../api/src/forecast/index.js';
import { buildLoad2023, DEFAULT_DATA_DIR, LOAD_FILE, parseCsv } from '../../../api/src/tariffs/reference-site.js';
import { parseDwdTry, parseWeatherCsv, type WeatherRecord } from '../../../api/src/weather/index.js';
import type { Rate } from '../../../api/src/markets/index.js';
import { pvKw2023 } from '../demo-data.js';

export const DATA_DIR = DEFAULT_DATA_DIR;
const HOUR_MS = 3_600_000;

export interface LoadSite {
  name: string;
  /** Mean power per step, W. */
  history: RegularSeries;
  calendar: SiteCalendar;
  /** Observed air temperature, °C (hourly). */
  temperatureC?: RegularSeries;
  /** Evaluate forecasts for target days in [evalFrom, evalTo] (local dates). */
  evalFrom: string;
  evalTo: string;
  note: string;
}

export interface PvSite {
  name: string;
  history: RegularSeries;
  system: { latitudeDeg: number; longitudeDeg: number; tiltDeg: number; azimuthDeg: number; peakPowerW: number };
  timeZone: string;
  /** Observed weather (GHI, temperature), if any. */
  weather?: WeatherRecord[];
  evalFrom: string;
  evalTo: string;
  note: string;
}

export class DataError extends Error {
  constructor(file: string, line: number | undefined, reason: string) {
    super(`${file}${line === undefined ? '' : `:${line}`}: ${reason}`);
    this.name = 'DataError';
  }
}

const TIME_COLUMNS = ['ts_utc', 'timestamp_utc', 'timestamp', 'time', 'ts'];

/**
 * A CSV of (time, value) into a regular series. The time column is the first of `ts_utc`,
 * `timestamp_utc`, `timestamp`, `time`, `ts` (ISO 8601 with `Z` or an offset; marks the START of
 * the interval); the value column is `column` or the first other numeric column. Units from the
 * column name: `*kw*` → × 1000, otherwise W. Empty cells are missing (NaN); a bad line throws
 * with its line number. The step is the most common spacing; rows off that grid throw.
 */
export function readSeriesCsv(text: string, file: string, column?: string): { series: RegularSeries; column: string } {
  const lines = text
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .filter((l) => l.trim() !== '');
  const header = lines[0]!.split(',').map((h) => h.trim());
  const ti = header.findIndex((h) => TIME_COLUMNS.includes(h.toLowerCase()));
  if (ti < 0) throw new DataError(file, 1, `no time column (one of ${TIME_COLUMNS.join(', ')}) in header "${lines[0]}"`);
  let vi = column === undefined ? -1 : header.indexOf(column);
  if (column !== undefined && vi < 0) throw new DataError(file, 1, `no column "${column}" in header "${lines[0]}"`);
  if (vi < 0) vi = header.findIndex((h, i) => i !== ti && !/time|ts_|local|home|id/i.test(h));
  if (vi < 0) throw new DataError(file, 1, 'no value column');
  const name = header[vi]!;
  const scale = /kw/i.test(name) ? 1000 : 1;
  const ts: number[] = [];
  const vs: number[] = [];
  lines.slice(1).forEach((line, k) => {
    const cells = line.split(',');
    const t = Date.parse(cells[ti]!.trim());
    if (!/(Z|[+-]\d\d:?\d\d)$/.test(cells[ti]!.trim()) || !Number.isFinite(t))
      throw new DataError(file, k + 2, `"${cells[ti]}" is not an ISO 8601 time with offset`);
    const raw = (cells[vi] ?? '').trim();
    const v = raw === '' ? NaN : Number(raw);
    if (raw !== '' && !Number.isFinite(v)) throw new DataError(file, k + 2, `"${raw}" in column ${name} is not a number`);
    ts.push(t);
    vs.push(v * scale);
  });
  return { series: toRegular(ts, vs, file), column: name };
}

function toRegular(ts: readonly number[], vs: readonly number[], file: string): RegularSeries {
  const counts = new Map<number, number>();
  for (let i = 1; i < Math.min(ts.length, 2000); i++) counts.set(ts[i]! - ts[i - 1]!, (counts.get(ts[i]! - ts[i - 1]!) ?? 0) + 1);
  const stepMs = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
  if (stepMs === undefined || stepMs <= 0) throw new DataError(file, undefined, 'cannot tell the time step');
  const startMs = ts[0]!;
  const n = Math.round((ts[ts.length - 1]! - startMs) / stepMs) + 1;
  const values = new Array<number>(n).fill(NaN);
  ts.forEach((t, i) => {
    const k = (t - startMs) / stepMs;
    if (!Number.isInteger(k)) throw new DataError(file, i + 2, `time ${new Date(t).toISOString()} is off the ${stepMs / 60000}-min grid`);
    values[k] = vs[i]!;
  });
  return { startMs, stepMs, values };
}

/** Temperature (and GHI records) from a weather CSV: the repo's generic format, or the shared files' column names. */
export function readWeather(
  text: string,
  file: string,
  latitude: number,
  longitude: number,
): { temperatureC: RegularSeries; records: WeatherRecord[] } {
  let records: WeatherRecord[];
  const head = text.slice(0, 200).split(/\r?\n/)[0]!;
  if (head.includes('ts_utc_obs_end')) {
    // shared-data layout: observation end in UTC; temperature at that instant, GHI mean of the preceding hour
    const cols = head.split(',');
    const [ci, ti, gi] = [cols.indexOf('ts_utc_obs_end'), cols.indexOf('temp_air_c'), cols.indexOf('ghi_wm2')];
    records = text
      .trim()
      .split(/\r?\n/)
      .slice(1)
      .map((line, k) => {
        const c = line.split(',');
        const end = Date.parse(c[ci]!);
        if (!Number.isFinite(end)) throw new DataError(file, k + 2, `bad time "${c[ci]}"`);
        const r: WeatherRecord = { startMs: end - HOUR_MS, endMs: end };
        if (ti >= 0 && c[ti] !== '') r.tempC = Number(c[ti]);
        if (gi >= 0 && c[gi] !== '') r.ghiWPerM2 = Number(c[gi]);
        return r;
      });
  } else {
    const parsed = parseWeatherCsv(text, { latitude, longitude, source: basename(file) });
    if (parsed.errors.length > 0)
      process.stderr.write(
        `${file}: ${parsed.errors.length} bad lines skipped, first: line ${parsed.errors[0]!.line} ${parsed.errors[0]!.reason}\n`,
      );
    records = parsed.series.records;
  }
  return { temperatureC: temperatureSeries(records), records };
}

/** Hourly temperature series (value at the start of each hour ≈ the record ending there + 1 h). */
export function temperatureSeries(records: readonly WeatherRecord[]): RegularSeries {
  const withT = records.filter((r) => r.tempC !== undefined);
  const startMs = Math.floor(withT[0]!.endMs / HOUR_MS) * HOUR_MS;
  const n = Math.floor((withT[withT.length - 1]!.endMs - startMs) / HOUR_MS) + 1;
  const values = new Array<number>(n).fill(NaN);
  for (const r of withT) {
    const k = Math.round((r.endMs - startMs) / HOUR_MS);
    if (k >= 0 && k < n) values[k] = r.tempC!;
  }
  return { startMs, stepMs: HOUR_MS, values };
}

/** Local dates of the first and last whole day of a series (in `tz` ≈ via UTC date ± 1). */
function span(s: RegularSeries): [string, string] {
  const first = new Date(s.startMs).toISOString().slice(0, 10);
  const last = new Date(s.startMs + s.values.length * s.stepMs).toISOString().slice(0, 10);
  return [addCalendarDays(first, 1), addCalendarDays(last, -2)];
}

/** Warm-up before the first evaluated day: the models look back up to 63 + 42 days. */
export const WARMUP_DAYS = 110;

/**
 * The reference site's load (tariffs/reference-site.ts: the 2018 shape moved to 2023, 2,500 MWh/a).
 * Its dips are 2018's holidays moved by 1,827 days, so the calendar is those moved dates
 * (`offDays`, Hessen 2018) rather than 2023's holidays.
 */
export function musterwerkLoad(dataDir = DATA_DIR): LoadSite {
  const rows = parseCsv(readFileSync(join(dataDir, LOAD_FILE), 'utf8'), 'ts_utc', 'w_per_mwh_a');
  const l = buildLoad2023(rows);
  const offDays = germanHolidays(2018, 'HE')
    .map((h) => addCalendarDays(h.date, 1827))
    .filter((d) => d.startsWith('2023'));
  return {
    name: 'musterwerk',
    history: { startMs: l.epochMs[0]!, stepMs: 900_000, values: l.importEnergyWh.map((wh) => wh * 4) },
    calendar: { timeZone: 'Europe/Berlin', offDays },
    evalFrom: addCalendarDays('2023-01-01', WARMUP_DAYS),
    evalTo: '2023-12-30',
    note: 'reference site Musterwerk 2023 load (VDI 4657 LP_G_MV shape, 2,500 MWh/a); calendar: 2018 Hessen holidays moved with the data',
  };
}

export const VDI_FILES: Record<string, string> = {
  vdi_metal: 'de_vdi4657_LP_G_MV_metal_processing_2018_15min_norm1MWh.csv',
  vdi_electroplating: 'de_vdi4657_LP_G_G_electroplating_2017_15min_norm1MWh.csv',
  vdi_furniture: 'de_vdi4657_LP_G_MH_furniture_store_2015_15min_norm1MWh.csv',
  vdi_office_small: 'de_vdi4657_LP_Oe_Buero_k_office_small_2015_15min_norm1MWh.csv',
  vdi_office_medium: 'de_vdi4657_LP_Oe_Buero_m_office_medium_2015_15min_norm1MWh.csv',
  vdi_school_small: 'de_vdi4657_LP_Oe_Schule_k_school_small_2015_15min_norm1MWh.csv',
  vdi_school_medium: 'de_vdi4657_LP_Oe_Schule_m_school_medium_2014_15min_norm1MWh.csv',
  vdi_school_large: 'de_vdi4657_LP_Oe_Schule_g_school_large_2014_15min_norm1MWh.csv',
};

/** A VDI 4657-3 measured profile (W for a site of 1 MWh/a); German nationwide holidays (the state is not published). */
export function vdiLoad(name: string, dataDir = DATA_DIR): LoadSite {
  const file = VDI_FILES[name];
  if (!file) throw new Error(`unknown VDI site ${name}`);
  const { series } = readSeriesCsv(readFileSync(join(dataDir, 'load-measured', file), 'utf8'), file, 'w_per_mwh_a');
  const [first, last] = span(series);
  return {
    name,
    history: series,
    calendar: { timeZone: 'Europe/Berlin', state: 'DE' },
    evalFrom: addCalendarDays(first, WARMUP_DAYS),
    evalTo: last,
    note: `${file} (W per MWh/a)`,
  };
}

export const UCAM_BUILDINGS = ['b33', 'b35', 'b40', 'b58', 'b105', 'b21', 'b36', 'b97', 'b8', 'b59'];

/** A Cambridge building (hourly, kW → W) with Bedford temperature; evaluated on its last year. UK bank holidays are not modelled. */
export function ucamLoad(building: string, dataDir = DATA_DIR, weather?: RegularSeries): LoadSite {
  const file = building === 'b59' ? 'ucam_b59_2016-2018_hourly.csv' : `ucam_${building}_2016-2019_hourly.csv`;
  const { series } = readSeriesCsv(readFileSync(join(dataDir, 'load-measured', file), 'utf8'), file, 'kw');
  const [, last] = span(series);
  const temperatureC = weather ?? ucamWeather(dataDir).temperatureC;
  return {
    name: `ucam_${building}`,
    history: series,
    calendar: { timeZone: 'Europe/London' },
    temperatureC,
    evalFrom: addCalendarDays(last, -364),
    evalTo: last,
    note: `${file}, Bedford temperature`,
  };
}

let bedford: { temperatureC: RegularSeries; records: WeatherRecord[] } | undefined;
export function ucamWeather(dataDir = DATA_DIR): { temperatureC: RegularSeries; records: WeatherRecord[] } {
  bedford ??= readWeather(
    readFileSync(join(dataDir, 'load-measured', 'ucam_weather_bedford_2016-2019_hourly.csv'), 'utf8'),
    'bedford',
    52.227,
    -0.465,
  );
  return bedford;
}

/**
 * The reference site's PV: the demo's "measured" series (jobs/src/demo-data.ts `pvKw2023`: DWD TRY
 * region 7 Kassel GHI and temperature through the demo's simple model, 750 kWp), with the TRY
 * weather laid on 2023 as the observed weather.
 */
export function musterwerkPv(dataDir = DATA_DIR): PvSite {
  const text = readFileSync(join(dataDir, 'weather', 'dwd_try2010_15regions_hourly.csv'), 'utf8');
  const pvKw = pvKw2023(text);
  const weather = parseDwdTry(text, { year: 2023, regions: [7] }).regions.get(7)!.records;
  return {
    name: 'musterwerk',
    history: { startMs: Date.UTC(2023, 0, 1), stepMs: 900_000, values: Array.from(pvKw, (kw) => kw * 1000) },
    system: { latitudeDeg: 51.3, longitudeDeg: 9.45, tiltDeg: 30, azimuthDeg: 180, peakPowerW: 750_000 },
    timeZone: 'Europe/Berlin',
    weather,
    evalFrom: '2023-02-15',
    evalTo: '2023-12-30',
    note: 'reference site PV (demo model on DWD TRY 2010 Kassel, 750 kWp)',
  };
}

/**
 * Ausgrid customer 12 (measured, 1.04 kWp, NSW). Times are naive local wall clock with 48 steps
 * every day; read as AEST (UTC+10) all year. Orientation unknown: assumed 25° tilt facing north.
 */
export function ausgridPv(dataDir = DATA_DIR): PvSite {
  const file = 'ausgrid_customer12_load_pv_2011-07-01_2012-06-30_30min.csv';
  const lines = readFileSync(join(dataDir, 'pv', file), 'utf8')
    .trim()
    .split(/\r?\n/);
  const ts: number[] = [];
  const vs: number[] = [];
  lines.slice(1).forEach((l) => {
    const [t, , pv] = l.split(',');
    ts.push(Date.parse(`${t}+10:00`));
    vs.push(Number(pv) * 1000);
  });
  const history = toRegular(ts, vs, file);
  return {
    name: 'ausgrid_c12',
    history,
    system: { latitudeDeg: -33.87, longitudeDeg: 151.2, tiltDeg: 25, azimuthDeg: 0, peakPowerW: 1040 },
    timeZone: 'Australia/Brisbane',
    evalFrom: '2011-08-15',
    evalTo: '2012-06-28',
    note: `${file} (no weather: kc blend vs smart persistence)`,
  };
}

/** Day-ahead prices (EUR/MWh, hourly) of the reference site's price file, as rates. */
export function referencePrices(dataDir = DATA_DIR): Rate[] {
  const rows = parseCsv(
    readFileSync(join(dataDir, 'prices', 'de_lu_day_ahead_hourly_2023-01-06_2024-08-20.csv'), 'utf8'),
    'timestamp_utc',
    'price_eur_mwh',
  );
  return rows.filter((r) => Number.isFinite(r.value)).map((r) => ({ startMs: r.epochMs, endMs: r.epochMs + HOUR_MS, value: r.value }));
}

/** A `--load` file as a site (any CSV readable by `readSeriesCsv`), optional `--weather` temperature. */
export function customLoad(
  file: string,
  opts: { column?: string; timeZone: string; state?: SiteCalendar['state']; temperatureC?: RegularSeries },
): LoadSite {
  const { series, column } = readSeriesCsv(readFileSync(file, 'utf8'), file, opts.column);
  const [first, last] = span(series);
  return {
    name: basename(file)
      .replace(/\.[^.]+$/, '')
      .replace(/[^A-Za-z0-9_]+/g, '_'),
    history: series,
    calendar: { timeZone: opts.timeZone, ...(opts.state ? { state: opts.state } : {}) },
    ...(opts.temperatureC ? { temperatureC: opts.temperatureC } : {}),
    evalFrom: addCalendarDays(first, WARMUP_DAYS),
    evalTo: last,
    note: `${file} column ${column}`,
  };
}
