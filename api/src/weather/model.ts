/**
 * Weather on the time axis. All instants are UTC epoch ms; every record covers the half-open
 * period `[startMs, endMs)`, like `Rate` in `markets/timeaxis.ts` (one time-axis type).
 *
 * Two kinds of quantity share a record:
 * - **period means** (`ghiWPerM2`, `dniWPerM2`, `dhiWPerM2`): the mean over `[startMs, endMs)`.
 *   Every source here labels them with the END of the period ("the value at 10:00 is the mean of
 *   09:00–10:00"); the parsers move that label to `endMs`.
 * - **instantaneous values** (`tempC`, `cloudCoverPct`, `windMPerS`): the value at the label
 *   instant, which is `endMs` of the record.
 *
 * A field that the source did not give (or gave as null / not observable) is absent, never 0.
 */
import type { Rate } from '../markets/timeaxis.js';

export interface WeatherRecord extends Omit<Rate, 'value'> {
  /** Global horizontal irradiance, mean over the period, W/m². */
  ghiWPerM2?: number;
  /** Direct normal irradiance, mean over the period, W/m². */
  dniWPerM2?: number;
  /** Diffuse horizontal irradiance, mean over the period, W/m². */
  dhiWPerM2?: number;
  /** 2 m air temperature at `endMs`, °C. */
  tempC?: number;
  /** Total cloud cover at `endMs`, % (0–100). */
  cloudCoverPct?: number;
  /** 10 m wind speed at `endMs`, m/s. */
  windMPerS?: number;
  /** For forecasts: when the forecast was issued (or fetched, if the source does not say), UTC ms. */
  issuedAtMs?: number;
}

export type WeatherQuantity = 'ghiWPerM2' | 'dniWPerM2' | 'dhiWPerM2' | 'tempC' | 'cloudCoverPct' | 'windMPerS';

export const WEATHER_QUANTITIES: readonly WeatherQuantity[] = [
  'ghiWPerM2',
  'dniWPerM2',
  'dhiWPerM2',
  'tempC',
  'cloudCoverPct',
  'windMPerS',
];

export interface WeatherSeries {
  /** Degrees north (WGS 84). */
  latitude: number;
  /** Degrees east (WGS 84). */
  longitude: number;
  /** Where the series came from, e.g. `openmeteo:forecast`, `dwd-try2010:07`, `csv`. */
  source: string;
  /** Sorted by `startMs`, non-overlapping. */
  records: WeatherRecord[];
}

/**
 * One quantity as the shared time-axis type, skipping records where it is absent. For an
 * instantaneous quantity the rate spans the record's period while the value belongs to `endMs`.
 */
export function weatherRates(records: readonly WeatherRecord[], quantity: WeatherQuantity): Rate[] {
  const out: Rate[] = [];
  for (const r of records) {
    const value = r[quantity];
    if (value !== undefined) out.push({ startMs: r.startMs, endMs: r.endMs, value });
  }
  return out;
}
