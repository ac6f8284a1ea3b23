/**
 * Date and time cells as German and international exports write them. Only wall-clock parsing
 * here; local → UTC is the normalisation contract's job (../normalise.ts).
 */
import type { LocalDateTime } from '../normalise.js';

/** How the date part of a cell is written. ISO_OFFSET: a full ISO 8601 time with offset or Z. */
export const DATE_FORMATS = ['DD.MM.YYYY', 'DD.MM.YY', 'YYYY-MM-DD', 'ISO_OFFSET'] as const;
export type DateFormat = (typeof DATE_FORMATS)[number];

export interface WallTime {
  hour: number;
  minute: number;
  second: number;
}

export interface DateCell {
  year: number;
  month: number;
  day: number;
  /** present when the cell carries a time too ('26.10.2025 02:15') */
  time?: WallTime;
}

const ISO_OFFSET = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i;
const DATE_PATTERNS: Record<Exclude<DateFormat, 'ISO_OFFSET'>, RegExp> = {
  'DD.MM.YYYY': /^(\d{1,2})\.(\d{1,2})\.(\d{4})(?:[ T]+(.+))?$/,
  'DD.MM.YY': /^(\d{1,2})\.(\d{1,2})\.(\d{2})(?:[ T]+(.+))?$/,
  'YYYY-MM-DD': /^(\d{4})-(\d{2})-(\d{2})(?:[ T]+(.+))?$/,
};
const TIME = /^(\d{1,2}):(\d{2})(?::(\d{2}))?$/;

/** The format of a date-like cell, or undefined when the cell is no date. */
export function detectDateFormat(text: string): DateFormat | undefined {
  const t = text.trim();
  if (ISO_OFFSET.test(t)) return 'ISO_OFFSET';
  for (const format of ['DD.MM.YYYY', 'DD.MM.YY', 'YYYY-MM-DD'] as const) {
    if (parseDateCell(t, format)) return format;
  }
  return undefined;
}

/** 'HH:mm' or 'HH:mm:ss'; '24:00' (end of day) is allowed and kept as hour 24. */
export function parseTimeCell(text: string): WallTime | undefined {
  const m = TIME.exec(text.trim());
  if (!m) return undefined;
  const hour = Number(m[1]);
  const minute = Number(m[2]);
  const second = m[3] === undefined ? 0 : Number(m[3]);
  if (minute > 59 || second > 59) return undefined;
  if (hour > 24 || (hour === 24 && (minute !== 0 || second !== 0))) return undefined;
  return { hour, minute, second };
}

/** A date cell in the given format, optionally followed by a time. Two-digit years are 20YY. */
export function parseDateCell(text: string, format: Exclude<DateFormat, 'ISO_OFFSET'>): DateCell | undefined {
  const m = DATE_PATTERNS[format].exec(text.trim());
  if (!m) return undefined;
  const [a, b, c, rest] = [Number(m[1]), Number(m[2]), Number(m[3]), m[4]];
  const date = format === 'YYYY-MM-DD' ? { year: a, month: b, day: c } : { year: format === 'DD.MM.YY' ? 2000 + c : c, month: b, day: a };
  if (date.month < 1 || date.month > 12 || date.day < 1 || date.day > daysInMonth(date.year, date.month)) return undefined;
  if (rest === undefined) return date;
  const time = parseTimeCell(rest);
  return time ? { ...date, time } : undefined;
}

/** Date plus wall time to a LocalDateTime; 24:00 becomes 00:00 of the next day. */
export function toLocalDateTime(date: Pick<DateCell, 'year' | 'month' | 'day'>, time: WallTime | undefined): LocalDateTime {
  const t = time ?? { hour: 0, minute: 0, second: 0 };
  if (t.hour === 24) {
    const next = new Date(Date.UTC(date.year, date.month - 1, date.day + 1));
    return { year: next.getUTCFullYear(), month: next.getUTCMonth() + 1, day: next.getUTCDate(), hour: 0, minute: 0, second: 0 };
  }
  return { year: date.year, month: date.month, day: date.day, hour: t.hour, minute: t.minute, second: t.second };
}

/** Wall clock as if it were UTC — only for differences between wall times (interval length). */
export function wallMs(local: LocalDateTime): number {
  return Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute, local.second);
}

export function formatLocal(local: LocalDateTime): string {
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  return `${p(local.year, 4)}-${p(local.month)}-${p(local.day)} ${p(local.hour)}:${p(local.minute)}`;
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}
