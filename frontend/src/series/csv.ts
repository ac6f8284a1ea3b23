/** CSV export of the points a chart shows — pure. RFC 4180: comma-separated, CRLF, quoted where needed. */
import { formatLocalIso } from './localtime';

export interface CsvSeries {
  key: string;
  name: string;
  unit: string;
  points: ReadonlyArray<{ ts: string; value: number; quality: string }>;
}

/** Quotes a field when it contains a comma, quote, line break or leading/trailing space; defuses spreadsheet formulas. */
export function csvField(value: string | number): string {
  let s = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(s) && !/^-?\d/.test(s)) s = `'${s}`;
  return /[",\r\n]|^\s|\s$/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * One row per point: series key and name, UTC time, local time of the site (with offset), the
 * value in the canonical unit (full precision, decimal point), the unit and the quality flag.
 */
export function buildCsv(series: readonly CsvSeries[], timeZone: string): string {
  const lines = [['series', 'name', 'ts_utc', `ts_local (${timeZone})`, 'value', 'unit', 'quality'].map(csvField).join(',')];
  for (const s of series)
    for (const p of s.points) {
      const ms = Date.parse(p.ts);
      lines.push(
        [s.key, s.name, new Date(ms).toISOString(), formatLocalIso(ms, timeZone), String(p.value), s.unit, p.quality]
          .map(csvField)
          .join(','),
      );
    }
  return `${lines.join('\r\n')}\r\n`;
}

/** A file name such as "demo_series_2026-03-29T1015Z.csv" (only characters safe on every file system). */
export function csvFileName(siteId: string, nowMs: number): string {
  const stamp = new Date(nowMs).toISOString().slice(0, 16).replace(':', '');
  return `${siteId.replace(/[^A-Za-z0-9_-]/g, '_')}_series_${stamp}Z.csv`;
}
