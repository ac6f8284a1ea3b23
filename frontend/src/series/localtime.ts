/**
 * Wall-clock time of a site's time zone via Intl — pure, no I/O. Timestamps are UTC epoch ms;
 * "local" values are the same wall-clock time encoded as if it were UTC (for arithmetic on days).
 */
import type { Lang } from '../i18n';

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

const partsCache = new Map<string, Intl.DateTimeFormat>();

function partsFormat(timeZone: string): Intl.DateTimeFormat {
  let f = partsCache.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    partsCache.set(timeZone, f);
  }
  return f;
}

/** Whether Intl knows the zone (an empty or unknown zone falls back to UTC in the callers). */
export function isValidTimeZone(timeZone: string): boolean {
  if (!timeZone) return false;
  try {
    partsFormat(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** The zone to use: the site's when valid, otherwise UTC. */
export function zoneOrUtc(timeZone: string): string {
  return isValidTimeZone(timeZone) ? timeZone : 'UTC';
}

/** The wall-clock time at `ms` in the zone, as ms since the epoch "as if UTC". */
export function toLocalMs(ms: number, timeZone: string): number {
  const parts: Record<string, number> = {};
  for (const p of partsFormat(timeZone).formatToParts(new Date(ms))) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  const wall = Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!);
  return wall + (((ms % 1000) + 1000) % 1000);
}

/** The zone's offset from UTC at `ms` in ms (Europe/Berlin: 3 600 000 in winter, 7 200 000 in summer). */
export function zoneOffsetMs(ms: number, timeZone: string): number {
  return toLocalMs(ms, timeZone) - ms;
}

/**
 * The instant at which the zone's wall clock shows `localMs`. A repeated time (fall back) maps to
 * its first occurrence; a time that does not exist (spring forward) is moved forward by the jump,
 * like Temporal's "compatible" disambiguation (02:30 on the spring day in Berlin → 03:30 CEST).
 */
export function fromLocalMs(localMs: number, timeZone: string): number {
  const before = localMs - zoneOffsetMs(localMs - DAY, timeZone);
  const after = localMs - zoneOffsetMs(localMs + DAY, timeZone);
  const ok = [before, after].filter((t) => toLocalMs(t, timeZone) === localMs).sort((x, y) => x - y);
  return ok[0] ?? before;
}

const pad = (n: number, w = 2): string => String(Math.abs(n)).padStart(w, '0');

/** "2026-03-29T03:15:00+02:00": the local time with its offset (for CSV; unambiguous around DST). */
export function formatLocalIso(ms: number, timeZone: string): string {
  const local = toLocalMs(ms, timeZone);
  const d = new Date(local);
  const offMin = Math.round((local - ms) / MINUTE);
  const sign = offMin < 0 ? '-' : '+';
  return (
    `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}` +
    `T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}` +
    `${sign}${pad(Math.floor(Math.abs(offMin) / 60))}:${pad(Math.abs(offMin) % 60)}`
  );
}

const LOCALES: Record<Lang, string> = { en: 'en-GB', de: 'de-DE' };

const labelCache = new Map<string, Intl.DateTimeFormat>();
function labelFormat(lang: Lang, timeZone: string, kind: TickKind | 'full'): Intl.DateTimeFormat {
  const key = `${lang}|${timeZone}|${kind}`;
  let f = labelCache.get(key);
  if (!f) {
    const opts: Intl.DateTimeFormatOptions =
      kind === 'time'
        ? { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }
        : kind === 'day'
          ? { day: 'numeric', month: 'short' }
          : kind === 'month'
            ? { month: 'short', year: 'numeric' }
            : {
                weekday: 'short',
                day: 'numeric',
                month: 'short',
                year: 'numeric',
                hour: '2-digit',
                minute: '2-digit',
                second: '2-digit',
                hourCycle: 'h23',
              };
    f = new Intl.DateTimeFormat(LOCALES[lang], { timeZone, ...opts });
    labelCache.set(key, f);
  }
  return f;
}

/** Date and time for a read-out, e.g. "Sun, 29 Mar 2026, 03:15:00" / "So., 29. März 2026, 03:15:00". */
export function formatDateTime(ms: number, timeZone: string, lang: Lang): string {
  return labelFormat(lang, timeZone, 'full').format(new Date(ms));
}

export type TickKind = 'time' | 'day' | 'month';

export interface TimeTick {
  ms: number;
  label: string;
}

interface Step {
  ms: number;
  kind: TickKind;
  months?: number;
}

const STEPS: readonly Step[] = [
  { ms: MINUTE, kind: 'time' },
  { ms: 5 * MINUTE, kind: 'time' },
  { ms: 15 * MINUTE, kind: 'time' },
  { ms: 30 * MINUTE, kind: 'time' },
  { ms: HOUR, kind: 'time' },
  { ms: 2 * HOUR, kind: 'time' },
  { ms: 3 * HOUR, kind: 'time' },
  { ms: 6 * HOUR, kind: 'time' },
  { ms: 12 * HOUR, kind: 'time' },
  { ms: DAY, kind: 'day' },
  { ms: 2 * DAY, kind: 'day' },
  { ms: 7 * DAY, kind: 'day' },
  { ms: 30 * DAY, kind: 'month', months: 1 },
  { ms: 91 * DAY, kind: 'month', months: 3 },
  { ms: 182 * DAY, kind: 'month', months: 6 },
  { ms: 365 * DAY, kind: 'month', months: 12 },
];

/**
 * Ticks on round wall-clock times of the zone between fromMs and toMs (at most `maxTicks`):
 * full hours, local midnights or the first of a month, labelled "14:00", "29 Mar" or "Mar 2026".
 * A midnight tick in an hourly axis is labelled with the date so the day change is visible.
 */
export function timeTicks(fromMs: number, toMs: number, timeZone: string, lang: Lang, maxTicks = 7): TimeTick[] {
  if (!(toMs > fromMs)) return [];
  const span = toMs - fromMs;
  const step = STEPS.find((s) => span / s.ms <= maxTicks) ?? STEPS[STEPS.length - 1]!;
  const fromL = toLocalMs(fromMs, timeZone);
  const toL = toLocalMs(toMs, timeZone);
  const locals: number[] = [];
  if (step.months) {
    const d = new Date(fromL);
    let y = d.getUTCFullYear();
    let m = Math.floor(d.getUTCMonth() / step.months) * step.months;
    for (let t = Date.UTC(y, m, 1); t <= toL; t = Date.UTC(y, m, 1)) {
      if (t >= fromL) locals.push(t);
      m += step.months;
      y += Math.floor(m / 12);
      m %= 12;
    }
  } else if (step.kind === 'day' && step.ms === 7 * DAY) {
    // Weeks start on Monday (1970-01-05 was one).
    const monday = 4 * DAY;
    for (let t = Math.ceil((fromL - monday) / step.ms) * step.ms + monday; t <= toL; t += step.ms) locals.push(t);
  } else {
    for (let t = Math.ceil(fromL / step.ms) * step.ms; t <= toL; t += step.ms) locals.push(t);
  }
  const ticks: TimeTick[] = [];
  let last = -Infinity;
  for (const local of locals) {
    const ms = fromLocalMs(local, timeZone);
    if (ms < fromMs || ms > toMs || ms <= last) continue;
    last = ms;
    const kind: TickKind = step.kind === 'time' && local % DAY === 0 ? 'day' : step.kind;
    ticks.push({ ms, label: labelFormat(lang, timeZone, kind).format(new Date(ms)) });
  }
  return ticks;
}
