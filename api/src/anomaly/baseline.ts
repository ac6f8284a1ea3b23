/**
 * Seasonal reference of a series in LOCAL time (pure): for each reading, the readings at the same
 * local time of day on the most recent previous days of the same day type. Day types are the seven
 * weekdays; a public holiday counts as a Sunday (and so is neither judged against nor used as a
 * normal working day). Local time keeps the week after a DST change aligned: 07:00 local stays
 * 07:00 local, where a UTC baseline is off by an hour for weeks.
 */
import { localClock } from './localtime.js';
import type { Point } from './detect.js';

const DAY_MS = 86_400_000;

export interface BaselineOptions {
  intervalMs: number;
  /** IANA time zone of the site. */
  timeZone: string;
  /** `YYYY-MM-DD` (local date) → true for public holidays (and other days the site treats as a Sunday). */
  isHoliday?: (localDate: string) => boolean;
  /** Reference days per reading (the most recent days of the same day type). */
  baselineWeeks: number;
  /**
   * `weekday`: seven day types (Monday is compared with Mondays). `workday`: three day types,
   * Monday–Friday, Saturday, Sunday/holiday; the reference then follows a changed routine (school
   * term after the holidays, a new shift plan) within days instead of weeks. Default `weekday`.
   */
  dayTypes?: 'weekday' | 'workday';
  /**
   * A past working day whose mean is below this fraction of the median of the previous working days
   * (a bridge day, a school holiday, a plant shutdown the calendar does not know) is not used as a
   * reference for working days; it serves as a Sunday-like reference instead. 0 = off (default).
   */
  lowDayRatio?: number;
}

export interface Baseline {
  /**
   * `refs[i][k]`: the reading at point i's local time of day on the k-th most recent previous day of
   * the same day type (k = 0 newest), NaN when that day has no reading there. Length `baselineWeeks`.
   */
  refs: Float64Array[];
  /** Day type of each point: 0 = Sunday or holiday, 1 = Monday … 6 = Saturday. */
  dayType: Uint8Array;
  /** Whether the point's local date is a holiday. */
  holiday: Uint8Array;
}

/** Builds the reference table for sorted points. */
export function buildBaseline(points: readonly Point[], o: BaselineOptions): Baseline {
  const clock = localClock(o.timeZone);
  const n = points.length;
  const dayOf = new Int32Array(n);
  const slotOf = new Int32Array(n);
  const dayType = new Uint8Array(n);
  const holiday = new Uint8Array(n);
  /** local day index → { type, values by slot } */
  const days = new Map<number, { type: number; bySlot: Map<number, number> }>();
  const holidayCache = new Map<string, boolean>();
  for (let i = 0; i < n; i++) {
    const p = points[i]!;
    const t = clock.at(p.tsMs);
    let isHol = holidayCache.get(t.date);
    if (isHol === undefined) {
      isHol = o.isHoliday?.(t.date) ?? false;
      holidayCache.set(t.date, isHol);
    }
    const type = isHol ? 0 : o.dayTypes === 'workday' && t.weekday >= 1 && t.weekday <= 5 ? 1 : t.weekday;
    dayOf[i] = t.dayIndex;
    slotOf[i] = Math.round(t.msOfDay / o.intervalMs);
    dayType[i] = type;
    holiday[i] = isHol ? 1 : 0;
    let day = days.get(t.dayIndex);
    if (day === undefined) {
      day = { type, bySlot: new Map() };
      days.set(t.dayIndex, day);
    }
    day.bySlot.set(slotOf[i]!, p.value); // the repeated hour of the autumn DST day keeps its second reading
  }
  // days that look like holidays although the calendar does not say so: reference them as Sundays
  const refType = new Map<number, number>();
  for (const [d, day] of days) refType.set(d, day.type);
  if ((o.lowDayRatio ?? 0) > 0) {
    const slotsPerDay = Math.round(DAY_MS / o.intervalMs);
    const sorted = [...days.keys()].sort((a, b) => a - b);
    const means = new Map<number, number>();
    for (const d of sorted) {
      const values = [...days.get(d)!.bySlot.values()];
      if (values.length >= 0.8 * slotsPerDay) means.set(d, values.reduce((a, b) => a + b, 0) / values.length);
    }
    const history: number[] = [];
    for (const d of sorted) {
      const day = days.get(d)!;
      const mean = means.get(d);
      if (day.type === 0 || day.type === 6 || mean === undefined) continue;
      const recent = history.slice(-10).sort((a, b) => a - b);
      const typical = recent.length >= 4 ? recent[recent.length >> 1]! : undefined;
      if (typical !== undefined && mean < o.lowDayRatio! * typical) refType.set(d, 0);
      else history.push(mean);
    }
  }
  // previous days of the same type, newest first, looking back at most (weeks + 3) weeks
  const refDays = new Map<number, number[]>();
  const lookbackDays = (o.dayTypes === 'workday' ? Math.ceil(o.baselineWeeks / 5) + 3 : o.baselineWeeks + 3) * 7;
  for (const [d, day] of days) {
    const list: number[] = [];
    for (let back = 1; back <= lookbackDays && list.length < o.baselineWeeks; back++) {
      if (days.has(d - back) && refType.get(d - back) === day.type) list.push(d - back);
    }
    refDays.set(d, list);
  }
  const refs: Float64Array[] = new Array<Float64Array>(n);
  for (let i = 0; i < n; i++) {
    const r = new Float64Array(o.baselineWeeks).fill(NaN);
    const list = refDays.get(dayOf[i]!)!;
    for (let k = 0; k < list.length; k++) {
      const v = days.get(list[k]!)!.bySlot.get(slotOf[i]!);
      if (v !== undefined) r[k] = v;
    }
    refs[i] = r;
  }
  return { refs, dayType, holiday };
}

/** The non-missing reference values of one point. */
export function presentRefs(row: Float64Array): number[] {
  const out: number[] = [];
  for (const v of row) if (!Number.isNaN(v)) out.push(v);
  return out;
}

export { DAY_MS };
