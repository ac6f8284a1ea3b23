/**
 * Real-time peak shaving (pure). The demand charge bills the highest 15-minute AVERAGE import of
 * the billing period, so what must stay at or below the plan's peak target is the average over
 * the current quarter hour, not the instantaneous power.
 *
 *   quarter start ───────── now ───────────── quarter end
 *   │ energy imported so far (E) │ remaining r seconds │
 *
 *   projected average = (E + P_now × r) / 900 s          (if the import stays where it is)
 *   allowed import for the rest of the quarter: A = (target × 900 s − E) / r
 *   line = min(A, target)            (target less a small margin, see below)
 *
 * The line is the import the battery (then the flexible loads) must hold from now on. Taking
 * min(A, target) rather than A alone acts EARLY: import above the target is shaved at once even
 * when a quiet start of the quarter would have left room, because the room may be needed for a
 * load that comes later and the battery's power is limited; and when the quarter already ran
 * above the target (a measurement lag, a load step the battery could not follow), A < target
 * makes up for it before the quarter ends. See docs/control.md for the diagram and the choice.
 *
 * Import energy is counted from the grid meter samples, sample-and-hold (each sample holds until
 * the next), import only (max(0, W)) as the billing meter counts it.
 */

export const QUARTER_MS = 15 * 60_000;

export interface PowerSample {
  tsMs: number;
  /** grid power, W, + import */
  powerW: number;
}

export interface QuarterState {
  startMs: number;
  endMs: number;
  /** import energy since the quarter start (sample-and-hold up to now), Wh */
  importWhSoFar: number;
  /** average import so far over the elapsed part, W (0 at the very start) */
  averageSoFarW: number;
  elapsedS: number;
  remainingS: number;
}

/** UTC quarter-hour boundaries (German billing quarters are aligned to them in every time zone offset used here). */
export function quarterOf(nowMs: number): { startMs: number; endMs: number } {
  const startMs = Math.floor(nowMs / QUARTER_MS) * QUARTER_MS;
  return { startMs, endMs: startMs + QUARTER_MS };
}

/**
 * The running quarter from grid samples (any order; samples outside the quarter except the last one
 * before it are ignored). Before the first sample of the quarter, the last sample before the quarter
 * holds; without one, the first sample of the quarter holds back to the start.
 */
export function runningQuarter(samples: readonly PowerSample[], nowMs: number): QuarterState {
  const { startMs, endMs } = quarterOf(nowMs);
  const sorted = samples.filter((s) => s.tsMs <= nowMs && Number.isFinite(s.powerW)).sort((a, b) => a.tsMs - b.tsMs);
  let before: PowerSample | undefined;
  const inside: PowerSample[] = [];
  for (const s of sorted) {
    if (s.tsMs < startMs) before = s;
    else inside.push(s);
  }
  const elapsedS = (nowMs - startMs) / 1000;
  const remainingS = (endMs - nowMs) / 1000;
  let ws = 0;
  let t = startMs;
  let p = before?.powerW ?? inside[0]?.powerW ?? 0;
  for (const s of inside) {
    ws += Math.max(0, p) * ((s.tsMs - t) / 1000);
    t = s.tsMs;
    p = s.powerW;
  }
  ws += Math.max(0, p) * ((nowMs - t) / 1000);
  return {
    startMs,
    endMs,
    importWhSoFar: ws / 3600,
    averageSoFarW: elapsedS > 0 ? ws / elapsedS : 0,
    elapsedS,
    remainingS,
  };
}

export interface PeakShavingInput {
  /** the plan's peak target (billing-period peak it holds), W */
  targetW: number;
  quarter: QuarterState;
  /** the import the site would draw now with the setpoints decided so far, W */
  importNowW: number;
  /**
   * held below the target, W (default 1 % of it): what the agents measure is one tick old and the
   * load moves in between; near the quarter end there is no time left to make up for a swing
   */
  marginW?: number;
}

export interface PeakShavingResult {
  /** the import to hold for the rest of the quarter, W */
  lineW: number;
  /** the quarter's average if the import stayed at importNowW, W */
  projectedAverageW: number;
  /** how much the import must drop now (more discharge, less flexible consumption), W; 0 = nothing to do */
  reduceW: number;
}

/** the least time left over which a shortfall is spread, s: one second before the quarter end the arithmetic stays finite */
const MIN_REMAINING_S = 1;
/** default margin below the target, share of it */
export const DEFAULT_MARGIN = 0.01;

export function peakShaving(i: PeakShavingInput): PeakShavingResult {
  const q = i.quarter;
  const quarterS = QUARTER_MS / 1000;
  const remainingS = Math.max(MIN_REMAINING_S, q.remainingS);
  const soFarWs = q.importWhSoFar * 3600;
  const holdW = Math.max(0, i.targetW - (i.marginW ?? DEFAULT_MARGIN * i.targetW));
  const allowedW = (holdW * quarterS - soFarWs) / remainingS;
  const lineW = Math.max(0, Math.min(allowedW, holdW));
  const projectedAverageW = (soFarWs + Math.max(0, i.importNowW) * remainingS) / quarterS;
  return { lineW, projectedAverageW, reduceW: Math.max(0, i.importNowW - lineW) };
}

/** Quarter-hour average import of a series of samples per quarter (tests, the week run, the agents API), W. */
export function quarterAverages(samples: readonly PowerSample[]): Map<number, number> {
  const byQ = new Map<number, { ws: number; s: number }>();
  const sorted = [...samples].sort((a, b) => a.tsMs - b.tsMs);
  for (let k = 0; k + 1 < sorted.length; k++) {
    const a = sorted[k]!;
    const b = sorted[k + 1]!;
    let t = a.tsMs;
    while (t < b.tsMs) {
      const q = quarterOf(t);
      const end = Math.min(b.tsMs, q.endMs);
      const e = byQ.get(q.startMs) ?? { ws: 0, s: 0 };
      e.ws += Math.max(0, a.powerW) * ((end - t) / 1000);
      e.s += (end - t) / 1000;
      byQ.set(q.startMs, e);
      t = end;
    }
  }
  return new Map([...byQ].map(([k, v]) => [k, v.s > 0 ? v.ws / v.s : 0]));
}
