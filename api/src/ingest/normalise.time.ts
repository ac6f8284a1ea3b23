/**
 * Local wall-clock time → UTC with an explicit DST policy, and ISO 8601 with offset → epoch ms.
 * Uses only Intl (full ICU), so any IANA zone works. Part of the contract in ./normalise.ts.
 */
import type { DstPolicy, LocalDateTime, LocalToUtcResult } from './normalise.js';
import { zoneFormatter, zoneParts } from '../time/zone.js';

const SECOND_MS = 1000;
const MINUTE_MS = 60 * SECOND_MS;
const DAY_MS = 24 * 60 * MINUTE_MS;

// ---- calendar helpers --------------------------------------------------------------------------

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

function daysInMonth(year: number, month: number): number {
  return [31, isLeapYear(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] ?? 0;
}

/** the wall-clock fields read as if they were UTC */
function wallAsUtcMs(y: number, mo: number, d: number, h: number, mi: number, s: number, ms = 0): number {
  const date = new Date(0);
  date.setUTCFullYear(y, mo - 1, d);
  date.setUTCHours(h, mi, s, ms);
  return date.getTime();
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

function describeDate(l: LocalDateTime): string {
  return `${pad(l.year, 4)}-${pad(l.month)}-${pad(l.day)}`;
}

/** '02:30', or '02:30:15' when there are seconds */
function clock(h: number, mi: number, s: number): string {
  return `${pad(h)}:${pad(mi)}${s === 0 ? '' : `:${pad(s)}`}`;
}

/** HH:MM of a wall-clock value held as "UTC" ms */
function clockOfWall(wallMs: number): string {
  const d = new Date(wallMs);
  return clock(d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds());
}

/** a reason when a field is out of range, else undefined */
function fieldProblem(l: LocalDateTime): string | undefined {
  const fields: Array<[keyof LocalDateTime, number, number]> = [
    ['year', 1900, 9999], // before 1583 ICU switches to the Julian calendar; no meter is that old
    ['month', 1, 12],
    ['day', 1, 31],
    ['hour', 0, 23],
    ['minute', 0, 59],
    ['second', 0, 59],
  ];
  for (const [name, min, max] of fields) {
    const value = l[name];
    if (!Number.isInteger(value)) return `${name} ${String(value)} is not a whole number`;
    if (value < min || value > max) return `${name} ${value} is out of range ${min}–${max}`;
  }
  const days = daysInMonth(l.year, l.month);
  if (l.day > days) return `day ${l.day} does not exist in ${pad(l.year, 4)}-${pad(l.month)} (${days} days)`;
  return undefined;
}

// ---- zone offsets ------------------------------------------------------------------------------

const formatterFor = zoneFormatter;

/** UTC offset of the zone at instant tsMs, in ms (wall clock − UTC) */
function offsetMs(f: Intl.DateTimeFormat, tsMs: number): number {
  const p = zoneParts(f, tsMs);
  const wall = wallAsUtcMs(p.year, p.month, p.day, p.hour, p.minute, p.second);
  return wall - Math.floor(tsMs / SECOND_MS) * SECOND_MS;
}

interface Resolution {
  /** the instants whose wall clock equals the local time, ascending (0, 1 or 2) */
  instants: number[];
  wallMs: number;
}

function resolve(f: Intl.DateTimeFormat, l: LocalDateTime): Resolution {
  const wallMs = wallAsUtcMs(l.year, l.month, l.day, l.hour, l.minute, l.second);
  const offsets = new Set([offsetMs(f, wallMs - DAY_MS), offsetMs(f, wallMs), offsetMs(f, wallMs + DAY_MS)]);
  const instants = [...offsets].map((o) => wallMs - o).filter((t) => offsetMs(f, t) === wallMs - t);
  return { instants: [...new Set(instants)].sort((a, b) => a - b), wallMs };
}

interface Transition {
  atMs: number;
  offsetBeforeMs: number;
  offsetAfterMs: number;
}

/** the offset change within a day either side of the wall time (binary search to the second) */
function transitionNear(f: Intl.DateTimeFormat, wallMs: number): Transition | undefined {
  let lo = wallMs - DAY_MS;
  let hi = wallMs + DAY_MS;
  const offsetBeforeMs = offsetMs(f, lo);
  const offsetAfterMs = offsetMs(f, hi);
  if (offsetBeforeMs === offsetAfterMs) return undefined;
  while (hi - lo > SECOND_MS) {
    const mid = Math.floor((lo + hi) / 2 / SECOND_MS) * SECOND_MS;
    if (mid <= lo) break;
    if (offsetMs(f, mid) === offsetBeforeMs) lo = mid;
    else hi = mid;
  }
  return { atMs: hi, offsetBeforeMs, offsetAfterMs };
}

function nonexistent(f: Intl.DateTimeFormat, l: LocalDateTime, wallMs: number, timeZone: string, policy: DstPolicy['nonexistent']) {
  const t = transitionNear(f, wallMs);
  const what = `${clock(l.hour, l.minute, l.second)} on ${describeDate(l)} does not exist in ${timeZone}`;
  if (!t) return { ok: false as const, reason: what };
  if (policy === 'reject') {
    const jump = `clocks jump from ${clockOfWall(t.atMs + t.offsetBeforeMs)} to ${clockOfWall(t.atMs + t.offsetAfterMs)}`;
    return { ok: false as const, reason: `${what} (${jump})` };
  }
  // read with the offset in force before the jump: the wall time moves forward by the gap
  return { ok: true as const, tsMs: wallMs - t.offsetBeforeMs, ambiguous: false };
}

function ambiguousReason(f: Intl.DateTimeFormat, l: LocalDateTime, wallMs: number, timeZone: string): string {
  const what = `${clock(l.hour, l.minute, l.second)} on ${describeDate(l)} occurs twice in ${timeZone}`;
  const t = transitionNear(f, wallMs);
  if (!t) return what;
  const from = clockOfWall(t.atMs + t.offsetBeforeMs);
  const to = clockOfWall(t.atMs + t.offsetAfterMs);
  const lastRepeated = clockOfWall(t.atMs + t.offsetBeforeMs - MINUTE_MS);
  return `${what} (clocks go back from ${from} to ${to}, so ${to}–${lastRepeated} is repeated)`;
}

// ---- public ------------------------------------------------------------------------------------

/**
 * One local wall-clock time in an IANA zone to UTC epoch ms, under the policy. Out-of-range fields
 * (month 13, 30 February) and unknown zones are rejected with a reason. `ambiguous` is true when
 * the time occurred twice and the policy picked one; a nonexistent time shifted forward is not
 * ambiguous (02:30 on the spring day in Europe/Berlin becomes 03:30 summer time).
 */
export function localToUtc(local: LocalDateTime, timeZone: string, policy: DstPolicy): LocalToUtcResult {
  const problem = fieldProblem(local);
  if (problem) return { ok: false, reason: problem };
  const f = formatterFor(timeZone);
  if (!f) return { ok: false, reason: `unknown time zone '${timeZone}'` };
  const { instants, wallMs } = resolve(f, local);
  const [first, second] = instants;
  if (first === undefined) return nonexistent(f, local, wallMs, timeZone, policy.nonexistent);
  if (second === undefined) return { ok: true, tsMs: first, ambiguous: false };
  if (policy.ambiguous === 'reject') return { ok: false, reason: ambiguousReason(f, local, wallMs, timeZone) };
  return { ok: true, tsMs: policy.ambiguous === 'earlier' ? first : (instants.at(-1) ?? second), ambiguous: true };
}

/**
 * A sequence of local times in file order (a load profile): a repeated wall-clock time on the autumn
 * change day is resolved by order — the first instant after the previous resolved time, so the
 * first pass is summer time and the second winter time, which a single timestamp cannot tell.
 * `ambiguous` stays false when the order decided, and is true when the choice rests on a guess:
 * the sequence starts inside the repeated hour (earlier taken, and the entries anchored on it are
 * flagged too), or the sequence is not in order (resolved instants would not strictly increase) —
 * then every repeated time is resolved alone as 'earlier' with ambiguous: true. Nonexistent times
 * follow policy.nonexistent. Out-of-range fields are rejected with a reason. One result per input.
 */
export function resolveLocalSequence(
  locals: readonly LocalDateTime[],
  timeZone: string,
  policy: Pick<DstPolicy, 'nonexistent'>,
): LocalToUtcResult[] {
  const f = formatterFor(timeZone);
  if (!f) return locals.map(() => ({ ok: false, reason: `unknown time zone '${timeZone}'` }));
  const steps = locals.map((local) => {
    const problem = fieldProblem(local);
    return problem ? { local, problem } : { local, ...resolve(f, local) };
  });
  const single = (step: (typeof steps)[number]): LocalToUtcResult => {
    if ('problem' in step) return { ok: false, reason: step.problem ?? '' };
    const [first, second] = step.instants;
    if (first === undefined) return nonexistent(f, step.local, step.wallMs, timeZone, policy.nonexistent);
    return { ok: true, tsMs: first, ambiguous: second !== undefined };
  };

  const byOrder: LocalToUtcResult[] = [];
  let previousMs: number | undefined;
  let anchorGuessed = false;
  for (const step of steps) {
    let result = single(step);
    if (result.ok && 'instants' in step && step.instants.length > 1 && previousMs !== undefined) {
      const afterPrevious = step.instants.find((t) => t > (previousMs ?? 0));
      if (afterPrevious === undefined) return steps.map(single); // not in order: resolve each alone
      result = { ok: true, tsMs: afterPrevious, ambiguous: anchorGuessed };
    }
    if (result.ok) {
      if (previousMs !== undefined && result.tsMs <= previousMs) return steps.map(single);
      previousMs = result.tsMs;
      anchorGuessed = result.ambiguous;
    }
    byOrder.push(result);
  }
  return byOrder;
}

const ISO_WITH_OFFSET =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(?:([Zz])|([+-])(\d{2})(?::?(\d{2}))?)$/;

/**
 * Parses ISO 8601 / RFC 3339 with offset or Z ('2025-10-26T02:15:00+02:00', '…+0200', '…+02',
 * '…Z', with fractional seconds) to epoch ms; undefined when there is no offset, a field is out of
 * range ('2025-02-30', '24:00', offset beyond ±18:00) or the text is not such a timestamp.
 */
export function parseIsoWithOffset(text: string): number | undefined {
  const m = ISO_WITH_OFFSET.exec(text.trim());
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac, zulu, sign, oh, om] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s ?? 0);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  let offsetMinutes = 0;
  if (!zulu) {
    const offH = Number(oh);
    const offM = Number(om ?? 0);
    if (offM > 59 || offH * 60 + offM > 18 * 60) return undefined;
    offsetMinutes = (sign === '-' ? -1 : 1) * (offH * 60 + offM);
  }
  const ms = frac ? Number(frac.slice(0, 3).padEnd(3, '0')) : 0;
  return wallAsUtcMs(year, month, day, hour, minute, second, ms) - offsetMinutes * MINUTE_MS;
}
