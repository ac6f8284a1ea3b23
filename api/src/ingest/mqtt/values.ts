/**
 * Payload values for the MQTT decoders — pure: numbers with an optional unit suffix, dot paths
 * into JSON, device timestamps, and the collector that gathers readings and rejections of one
 * message (the valid parts of a message are kept when another part is refused).
 */
import type { Quality, Rejection } from '../model.js';
import { localToUtc, parseIsoWithOffset, parseUnit, type LocalDateTime, type UnitInfo } from '../normalise.js';

/** A reading whose series is still named by key; the writer resolves keys to series ids. Value in the canonical unit. */
export interface KeyedReading {
  seriesKey: string;
  tsMs: number;
  value: number;
  quality: Quality;
}

export interface DecodeResult {
  readings: KeyedReading[];
  rejections: Rejection[];
}

export type Outcome<T> = { ok: true; value: T } | { ok: false; reason: string };

const RAW_LIMIT = 500;

/** Collects the results of one message; every rejection names the topic and keeps the raw payload (cut to 500 characters). */
export class MessageResult implements DecodeResult {
  readonly readings: KeyedReading[] = [];
  readonly rejections: Rejection[] = [];
  constructor(
    readonly topic: string,
    readonly raw: string,
  ) {}
  add(seriesKey: string, tsMs: number, value: number, quality: Quality = 'measured'): void {
    this.readings.push({ seriesKey, tsMs, value, quality });
  }
  reject(reason: string): void {
    this.rejections.push({ field: this.topic, reason, raw: this.raw.slice(0, RAW_LIMIT) });
  }
}

/** Removes binary noise of unit conversion (123.456 × 1000 = 123456.00000000001 → 123456). */
export function tidy(x: number): number {
  return Number(x.toPrecision(15));
}

const NUMBER_WITH_UNIT = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)\s*(.*)$/;

/** `'1234.5'`, `'1234.5 W'`, `'1.2kW'` → value and the unit as written (if any). Decimal point only. */
export function parseNumberText(text: string): Outcome<{ value: number; unit: string | undefined }> {
  const t = text.trim();
  const m = NUMBER_WITH_UNIT.exec(t);
  if (!m) return { ok: false, reason: `${show(t)} is not a number` };
  const value = Number(m[1]);
  if (!Number.isFinite(value)) return { ok: false, reason: `${show(t)} is not a finite number` };
  const unit = m[2]!.trim();
  return { ok: true, value: { value, unit: unit === '' ? undefined : unit } };
}

/**
 * A value in `unitWritten` (or, without one, in the series' unit) converted to the series'
 * canonical unit. A written unit of another dimension (kWh on a W series) is refused.
 */
export function toCanonical(value: number, unitWritten: string | undefined, series: UnitInfo): Outcome<number> {
  if (unitWritten === undefined) return { ok: true, value: tidy(value * series.factor) };
  const info = parseUnit(unitWritten);
  if (!info) return { ok: false, reason: `unknown unit ${show(unitWritten)}` };
  if (info.canonical !== series.canonical)
    return {
      ok: false,
      reason: `unit ${show(unitWritten)} does not fit the series unit ${show(series.unit)} (${series.canonical})`,
    };
  return { ok: true, value: tidy(value * info.factor) };
}

export type PathLookup = { found: true; value: unknown } | { found: false };

/** `'ENERGY.Power'`, `'emeters.0.power'` (numeric segments index arrays). */
export function getPath(root: unknown, path: string): PathLookup {
  let cur: unknown = root;
  for (const seg of path.split('.')) {
    if (Array.isArray(cur)) {
      if (!/^\d+$/.test(seg)) return { found: false };
      const i = Number(seg);
      if (i >= cur.length) return { found: false };
      cur = cur[i];
    } else if (cur !== null && typeof cur === 'object' && Object.hasOwn(cur, seg)) {
      cur = (cur as Record<string, unknown>)[seg];
    } else {
      return { found: false };
    }
  }
  return { found: true, value: cur };
}

/**
 * A value that should be a number: numbers, and strings holding a number with an optional unit
 * ("230.5", "230.5 V"). `where` is the JSON path, or undefined for a plain-number payload.
 */
export function numberAt(value: unknown, where: string | undefined): Outcome<{ value: number; unit: string | undefined }> {
  const what = where === undefined ? `payload ${show(value)}` : `${show(value)} at ${where}`;
  if (typeof value === 'number') {
    return Number.isFinite(value)
      ? { ok: true, value: { value, unit: undefined } }
      : { ok: false, reason: `${what} is not a finite number` };
  }
  if (typeof value === 'string') {
    const parsed = parseNumberText(value);
    if (parsed.ok) return parsed;
    const finite = parsed.reason.endsWith('finite number') ? 'finite ' : '';
    return { ok: false, reason: `${what} is not a ${finite}number` };
  }
  return { ok: false, reason: `${what} is not a number` };
}

/** Parses the payload as JSON; the reason carries the parser's message. */
export function parseJson(text: string): Outcome<unknown> {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (err) {
    return { ok: false, reason: `payload is not JSON: ${(err as Error).message}` };
  }
}

const LOCAL_ISO = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?$/;

export interface TimestampOptions {
  receivedMs: number;
  /** IANA zone of wall-clock timestamps without offset (Tasmota's `Time`); without it they are refused */
  timeZone?: string | undefined;
}

/**
 * A device timestamp to UTC epoch ms:
 *  - numbers (or numeric strings): epoch seconds below 1e11, epoch milliseconds above;
 *  - ISO 8601 with offset or Z;
 *  - ISO 8601 without offset (local wall-clock time): needs `timeZone`; an hour that happens
 *    twice (autumn DST change) is resolved to the instant nearer the receive time — for a live
 *    stream that is the right one; a time that does not exist (spring gap) is refused.
 */
export function resolveTimestamp(raw: unknown, path: string, opts: TimestampOptions): Outcome<number> {
  if (typeof raw === 'number' || (typeof raw === 'string' && /^\d+(\.\d+)?$/.test(raw.trim()))) {
    const n = Number(raw);
    if (!Number.isFinite(n) || n <= 0) return { ok: false, reason: `${show(raw)} at ${path} is not a timestamp` };
    return { ok: true, value: Math.round(n < 1e11 ? n * 1000 : n) };
  }
  if (typeof raw !== 'string') return { ok: false, reason: `${show(raw)} at ${path} is not a timestamp` };
  const local = LOCAL_ISO.exec(raw.trim());
  if (local) {
    if (!opts.timeZone)
      return {
        ok: false,
        reason: `timestamp ${show(raw)} at ${path} has no UTC offset: set timeZone on the mapping to the device's zone`,
      };
    const lt: LocalDateTime = {
      year: Number(local[1]),
      month: Number(local[2]),
      day: Number(local[3]),
      hour: Number(local[4]),
      minute: Number(local[5]),
      second: Number(local[6] ?? 0),
    };
    const earlier = localToUtc(lt, opts.timeZone, { ambiguous: 'earlier', nonexistent: 'reject' });
    if (!earlier.ok) return { ok: false, reason: `timestamp ${show(raw)} at ${path}: ${earlier.reason}` };
    if (!earlier.ambiguous) return { ok: true, value: earlier.tsMs };
    const later = localToUtc(lt, opts.timeZone, { ambiguous: 'later', nonexistent: 'reject' });
    if (!later.ok) return { ok: true, value: earlier.tsMs };
    const nearer = Math.abs(later.tsMs - opts.receivedMs) < Math.abs(earlier.tsMs - opts.receivedMs) ? later.tsMs : earlier.tsMs;
    return { ok: true, value: nearer };
  }
  const ts = parseIsoWithOffset(raw.trim());
  return ts === undefined ? { ok: false, reason: `${show(raw)} at ${path} is not a timestamp` } : { ok: true, value: ts };
}

/** A value quoted for a message, cut to 60 characters. */
export function show(value: unknown): string {
  let s: string;
  try {
    s = value === undefined ? 'undefined' : JSON.stringify(value);
  } catch {
    s = String(value);
  }
  return s.length > 60 ? `${s.slice(0, 57)}…` : s;
}
