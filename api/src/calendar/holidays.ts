/**
 * German public holidays per Bundesland, computed (no tables to keep up to date): fixed days,
 * Easter-based movable feasts (Gregorian computus) and Buß- und Bettag. Pure.
 *
 * Dates are local calendar dates `YYYY-MM-DD` (a holiday is a whole local day in the site's zone).
 * Valid from 1995 (Buß- und Bettag stopped being nationwide in 1995) onwards.
 *
 * Not modelled (said so on purpose): holidays of single municipalities — Mariä Himmelfahrt in the
 * Catholic communities of Bavaria, Fronleichnam in some communities of Saxony and Thuringia, the
 * Augsburger Friedensfest (8 Aug, city of Augsburg). Mariä Himmelfahrt is counted for Saarland
 * only, where it is statewide.
 */

export const GERMAN_STATES = ['BW', 'BY', 'BE', 'BB', 'HB', 'HH', 'HE', 'MV', 'NI', 'NW', 'RP', 'SL', 'SN', 'ST', 'SH', 'TH'] as const;
/** ISO 3166-2:DE subdivision codes without the `DE-` prefix. */
export type GermanState = (typeof GERMAN_STATES)[number];

export interface Holiday {
  /** Local calendar date, `YYYY-MM-DD`. */
  date: string;
  /** German name. */
  name: string;
}

const DAY_MS = 86_400_000;

export function isGermanState(s: string): s is GermanState {
  return (GERMAN_STATES as readonly string[]).includes(s);
}

/** Easter Sunday of a Gregorian year (anonymous Gregorian algorithm), as `YYYY-MM-DD`. */
export function easterSunday(year: number): string {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return ymd(year, month, day);
}

function ymd(y: number, m: number, d: number): string {
  return `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/** Calendar arithmetic on `YYYY-MM-DD` (UTC days, no time zone involved). */
export function addCalendarDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/** 0 = Monday … 6 = Sunday of a calendar date. */
export function weekdayOf(date: string): number {
  return (new Date(`${date}T00:00:00Z`).getUTCDay() + 6) % 7;
}

/** Buß- und Bettag: the Wednesday before 23 November (i.e. between 16 and 22 November). */
export function bussUndBettag(year: number): string {
  const nov22 = ymd(year, 11, 22);
  const back = (weekdayOf(nov22) - 2 + 7) % 7; // days back from 22 Nov to a Wednesday (weekday 2)
  return addCalendarDays(nov22, -back);
}

type Rule = { name: string; date: (year: number, easter: string) => string; states: (year: number) => readonly GermanState[] | 'all' };

const fixed = (m: number, d: number) => (y: number) => ymd(y, m, d);
const easterOffset = (days: number) => (_y: number, easter: string) => addCalendarDays(easter, days);
const always = (states: readonly GermanState[]) => () => states;

const RULES: Rule[] = [
  { name: 'Neujahr', date: fixed(1, 1), states: () => 'all' },
  { name: 'Heilige Drei Könige', date: fixed(1, 6), states: always(['BW', 'BY', 'ST']) },
  {
    name: 'Internationaler Frauentag',
    date: fixed(3, 8),
    states: (y) => [...(y >= 2019 ? (['BE'] as const) : []), ...(y >= 2023 ? (['MV'] as const) : [])],
  },
  { name: 'Karfreitag', date: easterOffset(-2), states: () => 'all' },
  { name: 'Ostersonntag', date: easterOffset(0), states: always(['BB']) },
  { name: 'Ostermontag', date: easterOffset(1), states: () => 'all' },
  { name: 'Tag der Arbeit', date: fixed(5, 1), states: () => 'all' },
  // one-off: 75th and 80th anniversary of the end of the war, Berlin only
  { name: 'Tag der Befreiung', date: fixed(5, 8), states: (y) => (y === 2020 || y === 2025 ? ['BE'] : []) },
  { name: 'Christi Himmelfahrt', date: easterOffset(39), states: () => 'all' },
  { name: 'Pfingstsonntag', date: easterOffset(49), states: always(['BB']) },
  { name: 'Pfingstmontag', date: easterOffset(50), states: () => 'all' },
  { name: 'Fronleichnam', date: easterOffset(60), states: always(['BW', 'BY', 'HE', 'NW', 'RP', 'SL']) },
  { name: 'Mariä Himmelfahrt', date: fixed(8, 15), states: always(['SL']) },
  { name: 'Weltkindertag', date: fixed(9, 20), states: (y) => (y >= 2019 ? ['TH'] : []) },
  { name: 'Tag der Deutschen Einheit', date: fixed(10, 3), states: () => 'all' },
  {
    name: 'Reformationstag',
    date: fixed(10, 31),
    // nationwide once in 2017 (500 years); the northern states added it in 2018
    states: (y) =>
      y === 2017 ? 'all' : y >= 2018 ? ['BB', 'MV', 'SN', 'ST', 'TH', 'HB', 'HH', 'NI', 'SH'] : ['BB', 'MV', 'SN', 'ST', 'TH'],
  },
  { name: 'Allerheiligen', date: fixed(11, 1), states: always(['BW', 'BY', 'NW', 'RP', 'SL']) },
  { name: 'Buß- und Bettag', date: (y) => bussUndBettag(y), states: always(['SN']) },
  { name: '1. Weihnachtstag', date: fixed(12, 25), states: () => 'all' },
  { name: '2. Weihnachtstag', date: fixed(12, 26), states: () => 'all' },
];

const cache = new Map<string, Map<string, string>>();

/**
 * Public holidays of `year` in `state`, sorted by date. `DE` gives only the nationwide ones
 * (the days that are holidays in every state that year).
 */
export function germanHolidays(year: number, state: GermanState | 'DE'): Holiday[] {
  if (!Number.isInteger(year) || year < 1995 || year > 2200) throw new RangeError(`germanHolidays: year ${year} outside 1995–2200`);
  if (state !== 'DE' && !isGermanState(state))
    throw new RangeError(`germanHolidays: unknown state "${String(state)}" (use ${GERMAN_STATES.join(', ')} or DE)`);
  const easter = easterSunday(year);
  const out: Holiday[] = [];
  for (const rule of RULES) {
    const states = rule.states(year);
    const applies = states === 'all' || (state !== 'DE' && states.includes(state));
    if (applies) out.push({ date: rule.date(year, easter), name: rule.name });
  }
  return out.sort((a, b) => a.date.localeCompare(b.date));
}

function holidayMap(year: number, state: GermanState | 'DE'): Map<string, string> {
  const key = `${year}:${state}`;
  let m = cache.get(key);
  if (!m) {
    m = new Map(germanHolidays(year, state).map((h) => [h.date, h.name]));
    cache.set(key, m);
  }
  return m;
}

/** Name of the public holiday on a local date (`YYYY-MM-DD`) in `state`, or undefined. */
export function holidayName(date: string, state: GermanState | 'DE'): string | undefined {
  return holidayMap(Number(date.slice(0, 4)), state).get(date);
}

export function isHoliday(date: string, state: GermanState | 'DE'): boolean {
  return holidayName(date, state) !== undefined;
}

/** A weekday (Mon–Fri) that is not a holiday. */
export function isWorkingDay(date: string, state: GermanState | 'DE' | undefined): boolean {
  return weekdayOf(date) < 5 && (state === undefined || !isHoliday(date, state));
}

/**
 * Bridge day (Brückentag): a working day squeezed between a non-working day on one side and a
 * holiday on the other — a Monday before a Tuesday holiday or a Friday after a Thursday holiday
 * (Christi Himmelfahrt, Fronleichnam, fixed days falling on Tue/Thu). Many plants close then.
 */
export function isBridgeDay(date: string, state: GermanState | 'DE' | undefined): boolean {
  if (state === undefined || !isWorkingDay(date, state)) return false;
  const prev = addCalendarDays(date, -1);
  const next = addCalendarDays(date, 1);
  const wd = weekdayOf(date);
  if (wd === 0) return isHoliday(next, state);
  if (wd === 4) return isHoliday(prev, state);
  return false;
}
