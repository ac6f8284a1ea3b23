/**
 * The demo site's replay, pure: a year of 15-minute load and PV (the demo file) laid onto the real
 * calendar. "Now" is mapped onto the same weekday near the same month and day, at the same time of
 * day (UTC), of the demo year, so the season, the week's rhythm and the hour match; Feb 29 uses Feb 28. Values between the 15-minute points are
 * interpolated linearly, so live readings move on every tick.
 */

export const SLOT_MS = 15 * 60_000;
export const DAY_MS = 86_400_000;

/** One year of 15-minute points; index 0 is Jan 1 00:00 UTC of `year`. */
export interface DemoYear {
  year: number;
  /** load at each point, kW */
  loadKw: Float64Array;
  /** PV generation at each point, kW */
  pvKw: Float64Array;
}

/** Instantaneous site powers in W; grid import positive (grid = load − PV). */
export interface DemoPowers {
  loadW: number;
  pvW: number;
  gridW: number;
}

export interface DemoPoint extends DemoPowers {
  tsMs: number;
}

/** Parses the demo file (`ts_utc,load_kw,pv_kw`, 15 min, one whole year from Jan 1 00:00Z, no gaps). */
export function parseDemoCsv(text: string): DemoYear {
  const lines = text.trim().split(/\r?\n/);
  if (lines[0]?.trim() !== 'ts_utc,load_kw,pv_kw') throw new Error('demo file: header must be ts_utc,load_kw,pv_kw');
  const rows = lines.slice(1);
  const first = Date.parse(rows[0]?.split(',')[0] ?? '');
  const start = new Date(first);
  if (Number.isNaN(first) || start.getUTCMonth() !== 0 || start.getUTCDate() !== 1 || first % DAY_MS !== 0)
    throw new Error('demo file: must start on Jan 1 00:00Z');
  const year = start.getUTCFullYear();
  const slots = ((Date.UTC(year + 1, 0, 1) - first) / SLOT_MS) | 0;
  if (rows.length !== slots) throw new Error(`demo file: expected ${slots} rows for ${year}, got ${rows.length}`);
  const loadKw = new Float64Array(slots);
  const pvKw = new Float64Array(slots);
  rows.forEach((row, i) => {
    const [ts, load, pv] = row.split(',');
    const load_ = Number(load);
    const pv_ = Number(pv);
    if (Date.parse(ts ?? '') !== first + i * SLOT_MS || !Number.isFinite(load_) || !Number.isFinite(pv_) || load === '' || pv === '')
      throw new Error(`demo file: line ${i + 2} is not the next 15-minute point with two numbers`);
    loadKw[i] = load_;
    pvKw[i] = pv_;
  });
  return { year, loadKw, pvKw };
}

/**
 * Where `tsMs` falls in the demo year: the same month and day (Feb 29 → Feb 28), moved by up to
 * three days to the nearest date with the same weekday — a factory's week matters more than the
 * exact date — and the same UTC time of day; as milliseconds since the demo year's Jan 1 00:00Z.
 * A date moved out of the demo year wraps by 52 weeks (which keeps the weekday).
 */
export function demoOffsetMs(demoYear: number, tsMs: number): number {
  const d = new Date(tsMs);
  const month = d.getUTCMonth();
  let day = d.getUTCDate();
  if (month === 1 && day === 29 && new Date(Date.UTC(demoYear, 1, 29)).getUTCMonth() !== 1) day = 28;
  const timeOfDay = tsMs - Date.UTC(d.getUTCFullYear(), month, d.getUTCDate());
  const sameDate = Date.UTC(demoYear, month, day);
  let shiftDays = (d.getUTCDay() - new Date(sameDate).getUTCDay() + 7) % 7;
  if (shiftDays > 3) shiftDays -= 7;
  const yearStart = Date.UTC(demoYear, 0, 1);
  const yearLength = Date.UTC(demoYear + 1, 0, 1) - yearStart;
  let offset = sameDate + shiftDays * DAY_MS - yearStart;
  if (offset < 0) offset += 364 * DAY_MS;
  if (offset >= yearLength) offset -= 364 * DAY_MS;
  return offset + timeOfDay;
}

/** The powers at real time `tsMs`: linear between the two neighbouring 15-minute points (wrapping at the year's end). */
export function powersAt(demo: DemoYear, tsMs: number): DemoPowers {
  const n = demo.loadKw.length;
  const pos = demoOffsetMs(demo.year, tsMs) / SLOT_MS;
  const i = Math.floor(pos) % n;
  const j = (i + 1) % n;
  const f = pos - Math.floor(pos);
  const lerp = (a: Float64Array) => a[i]! + (a[j]! - a[i]!) * f;
  const loadW = round1(lerp(demo.loadKw) * 1000);
  const pvW = round1(lerp(demo.pvKw) * 1000);
  return { loadW, pvW, gridW: round1(loadW - pvW) };
}

/** The 15-minute points of the `days` days up to and including the last slot start at or before `nowMs`, oldest first. */
export function backfillPoints(demo: DemoYear, nowMs: number, days: number): DemoPoint[] {
  const last = Math.floor(nowMs / SLOT_MS) * SLOT_MS;
  const count = (days * DAY_MS) / SLOT_MS;
  const out: DemoPoint[] = [];
  for (let k = count - 1; k >= 0; k--) {
    const tsMs = last - k * SLOT_MS;
    out.push({ tsMs, ...powersAt(demo, tsMs) });
  }
  return out;
}

/** Rounds to 0.1 W, so that values stay exact decimals and grid = load − pv holds as stored. */
function round1(x: number): number {
  return Math.round(x * 10) / 10;
}
