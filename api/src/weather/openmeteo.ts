/**
 * Open-Meteo API JSON (forecast `/v1/forecast` and archive `/v1/archive`), the `hourly` or the
 * `minutely_15` block. Pure: the caller fetches and passes the parsed JSON.
 *
 * Time: with `timeformat=unixtime` each `time` entry is UTC epoch seconds. With the default
 * `timeformat=iso8601` it is a wall time without offset (`2023-10-29T02:00`) in the requested
 * `timezone`, shifted by the response's single `utc_offset_seconds`. Open-Meteo does NOT follow
 * DST inside a response: it uses the offset valid when the request is served for the whole
 * series (maintainer statements in open-meteo/open-meteo#261, #488, #1255). So `time −
 * utc_offset_seconds` is the exact instant for every entry, also across a DST change; the wall
 * times are then simply not the legal local time on the other side of the change. Should a
 * response ever contain a repeated or skipped wall time (a DST-aware API, or a hand-edited
 * file) the parser refuses it instead of guessing: ask for `timeformat=unixtime` (preferred)
 * or `timezone=GMT`.
 *
 * Semantics: radiation is the mean of the PRECEDING period (the value at 10:00 is 09:00–10:00;
 * 15 minutes for `minutely_15`); temperature, cloud cover and wind are instantaneous at the
 * label. Each entry becomes the record `[label − step, label)`.
 *
 * Units are checked from `hourly_units` / `minutely_15_units`; wind is converted to m/s and °F to
 * °C; null values become absent fields.
 */
import { HOUR_MS, MINUTE_MS } from '../markets/timeaxis.js';
import { WeatherParseError } from './errors.js';
import type { WeatherQuantity, WeatherRecord, WeatherSeries } from './model.js';

export type OpenMeteoBlock = 'hourly' | 'minutely_15';

export interface OpenMeteoOptions {
  /** Which block to read; default `hourly`. */
  block?: OpenMeteoBlock;
  /** Stamped on every record (Open-Meteo does not say when its model ran; pass the fetch time). */
  issuedAtMs?: number;
  /** `source` of the series; default `openmeteo`. */
  source?: string;
}

const STEP_MS: Record<OpenMeteoBlock, number> = { hourly: HOUR_MS, minutely_15: 15 * MINUTE_MS };

/** Open-Meteo variable names (current first, pre-2023 aliases after) → our quantity. */
const VARIABLES: Record<string, WeatherQuantity> = {
  shortwave_radiation: 'ghiWPerM2',
  direct_normal_irradiance: 'dniWPerM2',
  diffuse_radiation: 'dhiWPerM2',
  temperature_2m: 'tempC',
  cloud_cover: 'cloudCoverPct',
  cloudcover: 'cloudCoverPct',
  wind_speed_10m: 'windMPerS',
  windspeed_10m: 'windMPerS',
};

type Convert = (v: number) => number;
const same: Convert = (v) => v;
const RADIATION: Record<string, Convert> = { 'W/m²': same, 'W/m2': same };
/** Unit text as Open-Meteo writes it → conversion to our unit. */
const UNITS: Record<WeatherQuantity, Record<string, Convert>> = {
  ghiWPerM2: RADIATION,
  dniWPerM2: RADIATION,
  dhiWPerM2: RADIATION,
  tempC: { '°C': same, '°F': (f) => ((f - 32) * 5) / 9 },
  cloudCoverPct: { '%': same },
  windMPerS: { 'm/s': same, 'km/h': (v) => v / 3.6, 'mp/h': (v) => v * 0.44704, kn: (v) => (v * 1852) / 3600 },
};

const WALL_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function fail(message: string, where: WeatherParseError['where'] = {}): never {
  throw new WeatherParseError('openmeteo', message, where);
}

function labelMs(t: unknown, offsetMs: number, index: number): number {
  if (typeof t === 'number') {
    if (!Number.isInteger(t)) fail(`unix time must be whole seconds, got ${t}`, { field: 'time', index });
    return t * 1000;
  }
  const m = typeof t === 'string' ? WALL_TIME.exec(t) : null;
  if (m === null) fail(`time must be unix seconds or "YYYY-MM-DDTHH:MM", got ${JSON.stringify(t)}`, { field: 'time', index });
  const [, y, mo, d, h, mi] = m.map(Number) as [number, number, number, number, number, number];
  const wall = Date.UTC(y, mo - 1, d, h, mi);
  const back = new Date(wall);
  if (back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d || h > 23 || mi > 59) {
    fail(`not a real time: "${String(t)}"`, { field: 'time', index });
  }
  return wall - offsetMs;
}

/** Parse one block of an Open-Meteo response into a series. Throws `WeatherParseError`. */
export function parseOpenMeteo(json: unknown, opts: OpenMeteoOptions = {}): WeatherSeries {
  const block = opts.block ?? 'hourly';
  const stepMs = STEP_MS[block];
  if (!isObject(json)) fail('response is not a JSON object');
  if (json['error'] === true) fail(`API error: ${String(json['reason'])}`);
  const { latitude, longitude } = json;
  if (typeof latitude !== 'number' || typeof longitude !== 'number') fail('latitude/longitude missing');
  const data = json[block];
  if (!isObject(data)) fail(`no "${block}" block`, { field: block });
  const units = json[`${block}_units`];
  const offsetSeconds = json['utc_offset_seconds'] ?? 0;
  if (typeof offsetSeconds !== 'number') fail('utc_offset_seconds is not a number');
  const time = data['time'];
  if (!Array.isArray(time)) fail('no time array', { field: `${block}.time` });

  const records: WeatherRecord[] = time.map((t, index) => {
    const endMs = labelMs(t, offsetSeconds * 1000, index);
    const r: WeatherRecord = { startMs: endMs - stepMs, endMs };
    if (opts.issuedAtMs !== undefined) r.issuedAtMs = opts.issuedAtMs;
    return r;
  });
  for (let i = 1; i < records.length; i++) {
    const step = records[i]!.endMs - records[i - 1]!.endMs;
    if (step !== stepMs) {
      fail(
        `time steps by ${step / MINUTE_MS} min instead of ${stepMs / MINUTE_MS} min after ${JSON.stringify(time[i - 1])}` +
          ' (a repeated or skipped local hour? request timeformat=unixtime)',
        { field: `${block}.time`, index: i },
      );
    }
  }

  const seen = new Set<WeatherQuantity>();
  for (const [name, quantity] of Object.entries(VARIABLES)) {
    const values = data[name];
    if (values === undefined || seen.has(quantity)) continue;
    seen.add(quantity);
    const field = `${block}.${name}`;
    if (!Array.isArray(values) || values.length !== time.length) fail(`expected ${time.length} values`, { field });
    const unit = isObject(units) ? units[name] : undefined;
    const convert = typeof unit === 'string' ? UNITS[quantity][unit] : undefined;
    if (convert === undefined) fail(`unknown or missing unit ${JSON.stringify(unit)}`, { field: `${block}_units.${name}` });
    values.forEach((v: unknown, index) => {
      if (v === null) return;
      if (typeof v !== 'number' || !Number.isFinite(v)) fail(`not a number: ${JSON.stringify(v)}`, { field, index });
      records[index]![quantity] = convert(v);
    });
  }
  return { latitude, longitude, source: opts.source ?? 'openmeteo', records };
}
