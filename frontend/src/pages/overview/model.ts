/**
 * The overview's power flow from the latest readings — pure. Which series stand for grid, PV,
 * battery and load comes from the site's energy configuration (GET /sites/:id/energy) when there
 * is one, else from the conventional keys the demo site uses (grid/power, pv/power, …).
 * Signs as in api/src/site-energy/model.ts: grid + import / − export, battery + discharge / − charge.
 */
import type { SeriesInfo } from '../../series/model';

/** The parts of the site energy configuration the overview needs. */
export interface FlowKeys {
  grid: string;
  load: string;
  pv: string[];
  batteryPower: string[];
  batterySoc: string[];
  /** usable capacity per battery (same order), Wh; weights the combined SoC */
  batteryCapacityWh: number[];
  peakTargetW: number | null;
}

export const DEFAULT_KEYS: FlowKeys = {
  grid: 'grid/power',
  load: 'load/power',
  pv: ['pv/power'],
  batteryPower: ['battery/power'],
  batterySoc: ['battery/soc'],
  batteryCapacityWh: [],
  peakTargetW: null,
};

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
const strOf = (v: unknown): string | null => (typeof v === 'string' && v ? v : null);

/** FlowKeys from the site energy answer (the configuration itself, or wrapped in { config } / { energy }); null if unusable. */
export function keysFromEnergy(body: unknown): FlowKeys | null {
  const cfg =
    isRecord(body) && isRecord(body.grid)
      ? body
      : isRecord(body) && isRecord(body.config)
        ? body.config
        : isRecord(body)
          ? body.energy
          : null;
  if (!isRecord(cfg) || !isRecord(cfg.grid)) return null;
  const grid = strOf(cfg.grid.powerSeries);
  const load = strOf(cfg.loadSeries);
  if (!grid || !load) return null;
  const pv = Array.isArray(cfg.pv) ? cfg.pv.filter(isRecord) : [];
  const bats = Array.isArray(cfg.batteries) ? cfg.batteries.filter(isRecord) : [];
  return {
    grid,
    load,
    pv: pv.map((p) => strOf(p.powerSeries)).filter((k): k is string => k !== null),
    batteryPower: bats.map((b) => strOf(b.powerSeries)).filter((k): k is string => k !== null),
    batterySoc: bats.map((b) => strOf(b.socSeries)).filter((k): k is string => k !== null),
    batteryCapacityWh: bats.map((b) => (typeof b.capacityWh === 'number' ? b.capacityWh : 0)),
    peakTargetW: typeof cfg.peakTargetW === 'number' ? cfg.peakTargetW : null,
  };
}

export interface FlowValue {
  /** W (or % for SoC); null: no reading */
  value: number | null;
  /** newest reading time among the parts, ms */
  tsMs: number | null;
  /** older than the stale limit */
  stale: boolean;
  /** derived from the others rather than measured */
  derived: boolean;
}

export interface PowerFlow {
  gridW: FlowValue;
  pvW: FlowValue;
  batteryW: FlowValue;
  loadW: FlowValue;
  socPct: FlowValue;
  /** whether the site has these assets at all */
  hasPv: boolean;
  hasBattery: boolean;
}

/** A reading older than this is shown as stale. */
export const STALE_AFTER_MS = 60_000;

function sumOf(byKey: Map<string, SeriesInfo>, keys: readonly string[], nowMs: number): FlowValue {
  let value: number | null = null;
  let tsMs: number | null = null;
  let stale = false;
  for (const k of keys) {
    const latest = byKey.get(k)?.latest;
    if (!latest) continue;
    const ts = Date.parse(latest.ts);
    value = (value ?? 0) + latest.value;
    tsMs = tsMs === null ? ts : Math.max(tsMs, ts);
    if (nowMs - ts > STALE_AFTER_MS) stale = true;
  }
  return { value, tsMs, stale, derived: false };
}

/** Latest values of the flow; the load is derived (grid + PV + battery) when it has no series of its own. */
export function powerFlow(series: readonly SeriesInfo[], keys: FlowKeys, nowMs: number): PowerFlow {
  const byKey = new Map(series.map((s) => [s.key, s]));
  const gridW = sumOf(byKey, [keys.grid], nowMs);
  const pvW = sumOf(byKey, keys.pv, nowMs);
  const batteryW = sumOf(byKey, keys.batteryPower, nowMs);
  let loadW = sumOf(byKey, [keys.load], nowMs);
  if (loadW.value === null && gridW.value !== null) {
    loadW = {
      value: gridW.value + (pvW.value ?? 0) + (batteryW.value ?? 0),
      tsMs: gridW.tsMs,
      stale: gridW.stale || pvW.stale || batteryW.stale,
      derived: true,
    };
  }
  return {
    gridW,
    pvW,
    batteryW,
    loadW,
    socPct: combinedSoc(byKey, keys, nowMs),
    hasPv: keys.pv.some((k) => byKey.has(k)),
    hasBattery: keys.batteryPower.some((k) => byKey.has(k)) || keys.batterySoc.some((k) => byKey.has(k)),
  };
}

/** One SoC for all batteries: weighted by capacity when known, else the plain mean. */
function combinedSoc(byKey: Map<string, SeriesInfo>, keys: FlowKeys, nowMs: number): FlowValue {
  let weighted = 0;
  let weights = 0;
  let tsMs: number | null = null;
  let stale = false;
  keys.batterySoc.forEach((k, i) => {
    const latest = byKey.get(k)?.latest;
    if (!latest) return;
    const w = keys.batteryCapacityWh[i] || 1;
    weighted += latest.value * w;
    weights += w;
    const ts = Date.parse(latest.ts);
    tsMs = tsMs === null ? ts : Math.max(tsMs, ts);
    if (nowMs - ts > STALE_AFTER_MS) stale = true;
  });
  return { value: weights > 0 ? weighted / weights : null, tsMs, stale, derived: false };
}

export type Direction = 'forward' | 'backward' | 'idle';

/** Below this a flow line is drawn idle (no arrow): 0.5 % of the largest flow, at least 50 W. */
export function flowDirection(powerW: number | null, largestW: number): Direction {
  if (powerW === null) return 'idle';
  const threshold = Math.max(50, Math.abs(largestW) * 0.005);
  if (Math.abs(powerW) < threshold) return 'idle';
  return powerW > 0 ? 'forward' : 'backward';
}

/** Today's peak: the highest 15-minute average import in the points (W), with its start. */
export function peakOf(points: ReadonlyArray<{ ts: string; value: number }>): { peakW: number; atMs: number } | null {
  let best: { peakW: number; atMs: number } | null = null;
  for (const p of points) if (p.value > 0 && (best === null || p.value > best.peakW)) best = { peakW: p.value, atMs: Date.parse(p.ts) };
  return best;
}

const DAY_MS = 86_400_000;

/** The instant of the last local midnight in the zone (start of "today" at the site). */
export function localMidnightMs(
  nowMs: number,
  timeZone: string,
  toLocal: (ms: number, tz: string) => number,
  fromLocal: (ms: number, tz: string) => number,
): number {
  const local = toLocal(nowMs, timeZone);
  return fromLocal(Math.floor(local / DAY_MS) * DAY_MS, timeZone);
}
