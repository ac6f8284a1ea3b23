/**
 * Local time and day types for the forecasters. Pure; UTC offsets are memoised per zone and UTC
 * hour (DST changes fall on whole UTC hours in every zone a site here uses), so the models can
 * look up thousands of steps per forecast without calling Intl each time.
 */
import { holidayName, isBridgeDay, weekdayOf, type GermanState } from '../calendar/holidays.js';
import { zoneFormatter, zoneParts } from '../time/zone.js';
import { DAY_MS, ForecastInputError, HOUR_MS, type SiteCalendar } from './model.js';

const offsets = new Map<string, Map<number, number>>();

/** Offset of local wall time from UTC in ms at `tsMs` (e.g. +3 600 000 for CET). */
export function utcOffsetMs(timeZone: string, tsMs: number): number {
  let zone = offsets.get(timeZone);
  if (!zone) {
    if (!zoneFormatter(timeZone)) throw new ForecastInputError('calendar', `unknown time zone "${timeZone}"`);
    zone = new Map();
    offsets.set(timeZone, zone);
  }
  const hour = Math.floor(tsMs / HOUR_MS);
  let off = zone.get(hour);
  if (off === undefined) {
    const p = zoneParts(zoneFormatter(timeZone)!, hour * HOUR_MS);
    off = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - hour * HOUR_MS;
    zone.set(hour, off);
  }
  return off;
}

export interface LocalStep {
  /** Local calendar date `YYYY-MM-DD`. */
  date: string;
  /** Minutes since local midnight on the wall clock, 0–1439. */
  minuteOfDay: number;
}

const dateOfDay = new Map<number, string>();
const dayOfDate = new Map<string, number>();

/** `YYYY-MM-DD` of a UTC day number (memoised: the models ask for the same few hundred days). */
function dateString(day: number): string {
  let d = dateOfDay.get(day);
  if (d === undefined) {
    d = new Date(day * DAY_MS).toISOString().slice(0, 10);
    dateOfDay.set(day, d);
    dayOfDate.set(d, day);
  }
  return d;
}

function dayNumber(date: string): number {
  let n = dayOfDate.get(date);
  if (n === undefined) {
    n = Math.round(Date.parse(`${date}T00:00:00Z`) / DAY_MS);
    if (!Number.isFinite(n)) throw new ForecastInputError('calendar', `not a date: "${date}"`);
    dayOfDate.set(date, n);
    dateOfDay.set(n, date);
  }
  return n;
}

export function localStep(timeZone: string, tsMs: number): LocalStep {
  const local = tsMs + utcOffsetMs(timeZone, tsMs);
  const day = Math.floor(local / DAY_MS);
  return { date: dateString(day), minuteOfDay: Math.floor((local - day * DAY_MS) / 60_000) };
}

/**
 * The UTC instant of a local wall-clock time. In the spring gap the time does not exist and the
 * instant one hour later on the wall clock is returned; in the autumn repeat the first occurrence.
 */
export function localToUtc(timeZone: string, date: string, minuteOfDay: number): number {
  const naive = dayNumber(date) * DAY_MS + minuteOfDay * 60_000;
  const guess = naive - utcOffsetMs(timeZone, naive - 3 * HOUR_MS);
  const t = naive - utcOffsetMs(timeZone, guess);
  return naive - utcOffsetMs(timeZone, t);
}

/**
 * Day classes the load models tell apart. Public holidays and Christmas/New Year's Eve count as
 * the classes `sun` and `sat`; a bridge day, and the working days between Christmas and New Year,
 * are `bridge` (the load model blends working-day and Saturday profiles for them).
 */
const offDaySets = new WeakMap<readonly string[], Set<string>>();
function offDaySet(days: readonly string[]): Set<string> {
  let s = offDaySets.get(days);
  if (!s) {
    s = new Set(days);
    offDaySets.set(days, s);
  }
  return s;
}

export type DayClass = 'mon' | 'mid' | 'fri' | 'sat' | 'sun' | 'bridge';

/** Memo per calendar object: treat a `SiteCalendar` as immutable once passed to a model. */
const classCache = new WeakMap<SiteCalendar, Map<string, DayClass>>();

export function dayClass(date: string, calendar: SiteCalendar): DayClass {
  let m = classCache.get(calendar);
  if (!m) {
    m = new Map();
    classCache.set(calendar, m);
  }
  let c = m.get(date);
  if (c === undefined) {
    c = computeDayClass(date, calendar);
    m.set(date, c);
  }
  return c;
}

function computeDayClass(date: string, calendar: SiteCalendar): DayClass {
  const wd = weekdayOf(date);
  const state: GermanState | 'DE' | undefined = calendar.state;
  if (calendar.offDays !== undefined && offDaySet(calendar.offDays).has(date)) return 'sun';
  if (state !== undefined) {
    if (holidayName(date, state) !== undefined) return 'sun';
    const md = date.slice(5);
    if (wd < 5 && (md === '12-24' || md === '12-31')) return 'sat';
    if (wd < 5 && md >= '12-27' && md <= '12-30') return 'bridge';
    if (isBridgeDay(date, state)) return 'bridge';
  }
  if (wd === 6) return 'sun';
  if (wd === 5) return 'sat';
  if (wd === 0) return 'mon';
  if (wd === 4) return 'fri';
  return 'mid';
}

/** Working-day-like classes (for pooling residuals). */
export function isWorkClass(c: DayClass): boolean {
  return c === 'mon' || c === 'mid' || c === 'fri';
}

/** Calendar arithmetic on `YYYY-MM-DD` (memoised; same result as `calendar/addCalendarDays`). */
export function addCalendarDays(date: string, days: number): string {
  return dateString(dayNumber(date) + days);
}
