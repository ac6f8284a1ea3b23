/**
 * Open-Meteo clients (adapter): the forecast API (`/v1/forecast`) and the historical archive
 * (`/v1/archive`), asked for hourly GHI/DNI/DHI, temperature, cloud cover and wind with
 * `timezone=GMT&timeformat=unixtime` (exact instants, no DST ambiguity; see README.md), parsed by
 * `parseOpenMeteo`. Retries with backoff come from `markets/http.ts`.
 */
import { getWithRetry, type RetryOptions } from '../markets/http.js';
import { parseOpenMeteo } from './openmeteo.js';
import type { WeatherSeries } from './model.js';

export const OPEN_METEO_HOURLY = [
  'temperature_2m',
  'shortwave_radiation',
  'direct_normal_irradiance',
  'diffuse_radiation',
  'cloud_cover',
  'wind_speed_10m',
] as const;

export interface OpenMeteoClientOptions extends RetryOptions {
  /** Default https://api.open-meteo.com */
  forecastUrl?: string;
  /** Default https://archive-api.open-meteo.com */
  archiveUrl?: string;
}

function query(lat: number, lon: number, extra: Record<string, string>): string {
  const q = new URLSearchParams({
    latitude: lat.toFixed(4),
    longitude: lon.toFixed(4),
    hourly: OPEN_METEO_HOURLY.join(','),
    timezone: 'GMT',
    timeformat: 'unixtime',
    wind_speed_unit: 'ms',
    ...extra,
  });
  return q.toString();
}

async function getJson(url: string, o: OpenMeteoClientOptions): Promise<unknown> {
  // Open-Meteo answers bad parameters with 400 and {"error":true,"reason":…}: parseOpenMeteo reports the reason
  const res = await getWithRetry('openmeteo', url, {
    ...o,
    accept: (s) => s === 200 || s === 400,
    headers: { accept: 'application/json' },
  });
  try {
    return JSON.parse(res.text);
  } catch {
    return { error: true, reason: `not JSON (HTTP ${res.status}): ${res.text.slice(0, 120)}` };
  }
}

export interface OpenMeteoClient {
  /** Hourly forecast from today 00:00 UTC (minus `pastDays`) for `days` days; records stamped with `issuedAtMs`. */
  forecast(lat: number, lon: number, issuedAtMs: number, opts?: { days?: number; pastDays?: number }): Promise<WeatherSeries>;
  /** Observed (reanalysis) hourly weather for the UTC dates `fromDate`..`toDate` inclusive (`YYYY-MM-DD`). */
  archive(lat: number, lon: number, fromDate: string, toDate: string): Promise<WeatherSeries>;
}

export function openMeteoClient(o: OpenMeteoClientOptions = {}): OpenMeteoClient {
  const forecastUrl = (o.forecastUrl ?? 'https://api.open-meteo.com').replace(/\/+$/, '');
  const archiveUrl = (o.archiveUrl ?? 'https://archive-api.open-meteo.com').replace(/\/+$/, '');
  return {
    async forecast(lat, lon, issuedAtMs, opts = {}) {
      const json = await getJson(
        `${forecastUrl}/v1/forecast?${query(lat, lon, { forecast_days: String(opts.days ?? 3), past_days: String(opts.pastDays ?? 1) })}`,
        o,
      );
      return parseOpenMeteo(json, { issuedAtMs, source: 'openmeteo:forecast' });
    },
    async archive(lat, lon, fromDate, toDate) {
      const json = await getJson(`${archiveUrl}/v1/archive?${query(lat, lon, { start_date: fromDate, end_date: toDate })}`, o);
      return parseOpenMeteo(json, { source: 'openmeteo:archive' });
    },
  };
}
