/**
 * Validation of a JSON batch of readings (REST) — pure. Each item is checked on its own: a bad item
 * becomes a rejection naming its index, field and reason; the good ones are kept.
 */
import type { Series } from '../timeseries/series.js';
import { QUALITIES, type Quality, type Reading, type Rejection } from './model.js';
import { parseIsoWithOffset, parseUnit } from './normalise.js';

export interface BatchItem {
  series?: unknown;
  ts?: unknown;
  value?: unknown;
  unit?: unknown;
  quality?: unknown;
  [other: string]: unknown;
}

const ALLOWED = new Set(['series', 'ts', 'value', 'unit', 'quality']);
/** Readings more than this far in the future are refused (clock errors). */
export const MAX_FUTURE_MS = 24 * 3_600_000;

export function validateBatch(
  items: readonly BatchItem[],
  series: ReadonlyMap<number | string, Series>,
  nowMs: number,
): { readings: Reading[]; rejections: Rejection[] } {
  const readings: Reading[] = [];
  const rejections: Rejection[] = [];
  items.forEach((item, index) => {
    const reject = (field: string, reason: string) => rejections.push({ index, field, reason, raw: JSON.stringify(item).slice(0, 500) });
    if (typeof item !== 'object' || item === null || Array.isArray(item)) return reject('', 'must be an object {series, ts, value}');
    const unknown = Object.keys(item).filter((k) => !ALLOWED.has(k));
    if (unknown.length) return reject(unknown[0]!, `unknown field "${unknown[0]}" (allowed: series, ts, value, unit, quality)`);

    if (typeof item.series !== 'number' && typeof item.series !== 'string')
      return reject('series', 'must be a series id (number) or key (string)');
    const s = series.get(item.series);
    if (!s)
      return reject('series', `unknown series ${JSON.stringify(item.series)} on this site — create it first (POST /sites/{siteId}/series)`);

    let tsMs: number | undefined;
    if (typeof item.ts === 'number' && Number.isFinite(item.ts)) tsMs = item.ts;
    else if (typeof item.ts === 'string') tsMs = parseIsoWithOffset(item.ts);
    if (tsMs === undefined)
      return reject(
        'ts',
        `${JSON.stringify(item.ts)} is not a time: use ISO 8601 with offset (2025-10-26T01:15:00Z) or epoch milliseconds`,
      );
    if (tsMs > nowMs + MAX_FUTURE_MS)
      return reject('ts', `${new Date(tsMs).toISOString()} is more than 24 h in the future — check the sender's clock`);

    if (typeof item.value !== 'number' || !Number.isFinite(item.value))
      return reject('value', `${JSON.stringify(item.value)} is not a finite number`);

    let factor = 1;
    if (item.unit !== undefined) {
      if (typeof item.unit !== 'string') return reject('unit', 'must be a string such as "kW"');
      const unit = parseUnit(item.unit);
      if (!unit) return reject('unit', `unknown unit "${item.unit}"`);
      if (unit.canonical !== s.unit) return reject('unit', `"${item.unit}" does not fit series ${s.key}, which is measured in ${s.unit}`);
      factor = unit.factor;
    }

    let quality: Quality = 'measured';
    if (item.quality !== undefined) {
      if (!QUALITIES.includes(item.quality as Quality)) return reject('quality', `must be one of ${QUALITIES.join(', ')}`);
      quality = item.quality as Quality;
    }
    if (s.semantics === 'cumulative' && item.value * factor < 0) return reject('value', 'a meter register cannot be negative');
    readings.push({ seriesId: s.id, tsMs, value: item.value * factor, quality });
  });
  return { readings, rejections };
}
