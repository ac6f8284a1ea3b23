// Local wall-clock parts of a UTC instant in a site's time zone. Pure (Intl only, no clock).
// The core keeps time as UTC epoch ms; only tariff windows are read in local time.
import { zoneFormatter, zoneParts } from '../time/zone.js';

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export interface LocalParts {
  year: number;
  /** 1–12 */
  month: number;
  /** 1–31 */
  day: number;
  /** 0–23 */
  hour: number;
  minute: number;
  weekday: Weekday;
  /** minutes since local midnight (wall clock), 0–1439 */
  minuteOfDay: number;
}

function formatter(timeZone: string): Intl.DateTimeFormat {
  const f = zoneFormatter(timeZone);
  if (!f) throw new RangeError(`Invalid time zone specified: ${timeZone}`);
  return f;
}

export function isValidTimeZone(timeZone: string): boolean {
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

export function localParts(epochMs: number, timeZone: string): LocalParts {
  const { year, month, day, hour, minute, weekday } = zoneParts(formatter(timeZone), epochMs);
  return { year, month, day, hour, minute, weekday: WEEKDAYS[weekday] ?? 'mon', minuteOfDay: hour * 60 + minute };
}

/** "HH:MM" (00:00–24:00) → minutes since midnight. */
export function parseHhMm(hhmm: string): number {
  const [h, m] = hhmm.split(':');
  return Number(h) * 60 + Number(m);
}

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** Hours of a calendar year (8760 or 8784): the denominator for pro-rating annual prices. */
export function hoursInYear(year: number): number {
  return isLeapYear(year) ? 8784 : 8760;
}
