/**
 * Anomaly detection for one ingested time series on a fixed grid (typically 15 min).
 * Pure: a function of the points and the options; no clock, no randomness, no I/O.
 * See README.md beside this file for the methods, the defaults and the measured figures.
 */
import { buildBaseline, type Baseline } from './baseline.js';
import { detectDeviations } from './deviation.js';
import { MAD_TO_SIGMA, fmt, hours, isoMinute, mad, median } from './stats.js';

/** One reading: interval start (epoch ms, UTC) and the mean value over the interval (in `options.unit`). */
export interface Point {
  tsMs: number;
  value: number;
}

export type FindingKind = 'gap' | 'flatline' | 'spike' | 'negative' | 'impossible' | 'deviation';
export type Severity = 'info' | 'warning' | 'critical';

/** A detected anomaly covering `[startMs, endMs)` (interval starts; `endMs` is the end of the last interval). */
export interface Finding {
  kind: FindingKind;
  startMs: number;
  endMs: number;
  severity: Severity;
  /** A sentence a person can act on, with values and units. */
  detail: string;
}

export interface DetectOptions {
  /** Grid spacing of the series (ms). Default 15 min. */
  intervalMs: number;
  /** Unit of the values, used in the details (e.g. 'kW'). Default 'kW'. */
  unit: string;
  /** IANA time zone of the site: baselines compare the same LOCAL weekday and time of day. Default 'UTC'. */
  timeZone: string;
  /** Local date `YYYY-MM-DD` → true on public holidays (judged like a Sunday, never a reference for a working day). */
  isHoliday?: (localDate: string) => boolean;

  /** Report a run of missing grid points when it lasts at least this long (ms). Default one interval (any missing point). */
  gapMinMs: number;
  /** When given, missing points before the first / after the last reading count as gaps too. */
  expectedStartMs?: number;
  expectedEndMs?: number;

  /** A value repeated (within `flatlineToleranceAbs`) for at least this long is a flatline (ms). Default 2 h. */
  flatlineMinMs: number;
  /** Largest difference between readings still counted as "the same value". Default 0 (exact). */
  flatlineToleranceAbs: number;
  /** Ignore runs of 0 (PV at night, a machine that is off). Default false. */
  allowZeroRuns: boolean;
  /** Ignore runs at the series' minimum (series whose normal operation is constant at its base). Default false. */
  allowConstantMin: boolean;
  /**
   * A run is reported only when a run that long is unlikely at that local time of day: with p0 the share
   * of unchanged consecutive readings at the same slots of the reference days, p0^(readings−1) must be
   * below this. Coarsely quantised meters repeat values for hours at night; a stuck meter where the
   * series normally moves is caught. Runs without reference days are judged by duration alone.
   * Default 1e-5 (tuned on the bench, seed 1).
   */
  flatlineMaxChance: number;
  /** A run at least this long is reported whatever the reference days say (ms). Default 12 h. */
  flatlineAlwaysMs: number;

  /** Neighbours on each side for the rolling median of the spike test. Default 4 (±1 h at 15 min). */
  spikeHalfWindow: number;
  /** Spike threshold k in k·1.4826·MAD of the neighbours. Default 10 (tuned on the bench, seed 1). */
  spikeK: number;
  /** Smallest spike threshold as a fraction of the series' median |value|. Default 0.8 (tuned on the bench, seed 1). */
  spikeFloorRatio: number;
  /** Smallest spike threshold in `unit` (the larger of the two floors applies). Default 0. */
  spikeFloorAbs: number;
  /** 'up' flags only readings above the neighbours, 'both' dips too. Default 'up'. */
  spikeDirection: 'up' | 'both';

  /** The quantity can only be imported (consumption): values below 0 are faults. Default true. */
  importOnly: boolean;
  /** Physical upper limit in `unit` (e.g. the grid connection); above it a reading is impossible. Default none. */
  maxValue?: number;

  /** Reference days for the seasonal baseline: the most recent days of the same day type. Default 8. */
  baselineWeeks: number;
  /** Past working days below this fraction of the typical working day are no working-day reference (see `BaselineOptions.lowDayRatio`). Default 0.7 (tuned on the bench, seed 1). */
  lowDayRatio: number;
  /** Day types of the baseline, see `BaselineOptions.dayTypes`. Default 'workday' (tuned on the bench, seed 1). */
  dayTypes: 'weekday' | 'workday';
  /** Fewest reference weeks with a reading needed to judge a point. Default 4. */
  baselineMinWeeks: number;
  /** Deviation threshold k in k·1.4826·MAD of the reference weeks. Default 3. */
  deviationK: number;
  /** Smallest deviation threshold as a fraction of the baseline. Default 0.3. */
  deviationFloorRatio: number;
  /** Smallest deviation threshold in `unit` as a fraction of the series' median |value|. Default 0.1. */
  deviationFloorSeriesRatio: number;
  /** A deviation is reported when it lasts at least this long (ms). Default 2 h. */
  deviationMinMs: number;
  /** Readings inside a deviation run that may fall back under the threshold without ending it. Default 1. */
  deviationMaxInterruptions: number;
  /** A run is reported only when its mean excess is at least this fraction of its mean baseline. Default 0.45 (tuned on the bench, seed 1). */
  deviationMinExcessRatio: number;
  /**
   * Run-level test: the run's mean excess must exceed k × 1.4826 × MAD (around 0) of the mean excess
   * the reference days themselves had over the same slots. 0 = off.
   */
  deviationRunK: number;
  /** 'up' reports only consumption above the baseline (equipment left running), 'both' also below. Default 'up'. */
  deviationDirection: 'up' | 'down' | 'both';

  /** Merge findings of the same kind whose gap is at most this long (ms). Default 0 (touching). */
  mergeGapMs: number;
}

export const DEFAULT_DETECT_OPTIONS: DetectOptions = {
  intervalMs: 900_000,
  unit: 'kW',
  timeZone: 'UTC',
  gapMinMs: 900_000,
  flatlineMinMs: 2 * 3_600_000,
  flatlineToleranceAbs: 0,
  allowZeroRuns: false,
  allowConstantMin: false,
  flatlineMaxChance: 1e-5,
  flatlineAlwaysMs: 12 * 3_600_000,
  spikeHalfWindow: 4,
  spikeK: 10,
  spikeFloorRatio: 0.8,
  spikeFloorAbs: 0,
  spikeDirection: 'up',
  importOnly: true,
  baselineWeeks: 8,
  dayTypes: 'workday',
  lowDayRatio: 0.7,
  baselineMinWeeks: 4,
  deviationK: 3,
  deviationFloorRatio: 0.3,
  deviationFloorSeriesRatio: 0.1,
  deviationMinMs: 2 * 3_600_000,
  deviationMaxInterruptions: 1,
  deviationDirection: 'up',
  deviationMinExcessRatio: 0.45,
  deviationRunK: 0,
  mergeGapMs: 0,
};

const SEVERITY_RANK: Record<Severity, number> = { info: 0, warning: 1, critical: 2 };

export { detectDeviations };

/** All findings for one series, merged per kind and sorted by start. */
export function detectAnomalies(points: readonly Point[], options: Partial<DetectOptions> = {}): Finding[] {
  const o: DetectOptions = { ...DEFAULT_DETECT_OPTIONS, ...options };
  const sorted = [...points].filter((p) => Number.isFinite(p.value)).sort((a, b) => a.tsMs - b.tsMs);
  const baseline = buildBaseline(sorted, o);
  const findings = [
    ...detectGaps(sorted, o),
    ...detectFlatlines(sorted, o, baseline),
    ...detectLimits(sorted, o),
    ...detectSpikes(sorted, o),
    ...detectDeviations(sorted, o, baseline),
  ];
  return mergeFindings(findings, o.mergeGapMs);
}

/** Missing grid points between readings (and before/after them when the expected range is given). */
export function detectGaps(points: readonly Point[], o: DetectOptions): Finding[] {
  const out: Finding[] = [];
  const report = (fromMs: number, toMs: number) => {
    const durationMs = toMs - fromMs;
    if (durationMs < o.gapMinMs || durationMs <= 0) return;
    const missing = Math.round(durationMs / o.intervalMs);
    out.push({
      kind: 'gap',
      startMs: fromMs,
      endMs: toMs,
      severity: durationMs >= 86_400_000 ? 'critical' : durationMs >= 3_600_000 ? 'warning' : 'info',
      detail: `No readings from ${isoMinute(fromMs)} to ${isoMinute(toMs)} (${missing} missing ${o.intervalMs / 60_000}-min intervals, ${hours(durationMs)}); check the meter's connection and the ingest source.`,
    });
  };
  if (points.length === 0) {
    if (o.expectedStartMs !== undefined && o.expectedEndMs !== undefined) report(o.expectedStartMs, o.expectedEndMs);
    return out;
  }
  if (o.expectedStartMs !== undefined) report(o.expectedStartMs, points[0]!.tsMs);
  for (let i = 1; i < points.length; i++) {
    const prevEnd = points[i - 1]!.tsMs + o.intervalMs;
    if (points[i]!.tsMs > prevEnd) report(prevEnd, points[i]!.tsMs);
  }
  if (o.expectedEndMs !== undefined) report(points[points.length - 1]!.tsMs + o.intervalMs, o.expectedEndMs);
  return out;
}

/** Runs of the same value on consecutive grid points lasting at least `flatlineMinMs`. */
export function detectFlatlines(points: readonly Point[], o: DetectOptions, baseline?: Baseline): Finding[] {
  const out: Finding[] = [];
  let seriesMin = Infinity;
  for (const p of points) seriesMin = Math.min(seriesMin, p.value);
  let start = 0;
  for (let i = 1; i <= points.length; i++) {
    const continues =
      i < points.length &&
      points[i]!.tsMs - points[i - 1]!.tsMs === o.intervalMs &&
      Math.abs(points[i]!.value - points[start]!.value) <= o.flatlineToleranceAbs;
    if (continues) continue;
    const count = i - start;
    const durationMs = count * o.intervalMs;
    const value = points[start]!.value;
    const excused =
      (o.allowZeroRuns && Math.abs(value) <= o.flatlineToleranceAbs) ||
      (o.allowConstantMin && Math.abs(value - seriesMin) <= o.flatlineToleranceAbs);
    const chance = baseline === undefined ? undefined : runChance(baseline, start, i - 1, o.flatlineToleranceAbs);
    const unlikely = chance === undefined || chance < o.flatlineMaxChance || durationMs >= o.flatlineAlwaysMs;
    if (durationMs >= o.flatlineMinMs && !excused && unlikely) {
      const startMs = points[start]!.tsMs;
      out.push({
        kind: 'flatline',
        startMs,
        endMs: startMs + durationMs,
        severity: durationMs >= 86_400_000 ? 'critical' : 'warning',
        detail: `The reading stayed at ${fmt(value)} ${o.unit} for ${hours(durationMs)} (${count} readings, ${isoMinute(startMs)} to ${isoMinute(startMs + durationMs)}); check whether the meter is frozen or the source repeats its last value.`,
      });
    }
    start = i;
  }
  return out;
}

/**
 * How likely a run of equal readings from point `from` to `to` is at these local times of day: p0^(n−1),
 * p0 = share of unchanged consecutive readings on the reference days at the same slots (add-half
 * smoothed). Undefined when the reference days hold fewer than 8 pairs (then duration alone decides).
 */
function runChance(b: Baseline, from: number, to: number, tol: number): number | undefined {
  let same = 0;
  let pairs = 0;
  for (let i = from; i < to; i++) {
    const a = b.refs[i]!;
    const c = b.refs[i + 1]!;
    for (let k = 0; k < a.length; k++) {
      const x = a[k]!;
      const y = c[k]!;
      if (Number.isNaN(x) || Number.isNaN(y)) continue;
      pairs++;
      if (Math.abs(x - y) <= tol) same++;
    }
  }
  if (pairs < 8) return undefined;
  const p0 = (same + 0.5) / (pairs + 1);
  return p0 ** (to - from);
}

/** Runs of consecutive flagged points → one finding each, described by `describe(values)`. */
function runsOf(
  points: readonly Point[],
  flags: readonly boolean[],
  o: DetectOptions,
  make: (run: Point[], startMs: number, endMs: number) => Finding,
): Finding[] {
  const out: Finding[] = [];
  let run: Point[] = [];
  const close = () => {
    if (run.length === 0) return;
    out.push(make(run, run[0]!.tsMs, run[run.length - 1]!.tsMs + o.intervalMs));
    run = [];
  };
  points.forEach((p, i) => {
    if (!flags[i]) return close();
    if (run.length > 0 && p.tsMs - run[run.length - 1]!.tsMs > o.intervalMs + o.mergeGapMs) close();
    run.push(p);
  });
  close();
  return out;
}

function isNegative(p: Point, o: DetectOptions): boolean {
  return o.importOnly && p.value < 0;
}

function isImpossible(p: Point, o: DetectOptions): boolean {
  return o.maxValue !== undefined && p.value > o.maxValue;
}

/** Values below 0 on an import-only quantity, and values above the physical limit. */
export function detectLimits(points: readonly Point[], o: DetectOptions): Finding[] {
  const negative = runsOf(
    points,
    points.map((p) => isNegative(p, o)),
    o,
    (run, startMs, endMs) => ({
      kind: 'negative',
      startMs,
      endMs,
      severity: 'warning',
      detail: `${run.length} reading(s) below 0 (lowest ${fmt(Math.min(...run.map((p) => p.value)))} ${o.unit}) from ${isoMinute(startMs)} to ${isoMinute(endMs)} on an import-only series; check the sign convention, the CT orientation or the register mapping.`,
    }),
  );
  const impossible = runsOf(
    points,
    points.map((p) => isImpossible(p, o)),
    o,
    (run, startMs, endMs) => ({
      kind: 'impossible',
      startMs,
      endMs,
      severity: 'critical',
      detail: `${run.length} reading(s) above the physical limit of ${fmt(o.maxValue ?? 0)} ${o.unit} (highest ${fmt(Math.max(...run.map((p) => p.value)))} ${o.unit}) from ${isoMinute(startMs)} to ${isoMinute(endMs)}; check the scaling (W vs kW) and the meter.`,
    }),
  );
  return [...negative, ...impossible];
}

/**
 * Single-reading outliers: |x − median(neighbours)| > max(k·1.4826·MAD(neighbours), floor).
 * A load step (machine switching) puts both levels among the neighbours, so its MAD is half the step
 * and the step itself never exceeds the threshold for k ≥ 1.
 */
export function detectSpikes(points: readonly Point[], o: DetectOptions): Finding[] {
  const floor = Math.max(o.spikeFloorAbs, o.spikeFloorRatio * median(points.map((p) => Math.abs(p.value))));
  const h = o.spikeHalfWindow;
  const flags: boolean[] = [];
  const info: Array<{ base: number; threshold: number }> = [];
  for (let i = 0; i < points.length; i++) {
    const p = points[i]!;
    flags.push(false);
    info.push({ base: 0, threshold: 0 });
    if (isNegative(p, o)) continue; // reported as negative
    const nb: number[] = [];
    for (let j = Math.max(0, i - h); j <= Math.min(points.length - 1, i + h); j++) if (j !== i) nb.push(points[j]!.value);
    if (nb.length < h) continue;
    const base = median(nb);
    const threshold = Math.max(o.spikeK * MAD_TO_SIGMA * mad(nb, base), floor);
    const residual = p.value - base;
    flags[i] = o.spikeDirection === 'up' ? residual > threshold : Math.abs(residual) > threshold;
    info[i] = { base, threshold };
  }
  const byTs = new Map(points.map((p, i) => [p.tsMs, info[i]!]));
  return runsOf(points, flags, o, (run, startMs, endMs) => {
    const worst = run.reduce((a, b) => (Math.abs(b.value - byTs.get(b.tsMs)!.base) > Math.abs(a.value - byTs.get(a.tsMs)!.base) ? b : a));
    const { base, threshold } = byTs.get(worst.tsMs)!;
    return {
      kind: 'spike',
      startMs,
      endMs,
      severity: 'warning',
      detail: `${run.length === 1 ? 'A reading' : `${run.length} readings`} at ${isoMinute(worst.tsMs)} of ${fmt(worst.value)} ${o.unit} is ${fmt(Math.abs(worst.value - base))} ${o.unit} ${worst.value >= base ? 'above' : 'below'} the median of its neighbours (${fmt(base)} ${o.unit}, threshold ${fmt(threshold)} ${o.unit}); check the meter and the scaling before using it for billing or peaks.`,
    };
  });
}

/** Merge findings of the same kind that touch or overlap (or are at most `maxGapMs` apart). */
export function mergeFindings(findings: readonly Finding[], maxGapMs = 0): Finding[] {
  const byKind = new Map<FindingKind, Finding[]>();
  for (const f of findings) byKind.set(f.kind, [...(byKind.get(f.kind) ?? []), f]);
  const out: Finding[] = [];
  for (const list of byKind.values()) {
    list.sort((a, b) => a.startMs - b.startMs);
    let cur: (Finding & { parts: number }) | undefined;
    for (const f of list) {
      if (cur && f.startMs <= cur.endMs + maxGapMs) {
        cur.endMs = Math.max(cur.endMs, f.endMs);
        if (SEVERITY_RANK[f.severity] > SEVERITY_RANK[cur.severity]) cur.severity = f.severity;
        cur.parts++;
        continue;
      }
      if (cur) out.push(finishMerge(cur));
      cur = { ...f, parts: 1 };
    }
    if (cur) out.push(finishMerge(cur));
  }
  return out.sort((a, b) => a.startMs - b.startMs || a.kind.localeCompare(b.kind));
}

function finishMerge(f: Finding & { parts: number }): Finding {
  const { parts, ...finding } = f;
  if (parts === 1) return finding;
  return {
    ...finding,
    detail: `${parts} adjacent ${f.kind} findings from ${isoMinute(f.startMs)} to ${isoMinute(f.endMs)} (${hours(f.endMs - f.startMs)}); the first: ${f.detail}`,
  };
}
