/**
 * Normalisation — pure functions, no I/O: units to canonical units, local time to UTC with an
 * explicit DST policy, cumulative meter registers to interval energy and average power.
 *
 * CONTRACT (signatures are fixed, other modules import them). The implementations live beside this
 * file by concern and are re-exported here: normalise.units.ts, normalise.time.ts,
 * normalise.registers.ts; tests in normalise.test.ts.
 */
import type { Quality, Quantity } from './model.js';

// ---- units -------------------------------------------------------------------------------------

export interface UnitInfo {
  /** the unit as written, trimmed */
  unit: string;
  /** canonical unit of the dimension, e.g. W, Wh, %, °C */
  canonical: string;
  /** multiply a value in `unit` by this to get the canonical unit (kW → 1000) */
  factor: number;
  /** quantities this unit can measure (kW → active_power; kWh → energy_import, energy_export, energy) */
  quantities: Quantity[];
}

/** parseUnit(text): UnitInfo | undefined — see normalise.units.ts */
export { parseUnit } from './normalise.units.js';

// ---- time --------------------------------------------------------------------------------------

export interface LocalDateTime {
  year: number;
  month: number; // 1–12
  day: number;
  hour: number;
  minute: number;
  second: number;
}

/**
 * What to do with local times that do not map to exactly one instant:
 *  - ambiguous (autumn: 02:00–02:59 happens twice in Europe/Berlin): 'earlier' (summer time), 'later' (winter time), or 'reject';
 *  - nonexistent (spring: 02:00–02:59 does not exist): 'reject' or 'shift_forward' (by the DST gap).
 */
export interface DstPolicy {
  ambiguous: 'earlier' | 'later' | 'reject';
  nonexistent: 'reject' | 'shift_forward';
}

export type LocalToUtcResult = { ok: true; tsMs: number; ambiguous: boolean } | { ok: false; reason: string };

/**
 * localToUtc(local, timeZone, policy): LocalToUtcResult — one local wall-clock time in an IANA zone
 * to UTC epoch ms, under the policy.
 * resolveLocalSequence(locals, timeZone, policy: Pick<DstPolicy, 'nonexistent'>): LocalToUtcResult[] —
 * a sequence of local times in file order (a load profile): a repeated wall-clock hour on the autumn
 * change day is resolved by order (first pass = summer time, second = winter time), which a single
 * timestamp cannot tell. Nonexistent times follow policy.nonexistent. One result per input.
 * parseIsoWithOffset(text): number | undefined — ISO 8601 with offset or Z ('2025-10-26T02:15:00+02:00')
 * to epoch ms; undefined when there is no offset or it is invalid.
 * Implemented in normalise.time.ts.
 */
export { localToUtc, parseIsoWithOffset, resolveLocalSequence } from './normalise.time.js';

// ---- meter registers ---------------------------------------------------------------------------

export interface RegisterSample {
  tsMs: number;
  /** register value in Wh (already converted) */
  valueWh: number;
  quality?: Quality;
}

export interface Interval {
  startMs: number;
  endMs: number;
  energyWh: number;
  /** energyWh / duration, in W */
  avgPowerW: number;
  quality: Quality;
}

export interface RegisterEvent {
  kind: 'reset' | 'rollover' | 'gap' | 'out_of_order' | 'duplicate';
  tsMs: number;
  detail: string;
}

export interface RegisterOptions {
  /** the register wraps to 0 after this value (e.g. 99 999 999 kWh display = 99 999 999 000 Wh); undefined = no rollover expected */
  rolloverWh?: number;
  /** a gap longer than this between samples is reported (interval still produced, quality 'estimated'); default 1 h */
  maxGapMs?: number;
}

/**
 * registersToIntervals(samples, options?): { intervals, events } — cumulative register readings to
 * interval energy and average power, with rollover, reset, gap and duplicate handling;
 * worseQuality(a, b): invalid > substituted > estimated > measured (normalise.registers.ts).
 */
export { registersToIntervals, worseQuality } from './normalise.registers.js';
