// The reference site "Musterwerk" (docs: ../shared/guide/reference-site.md), LOAD ONLY:
// grid import = the measured load shape, no PV and no battery. The pure part builds the 2023
// series from parsed rows; readMusterwerkLoadOnly() is the thin I/O edge that reads the CSVs.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { localParts } from './local-time.js';

/** The shared real data beside the repository (../shared/data), or LUNA_SHARED_DATA. */
export const DEFAULT_DATA_DIR = process.env.LUNA_SHARED_DATA ?? fileURLToPath(new URL('../../../../shared/data/', import.meta.url));
export const LOAD_FILE = 'load-measured/de_vdi4657_LP_G_MV_metal_processing_2018_15min_norm1MWh.csv';
export const PRICE_FILE = 'prices/de_lu_day_ahead_hourly_2023-01-06_2024-08-20.csv';
export const ANNUAL_ENERGY_MWH = 2500;
const TZ = 'Europe/Berlin';
const QUARTER_MS = 15 * 60_000;
const DAY_MS = 86_400_000;
/** 2023-01-01 00:00 Europe/Berlin (CET) */
export const START_2023 = new Date('2022-12-31T23:00:00Z');
const END_2023_MS = Date.parse('2023-12-31T23:00:00Z');

export interface TimedValue {
  epochMs: number;
  value: number;
}

/** Local wall-clock slot of an instant: date "YYYY-MM-DD", "HH:MM", and which occurrence (1 for the repeated hour in autumn). */
interface Slot {
  date: string;
  hhmm: string;
  occurrence: number;
}

function dateKey(y: number, m: number, d: number): string {
  return `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/** Shift a calendar date key by whole days (calendar arithmetic in UTC, no time zone involved). */
export function addDays(date: string, days: number): string {
  const t = Date.parse(`${date}T00:00:00Z`) + days * DAY_MS;
  return new Date(t).toISOString().slice(0, 10);
}

function slotsOf(epochMs: readonly number[]): Slot[] {
  const seen = new Set<string>();
  return epochMs.map((t) => {
    const p = localParts(t, TZ);
    const date = dateKey(p.year, p.month, p.day);
    const hhmm = `${String(p.hour).padStart(2, '0')}:${String(p.minute).padStart(2, '0')}`;
    const key = `${date} ${hhmm}`;
    const occurrence = seen.has(key) ? 1 : 0;
    seen.add(key);
    return { date, hhmm, occurrence };
  });
}

/** Values indexed by local date and wall-clock time (a list: the repeated autumn hour has two). */
class WallClockTable {
  private readonly map = new Map<string, number[]>();
  readonly dates = new Set<string>();
  add(slot: Slot, value: number): void {
    const key = `${slot.date} ${slot.hhmm}`;
    const list = this.map.get(key) ?? [];
    list.push(value);
    this.map.set(key, list);
    this.dates.add(slot.date);
  }
  /** value at a local date and time; a slot missing on a 23-h source day takes the hour before. */
  get(date: string, hhmm: string, occurrence: number): number | undefined {
    const list = this.map.get(`${date} ${hhmm}`);
    if (list) return list[occurrence] ?? list[0];
    const [h, m] = hhmm.split(':');
    const before = `${String(Number(h) - 1).padStart(2, '0')}:${m}`;
    const prev = this.map.get(`${date} ${before}`);
    return prev?.[0];
  }
}

function intervals2023(): number[] {
  const out: number[] = [];
  for (let t = START_2023.getTime(); t < END_2023_MS; t += QUARTER_MS) out.push(t);
  return out;
}

/**
 * Load of 2023: the 2018 measured shape (W per MWh/a) moved by whole days so weekdays line up
 * (2018-01-01 Monday → 2023-01-02 Monday, i.e. the 2023 date D takes the 2018 date D − 1827 days),
 * matched by local wall-clock time (DST days differ between the years), scaled to 2,500 MWh/a.
 * 2023-01-01 (a Sunday) has no source day inside 2018 at this shift; it takes 2018-12-30 (Sunday).
 */
export function buildLoad2023(
  rows: readonly TimedValue[],
  annualEnergyMWh = ANNUAL_ENERGY_MWH,
): { epochMs: number[]; importEnergyWh: number[] } {
  const table = new WallClockTable();
  const slots = slotsOf(rows.map((r) => r.epochMs));
  rows.forEach((r, i) => table.add(slots[i]!, r.value));
  const epochMs = intervals2023();
  const SHIFT_DAYS = -1827; // 2023-01-02 → 2018-01-01 (five years incl. the leap day 2020-02-29, plus one day)
  const importEnergyWh = slotsOf(epochMs).map((s) => {
    const source = s.date === '2023-01-01' ? '2018-12-30' : addDays(s.date, SHIFT_DAYS);
    const wPerMWhA = table.get(source, s.hhmm, s.occurrence);
    if (wPerMWhA === undefined) throw new Error(`no load value for ${source} ${s.hhmm}`);
    // W per (MWh/a) × MWh/a = W; × 0.25 h = Wh per interval
    return wPerMWhA * annualEnergyMWh * 0.25;
  });
  return { epochMs, importEnergyWh };
}

/**
 * Day-ahead prices of 2023 on the 15-minute grid (each hour's price for its four quarters).
 * A missing local day takes the same weekday one week earlier (already filled, so gaps chain);
 * January 1–5 (before the data starts) take the same weekday of the first available week.
 */
export function buildPrices2023(rows: readonly TimedValue[]): { epochMs: number[]; priceEurPerMWh: number[]; filledDays: string[] } {
  const table = new WallClockTable();
  const slots = slotsOf(rows.map((r) => r.epochMs));
  rows.forEach((r, i) => table.add(slots[i]!, r.value));
  const sourceOf = new Map<string, string>();
  const filledDays: string[] = [];
  const firstDay = [...table.dates].sort()[0]!;
  for (let d = '2023-01-01'; d <= '2023-12-31'; d = addDays(d, 1)) {
    if (table.dates.has(d)) sourceOf.set(d, d);
    else filledDays.push(d);
  }
  for (const d of filledDays) {
    if (d >= firstDay) sourceOf.set(d, sourceOf.get(addDays(d, -7)) ?? '');
  }
  for (const d of filledDays) {
    if (d < firstDay) {
      let src = d;
      while (src < firstDay) src = addDays(src, 7);
      sourceOf.set(d, sourceOf.get(src) ?? '');
    }
  }
  const epochMs = intervals2023();
  const priceEurPerMWh = slotsOf(epochMs).map((s) => {
    const source = sourceOf.get(s.date);
    const hour = `${s.hhmm.slice(0, 2)}:00`;
    const v = source ? table.get(source, hour, s.occurrence) : undefined;
    if (v === undefined) throw new Error(`no price for ${s.date} ${hour} (source ${source ?? 'none'})`);
    return v;
  });
  return { epochMs, priceEurPerMWh, filledDays };
}

export function parseCsv(text: string, timeColumn: string, valueColumn: string): TimedValue[] {
  const lines = text.trim().split(/\r?\n/);
  const header = lines[0]!.split(',');
  const ti = header.indexOf(timeColumn);
  const vi = header.indexOf(valueColumn);
  if (ti < 0 || vi < 0) throw new Error(`CSV lacks ${timeColumn} or ${valueColumn}`);
  return lines.slice(1).map((line) => {
    const cols = line.split(',');
    return { epochMs: Date.parse(cols[ti]!), value: Number(cols[vi]) };
  });
}

export interface MusterwerkLoadOnly {
  start: Date;
  importEnergyWh: number[];
  exportEnergyWh: number[];
  spotPriceEurPerMWh: number[];
  filledPriceDays: string[];
}

/** I/O edge: reads the two CSVs and builds the load-only profile of 2023. */
export async function readMusterwerkLoadOnly(dataDir = DEFAULT_DATA_DIR): Promise<MusterwerkLoadOnly> {
  const load = parseCsv(await readFile(join(dataDir, LOAD_FILE), 'utf8'), 'ts_utc', 'w_per_mwh_a');
  const prices = parseCsv(await readFile(join(dataDir, PRICE_FILE), 'utf8'), 'timestamp_utc', 'price_eur_mwh');
  const l = buildLoad2023(load);
  const p = buildPrices2023(prices);
  return {
    start: START_2023,
    importEnergyWh: l.importEnergyWh,
    exportEnergyWh: l.importEnergyWh.map(() => 0),
    spotPriceEurPerMWh: p.priceEurPerMWh,
    filledPriceDays: p.filledDays,
  };
}
