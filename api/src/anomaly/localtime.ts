/**
 * Local calendar of a site for the anomaly baselines (pure; the time zone is data). The detector
 * works in UTC, but a load follows the local clock: the working day starts at 07:00 local in
 * winter and in summer, and a holiday is a local date. `localClock(tz)` answers "which local day,
 * weekday and time of day is this instant" with the offset cached per UTC hour (every zone in use
 * changes its offset on a whole hour... or half hour; the cache key is the quarter hour to be safe).
 */

const DAY_MS = 86_400_000;
const QUARTER_MS = 900_000;

export interface LocalTime {
  /** Days since 1970-01-01 of the local date (for "the previous day" arithmetic). */
  dayIndex: number;
  /** 0 = Sunday … 6 = Saturday, of the local date. */
  weekday: number;
  /** Milliseconds since local midnight (wall clock). */
  msOfDay: number;
  /** `YYYY-MM-DD` of the local date. */
  date: string;
}

export interface LocalClock {
  timeZone: string;
  /** Local wall clock minus UTC at `tsMs`, in ms (Europe/Berlin: 3 600 000 in winter, 7 200 000 in summer). */
  offsetMs(tsMs: number): number;
  at(tsMs: number): LocalTime;
}

/** `YYYY-MM-DD` of a day index (days since 1970-01-01). */
export function dateOfDayIndex(dayIndex: number): string {
  return new Date(dayIndex * DAY_MS).toISOString().slice(0, 10);
}

/** A clock for an IANA time zone; throws a RangeError for an unknown zone. */
export function localClock(timeZone: string): LocalClock {
  if (timeZone === 'UTC' || timeZone === 'Etc/UTC') {
    return { timeZone, offsetMs: () => 0, at: (tsMs) => partsOf(tsMs) };
  }
  const fmt = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
  const cache = new Map<number, number>();
  const offsetMs = (tsMs: number): number => {
    const key = Math.floor(tsMs / QUARTER_MS);
    const hit = cache.get(key);
    if (hit !== undefined) return hit;
    const at = key * QUARTER_MS;
    const p: Record<string, number> = {};
    for (const part of fmt.formatToParts(new Date(at))) if (part.type !== 'literal') p[part.type] = Number(part.value);
    const wall = Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!);
    const off = wall - at;
    cache.set(key, off);
    return off;
  };
  return { timeZone, offsetMs, at: (tsMs) => partsOf(tsMs + offsetMs(tsMs)) };
}

function partsOf(wallMs: number): LocalTime {
  const dayIndex = Math.floor(wallMs / DAY_MS);
  return {
    dayIndex,
    weekday: (((dayIndex + 4) % 7) + 7) % 7, // 1970-01-01 was a Thursday
    msOfDay: wallMs - dayIndex * DAY_MS,
    date: dateOfDayIndex(dayIndex),
  };
}
