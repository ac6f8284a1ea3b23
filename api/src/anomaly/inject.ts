/**
 * Fault injection for benchmarking the detector: puts faults of known position into a real series.
 * Pure and deterministic: the randomness is a seeded PRNG (mulberry32); the same seed gives the same faults.
 */
import type { Point } from './detect.js';
import { mulberry32 } from '../random.js';

export type FaultKind = 'gap' | 'stuck' | 'spike' | 'negative' | 'level_shift';
export const FAULT_KINDS: readonly FaultKind[] = ['gap', 'stuck', 'spike', 'negative', 'level_shift'];

/** Ground truth of one injected fault, covering `[startMs, endMs)`. */
export interface InjectedFault {
  kind: FaultKind;
  startMs: number;
  endMs: number;
  /** The multiplier for spikes and level shifts, the held value for stuck faults. */
  value?: number;
}

export interface InjectOptions {
  seed: number;
  /** Number of faults to place; the kinds take turns so each gets an equal share. */
  count: number;
  kinds: readonly FaultKind[];
  intervalMs: number;
  /** Faults start at or after this time (e.g. after the weeks the seasonal baseline needs). Default: first point. */
  fromMs?: number;
  /** Space kept free between two faults (ms). Default 1 day. */
  marginMs: number;
  /** Length ranges in intervals [min, max]. Defaults at 15 min: gap 1–32 (≤ 8 h), stuck 12–48 (3–12 h), negative 1–4, level shift 16–96 (4–24 h). */
  gapIntervals: [number, number];
  stuckIntervals: [number, number];
  negativeIntervals: [number, number];
  levelShiftIntervals: [number, number];
  /** Spike multiplier range. Default ×3–10. */
  spikeFactor: [number, number];
  /** Level-shift multiplier (a machine left running). Default ×1.6. */
  levelShiftFactor: number;
}

export const DEFAULT_INJECT_OPTIONS: Omit<InjectOptions, 'seed' | 'count'> = {
  kinds: FAULT_KINDS,
  intervalMs: 900_000,
  marginMs: 86_400_000,
  gapIntervals: [1, 32],
  stuckIntervals: [12, 48],
  negativeIntervals: [1, 4],
  levelShiftIntervals: [16, 96],
  spikeFactor: [3, 10],
  levelShiftFactor: 1.6,
};

export { mulberry32 };

/** Returns a modified copy of `points` (sorted by time) and the faults that were placed, sorted by start. */
export function injectFaults(
  points: readonly Point[],
  options: Partial<InjectOptions> & Pick<InjectOptions, 'seed' | 'count'>,
): { points: Point[]; faults: InjectedFault[] } {
  const o: InjectOptions = { ...DEFAULT_INJECT_OPTIONS, ...options };
  const rand = mulberry32(o.seed);
  const int = (min: number, max: number) => min + Math.floor(rand() * (max - min + 1));
  const series = [...points].sort((a, b) => a.tsMs - b.tsMs).map((p) => ({ ...p }));
  const firstIndex = Math.max(
    0,
    series.findIndex((p) => p.tsMs >= (o.fromMs ?? -Infinity)),
  );
  const faults: InjectedFault[] = [];
  const removed = new Set<number>();
  const lengths: Record<FaultKind, [number, number]> = {
    gap: o.gapIntervals,
    stuck: o.stuckIntervals,
    spike: [1, 1],
    negative: o.negativeIntervals,
    level_shift: o.levelShiftIntervals,
  };

  for (let n = 0; n < o.count; n++) {
    const kind = o.kinds[n % o.kinds.length]!;
    const length = int(...lengths[kind]);
    for (let attempt = 0; attempt < 1000; attempt++) {
      const start = int(firstIndex, series.length - length);
      const end = start + length - 1;
      const startMs = series[start]!.tsMs;
      const endMs = series[end]!.tsMs + o.intervalMs;
      if (endMs - startMs !== length * o.intervalMs) continue; // would span an existing hole
      if (faults.some((f) => startMs < f.endMs + o.marginMs && f.startMs < endMs + o.marginMs)) continue;
      const fault: InjectedFault = { kind, startMs, endMs };
      const held = series[start]!.value;
      const factor = kind === 'spike' ? o.spikeFactor[0] + rand() * (o.spikeFactor[1] - o.spikeFactor[0]) : o.levelShiftFactor;
      for (let i = start; i <= end; i++) {
        const p = series[i]!;
        if (kind === 'gap') removed.add(i);
        else if (kind === 'stuck') p.value = held;
        else if (kind === 'spike') p.value *= factor;
        else if (kind === 'negative') p.value = p.value !== 0 ? -Math.abs(p.value) : -1;
        else p.value *= factor;
      }
      if (kind === 'stuck') fault.value = held;
      if (kind === 'spike' || kind === 'level_shift') fault.value = factor;
      faults.push(fault);
      break;
    }
  }
  return { points: series.filter((_, i) => !removed.has(i)), faults: faults.sort((a, b) => a.startMs - b.startMs) };
}
