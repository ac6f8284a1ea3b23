/**
 * I/O edge of `npm run backtest:site`: reads the reference site (default) or the files given by
 * --load, --pv or --weather, --prices, and puts them on one 15-minute axis.
 *
 * Series files are CSV with a header: first column the time (ISO 8601 with offset or Z; the
 * START of the interval), and one value column whose name carries the unit:
 * load/PV `…_w`, `…_kw` or `…[W]`, `…[kW]` (a normalised `w_per_mwh_a` load needs --annual-mwh);
 * prices `…eur_mwh`, `…[EUR/MWh]` or `…ct_kwh`. Hourly or 15-minute rows; hourly values hold for
 * their four quarters. --weather takes the DWD TRY 2010 CSV (region by --region, default 7) or the
 * generic weather CSV of api/src/weather (GHI required, diffuse estimated when absent); the PV
 * system is the reference one (750 kWp, south, 30°) unless --kwp/--lat/--lon say otherwise.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pvPowerW, type HourlyWeather } from '../../../api/src/backtest/pv-model.js';
import { REFERENCE_PV, siteYear, toQuarterHours, type TimedValue } from '../../../api/src/backtest/reference.js';
import type { SiteYear } from '../../../api/src/backtest/simulate.js';
import { loadTariff } from '../../../api/src/tariffs/loader.js';
import { DEFAULT_DATA_DIR, START_2023, readMusterwerkLoadOnly } from '../../../api/src/tariffs/reference-site.js';
import { parseDwdTry } from '../../../api/src/weather/dwd-try.js';
import { parseWeatherCsv } from '../../../api/src/weather/csv.js';
import type { WeatherRecord } from '../../../api/src/weather/model.js';

export interface InputOptions {
  load?: string;
  pv?: string;
  weather?: string;
  prices?: string;
  tariff?: string;
  annualMWh?: number;
  region?: number;
  kwp?: number;
  lat?: number;
  lon?: number;
}

/**
 * The site options of the backtest commands from `--name=value` arguments: --load, --pv, --weather,
 * --prices, --tariff, --annual-mwh, --region, --kwp, --lat, --lon.
 */
export function inputOptionsFromArgs(argv: readonly string[]): InputOptions {
  const opt = (name: string): string | undefined => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  const num = (name: string): number | undefined => (opt(name) === undefined ? undefined : Number(opt(name)));
  return {
    ...(opt('load') ? { load: opt('load')! } : {}),
    ...(opt('pv') ? { pv: opt('pv')! } : {}),
    ...(opt('weather') ? { weather: opt('weather')! } : {}),
    ...(opt('prices') ? { prices: opt('prices')! } : {}),
    ...(opt('tariff') ? { tariff: opt('tariff')! } : {}),
    ...(num('annual-mwh') ? { annualMWh: num('annual-mwh')! } : {}),
    ...(num('region') ? { region: num('region')! } : {}),
    ...(num('kwp') ? { kwp: num('kwp')! } : {}),
    ...(num('lat') !== undefined ? { lat: num('lat')! } : {}),
    ...(num('lon') !== undefined ? { lon: num('lon')! } : {}),
  };
}

/** The first `days` of a site (the backtest commands' --days=N), or the whole site. */
export function firstDays<T extends { loadW: readonly number[]; pvW: readonly number[]; spotPriceEurPerMWh: readonly number[] }>(
  site: T,
  days: number | undefined,
): T {
  if (days === undefined) return site;
  const n = days * 96;
  return { ...site, loadW: site.loadW.slice(0, n), pvW: site.pvW.slice(0, n), spotPriceEurPerMWh: site.spotPriceEurPerMWh.slice(0, n) };
}

export class InputError extends Error {
  override readonly name = 'InputError';
}

const STEP_MS = 900_000;
const WEATHER_FILE = 'weather/dwd_try2010_15regions_hourly.csv';

type Kind = 'power' | 'price';

/** Reads `time,value` rows; errors name the file, line and reason. */
export function readSeriesCsv(path: string, kind: Kind, annualMWh?: number): TimedValue[] {
  const lines = readFileSync(path, 'utf8')
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/);
  const header = (lines[0] ?? '').split(/[;,]/).map((c) => c.trim());
  const delimiter = (lines[0] ?? '').includes(';') ? ';' : ',';
  const col = header.findIndex((h, i) => i > 0 && unitFactor(h, kind, annualMWh) !== null);
  if (col < 0)
    throw new InputError(
      `${path}:1: no ${kind} column with a unit in its name (${kind === 'power' ? '_w, _kw, [W], [kW], w_per_mwh_a' : 'eur_mwh, [EUR/MWh], ct_kwh'}) in "${lines[0]}"`,
    );
  const factor = unitFactor(header[col]!, kind, annualMWh)!;
  const rows: TimedValue[] = [];
  const errors: string[] = [];
  lines.slice(1).forEach((line, i) => {
    if (line.trim() === '') return;
    const cells = line.split(delimiter);
    const t = Date.parse(cells[0]!.trim());
    const v = Number(cells[col]);
    if (!Number.isFinite(t)) errors.push(`${path}:${i + 2}: time "${cells[0]}" is not an ISO 8601 instant`);
    else if (cells[col] === undefined || cells[col]!.trim() === '' || !Number.isFinite(v))
      errors.push(`${path}:${i + 2}: value "${cells[col] ?? ''}" is not a number`);
    else rows.push({ epochMs: t, value: v * factor });
  });
  if (errors.length > 0) {
    process.stderr.write(`${errors.length} bad line(s) skipped:\n${errors.slice(0, 10).join('\n')}\n`);
    if (rows.length === 0) throw new InputError(`${path}: no valid rows`);
  }
  return rows;
}

function unitFactor(name: string, kind: Kind, annualMWh?: number): number | null {
  const h = name.toLowerCase().replace(/\s+/g, '');
  if (kind === 'power') {
    if (h.endsWith('w_per_mwh_a')) {
      if (!annualMWh) throw new InputError(`a normalised load (${name}) needs --annual-mwh`);
      return annualMWh;
    }
    if (h.endsWith('_kw') || h.endsWith('[kw]')) return 1000;
    if (h.endsWith('_w') || h.endsWith('[w]')) return 1;
    return null;
  }
  if (h.endsWith('eur_mwh') || h.endsWith('[eur/mwh]')) return 1;
  if (h.endsWith('ct_kwh') || h.endsWith('[ct/kwh]')) return 10;
  return null;
}

function hourlyWeather(records: readonly WeatherRecord[]): HourlyWeather[] {
  const out: HourlyWeather[] = [];
  for (const r of records) {
    if (r.ghiWPerM2 === undefined) continue;
    for (let t = r.startMs; t < r.endMs; t += 3_600_000)
      out.push({
        startMs: t,
        ghiWPerM2: r.ghiWPerM2,
        ...(r.dhiWPerM2 !== undefined ? { dhiWPerM2: r.dhiWPerM2 } : {}),
        tempC: r.tempC ?? 10,
      });
  }
  return out;
}

export interface LoadedSite {
  site: SiteYear;
  notes: string[];
}

export async function loadSite(opts: InputOptions): Promise<LoadedSite> {
  const notes: string[] = [];
  const tariff = await loadTariff(opts.tariff ?? 'musterwerk-2023');
  let startMs = START_2023.getTime();
  let n = 35040;
  let loadW: number[];
  let spot: number[];
  if (opts.load) {
    const rows = readSeriesCsv(opts.load, 'power', opts.annualMWh);
    startMs = Math.floor(Math.min(...rows.map((r) => r.epochMs)) / STEP_MS) * STEP_MS;
    const end = Math.max(...rows.map((r) => r.epochMs));
    n = Math.min(35136, Math.ceil((end - startMs) / STEP_MS) + 1);
    const q = toQuarterHours(rows, startMs, n);
    loadW = q.values;
    notes.push(`load: ${opts.load}, ${n} steps from ${new Date(startMs).toISOString()}, ${q.filled} quarters filled`);
  } else {
    const ref = await readMusterwerkLoadOnly();
    loadW = ref.importEnergyWh.map((wh) => wh * 4);
    spot = ref.spotPriceEurPerMWh;
    notes.push(`load: reference site Musterwerk 2023 (2,500 MWh/a); prices: 2023 day-ahead, ${ref.filledPriceDays.length} days filled`);
  }
  if (opts.prices) {
    const q = toQuarterHours(readSeriesCsv(opts.prices, 'price'), startMs, n);
    spot = q.values;
    notes.push(`prices: ${opts.prices}, ${q.filled} quarters filled`);
  } else if (opts.load) {
    throw new InputError('--load needs --prices (the reference prices cover 2023 only)');
  }
  let pvW: number[];
  const system = {
    ...REFERENCE_PV,
    ...(opts.kwp ? { peakPowerW: opts.kwp * 1000 } : {}),
    ...(opts.lat !== undefined ? { latitudeDeg: opts.lat } : {}),
    ...(opts.lon !== undefined ? { longitudeDeg: opts.lon } : {}),
  };
  if (opts.pv) {
    const q = toQuarterHours(readSeriesCsv(opts.pv, 'power'), startMs, n);
    pvW = q.values.map((v) => Math.max(0, v));
    notes.push(`pv: ${opts.pv}, ${q.filled} quarters filled`);
  } else {
    const year = new Date(startMs + 86_400_000).getUTCFullYear();
    const path = opts.weather ?? join(DEFAULT_DATA_DIR, WEATHER_FILE);
    const text = readFileSync(path, 'utf8');
    let records: WeatherRecord[];
    if (text.startsWith('try_region')) {
      const region = opts.region ?? 7;
      const parsed = parseDwdTry(text, { year, regions: [region] });
      records = parsed.regions.get(region)?.records ?? [];
      notes.push(
        `pv: ${(system.peakPowerW / 1000).toFixed(0)} kWp modelled from DWD TRY 2010 region ${region} laid on ${year} (${parsed.errors.length} bad lines)`,
      );
    } else {
      const parsed = parseWeatherCsv(text, { latitude: system.latitudeDeg, longitude: system.longitudeDeg });
      records = parsed.series.records;
      notes.push(`pv: ${(system.peakPowerW / 1000).toFixed(0)} kWp modelled from ${path}`);
    }
    if (records.length === 0) throw new InputError(`${path}: no irradiance records`);
    pvW = pvPowerW(system, hourlyWeather(records), startMs, n);
  }
  return { site: siteYear({ name: opts.load ? 'custom' : 'musterwerk', startMs, loadW, pvW, spotPriceEurPerMWh: spot!, tariff }), notes };
}
