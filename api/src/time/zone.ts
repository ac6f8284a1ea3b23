/**
 * Wall-clock parts of a UTC instant in an IANA time zone — the one Intl-based helper that the
 * normalisation (local time → UTC, DST) and the tariffs (local time windows) build on. Pure.
 */

export interface ZoneParts {
  year: number;
  /** 1–12 */
  month: number;
  day: number;
  /** 0–23 */
  hour: number;
  minute: number;
  second: number;
  /** 0 = Monday … 6 = Sunday */
  weekday: number;
}

const WEEKDAY_INDEX: Record<string, number> = { Mon: 0, Tue: 1, Wed: 2, Thu: 3, Fri: 4, Sat: 5, Sun: 6 };
const formatters = new Map<string, Intl.DateTimeFormat>();

/** A cached formatter for the zone; undefined when the zone is unknown. */
export function zoneFormatter(timeZone: string): Intl.DateTimeFormat | undefined {
  const cached = formatters.get(timeZone);
  if (cached) return cached;
  try {
    const f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      weekday: 'short',
    });
    formatters.set(timeZone, f);
    return f;
  } catch {
    return undefined;
  }
}

export function zoneParts(f: Intl.DateTimeFormat, tsMs: number): ZoneParts {
  const out: ZoneParts = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0, weekday: 0 };
  for (const p of f.formatToParts(tsMs)) {
    if (p.type === 'weekday') out.weekday = WEEKDAY_INDEX[p.value] ?? 0;
    else if (p.type in out) out[p.type as keyof ZoneParts] = Number(p.value);
  }
  return out;
}
