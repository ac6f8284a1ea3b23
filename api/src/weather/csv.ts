/**
 * A generic weather CSV:
 *
 * ```
 * timestamp,ghi [W/m2],temp [°C],cloud_cover [%],wind_speed [km/h]
 * 2024-06-01T10:00:00+02:00,512.5,18.2,40,12.6
 * ```
 *
 * - Delimiter `,` or `;` (taken from the header); decimal point.
 * - First column: the time label with its offset (`Z`, `+02:00`). Named `period_end` or
 *   `period_start` it says what it labels; named `timestamp` / `time` it labels the END of the
 *   period unless `timestampIs: 'periodStart'` is given (the convention of Open-Meteo and DWD:
 *   radiation is the mean of the preceding period). A time without offset is rejected.
 * - Known columns, each with its unit in brackets: `ghi`, `dni`, `dhi` [W/m2 | W/m²],
 *   `temp`/`temperature` [°C | C | degC | K], `cloud_cover` [% | octa], `wind_speed`/`wind`
 *   [m/s | km/h]. Other columns are ignored (listed in `ignoredColumns`). An empty cell is an
 *   absent value.
 * - A bad line (column count, time, number, physically impossible value, not after the previous
 *   line) is reported with its line number and reason and skipped; a bad header throws.
 */
import { parseIsoInstantMs } from '../markets/timeaxis.js';
import { WeatherParseError, type WeatherLineError } from './errors.js';
import type { WeatherQuantity, WeatherRecord, WeatherSeries } from './model.js';

export interface WeatherCsvOptions {
  latitude: number;
  longitude: number;
  /** `source` of the series; default `csv`. */
  source?: string;
  /** What a `timestamp`/`time` column labels; default `periodEnd`. */
  timestampIs?: 'periodEnd' | 'periodStart';
  /** Period length; default the most common step between consecutive labels. */
  resolutionMs?: number;
}

export interface WeatherCsvResult {
  series: WeatherSeries;
  resolutionMs: number;
  ignoredColumns: string[];
  errors: WeatherLineError[];
}

type Convert = (v: number) => number;
const same: Convert = (v) => v;
const RADIATION: Record<string, Convert> = { 'w/m2': same, 'w/m²': same };

const COLUMNS: Record<string, WeatherQuantity> = {
  ghi: 'ghiWPerM2',
  dni: 'dniWPerM2',
  dhi: 'dhiWPerM2',
  temp: 'tempC',
  temperature: 'tempC',
  cloud_cover: 'cloudCoverPct',
  wind_speed: 'windMPerS',
  wind: 'windMPerS',
};
/** Unit (lower case) → conversion into our unit. */
const UNITS: Record<WeatherQuantity, Record<string, Convert>> = {
  ghiWPerM2: RADIATION,
  dniWPerM2: RADIATION,
  dhiWPerM2: RADIATION,
  tempC: { '°c': same, c: same, degc: same, k: (v) => v - 273.15 },
  cloudCoverPct: { '%': same, octa: (v) => v * 12.5 },
  windMPerS: { 'm/s': same, 'km/h': (v) => v / 3.6 },
};
/** Plausible range in our unit; outside it the line is rejected. */
const RANGE: Record<WeatherQuantity, [number, number]> = {
  ghiWPerM2: [-20, 1500],
  dniWPerM2: [-20, 1500],
  dhiWPerM2: [-20, 1000],
  tempC: [-90, 60],
  cloudCoverPct: [0, 100],
  windMPerS: [0, 120],
};
const TIME_COLUMNS = new Set(['timestamp', 'time', 'period_end', 'period_start']);
const HEADER_CELL = /^([a-z0-9_]+)\s*(?:\[([^\]]*)\])?$/i;
const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

function headerError(message: string): never {
  throw new WeatherParseError('csv', message, { line: 1 });
}

function mostCommonStep(labels: readonly number[]): number | undefined {
  const counts = new Map<number, number>();
  for (let i = 1; i < labels.length; i++) {
    const step = labels[i]! - labels[i - 1]!;
    counts.set(step, (counts.get(step) ?? 0) + 1);
  }
  let best: number | undefined;
  for (const [step, n] of counts) if (best === undefined || n > counts.get(best)!) best = step;
  return best;
}

export function parseWeatherCsv(text: string, opts: WeatherCsvOptions): WeatherCsvResult {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const header = lines[0] ?? '';
  const delimiter = header.includes(';') ? ';' : ',';
  const names = header.split(delimiter).map((c) => c.trim());
  const timeName = names[0]?.toLowerCase() ?? '';
  if (!TIME_COLUMNS.has(timeName)) headerError(`first column must be one of ${[...TIME_COLUMNS].join(', ')}, got "${names[0]}"`);
  const labelIsEnd = timeName === 'period_end' || (timeName !== 'period_start' && (opts.timestampIs ?? 'periodEnd') === 'periodEnd');

  const columns: { index: number; quantity: WeatherQuantity; convert: Convert }[] = [];
  const ignoredColumns: string[] = [];
  names.slice(1).forEach((cell, i) => {
    const m = HEADER_CELL.exec(cell);
    const quantity = m === null ? undefined : COLUMNS[m[1]!.toLowerCase()];
    if (m === null || quantity === undefined) {
      ignoredColumns.push(cell);
      return;
    }
    const unit = m[2]?.trim().toLowerCase();
    if (unit === undefined) headerError(`column "${cell}" needs its unit in brackets, e.g. "${m[1]} [${Object.keys(UNITS[quantity])[0]}]"`);
    const convert = UNITS[quantity][unit];
    if (convert === undefined) headerError(`column "${cell}": unit must be one of ${Object.keys(UNITS[quantity]).join(', ')}`);
    if (columns.some((c) => c.quantity === quantity)) headerError(`two columns for ${quantity}`);
    columns.push({ index: i + 1, quantity, convert });
  });
  if (columns.length === 0) headerError('no known weather column (ghi, dni, dhi, temp, cloud_cover, wind_speed)');

  const errors: WeatherLineError[] = [];
  const rows: { labelMs: number; values: Partial<Record<WeatherQuantity, number>> }[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === '') continue;
    const reject = (reason: string) => errors.push({ line: i + 1, reason, text: line });
    const cells = line.split(delimiter).map((c) => c.trim());
    if (cells.length !== names.length) {
      reject(`expected ${names.length} columns, got ${cells.length}`);
      continue;
    }
    const labelMs = parseIsoInstantMs(cells[0]!);
    if (labelMs === undefined) {
      reject(`not an ISO 8601 time with offset: "${cells[0]}"`);
      continue;
    }
    const prev = rows[rows.length - 1];
    if (prev !== undefined && labelMs <= prev.labelMs) {
      reject(labelMs === prev.labelMs ? 'duplicate time' : 'time before the previous line');
      continue;
    }
    const values: Partial<Record<WeatherQuantity, number>> = {};
    let bad: string | undefined;
    for (const c of columns) {
      const cell = cells[c.index]!;
      if (cell === '') continue;
      if (!NUMBER.test(cell)) {
        bad = `${names[c.index]}: not a number "${cell}"`;
        break;
      }
      const v = c.convert(Number(cell));
      const [lo, hi] = RANGE[c.quantity];
      if (v < lo || v > hi) {
        bad = `${names[c.index]}: ${cell} is outside ${lo}…${hi} (${c.quantity})`;
        break;
      }
      values[c.quantity] = v;
    }
    if (bad !== undefined) {
      reject(bad);
      continue;
    }
    rows.push({ labelMs, values });
  }

  const resolutionMs = opts.resolutionMs ?? mostCommonStep(rows.map((r) => r.labelMs)) ?? 3_600_000;
  const records: WeatherRecord[] = rows.map((r) => {
    const startMs = labelIsEnd ? r.labelMs - resolutionMs : r.labelMs;
    return { startMs, endMs: startMs + resolutionMs, ...r.values };
  });
  const series: WeatherSeries = { latitude: opts.latitude, longitude: opts.longitude, source: opts.source ?? 'csv', records };
  return { series, resolutionMs, ignoredColumns, errors };
}
