/**
 * Peak awareness for the MPC from the past only (what a live EMS knows at planning time):
 *
 * - `holdableLineW`: the lowest import line a battery could have held over one past day (energy
 *   above the line ≤ its usable energy, power above the line ≤ its discharge limit; no recharge
 *   between peaks is assumed, so the line is on the safe side);
 * - `PastPeakTarget`: a billing-period peak target learnt from the last weeks: the highest of those
 *   days' holdable lines plus a margin. Import up to it is treated as free by every plan (the period
 *   is expected to reach it anyway), so the battery is not spent holding lower lines.
 * - `ErrorQuantiles`: the MPC's own past load-forecast errors (actual − forecast) per lead-time
 *   bucket, at the steps where the load was high; an upper quantile of them turns the forecast into
 *   a pessimistic one for the plan's peak (plans keep energy for a peak the forecast may miss).
 */
import { STEP_H } from '../optimiser/model.js';

const DAY = 96;

export interface LineBattery {
  /** usable energy for the line, Wh (stored) */
  energyWh: number;
  maxDischargeW: number;
  dischargeEfficiency: number;
}

/** The lowest line L with Σ max(0, net − L)·Δt/η ≤ energy and max(net) − L ≤ max discharge (bisection to 1 W). */
export function holdableLineW(netW: readonly number[], b: LineBattery): number {
  let hi = Math.max(0, ...netW);
  let lo = Math.max(0, hi - b.maxDischargeW);
  const need = (line: number) => {
    let e = 0;
    for (const v of netW) if (v > line) e += ((v - line) * STEP_H) / b.dischargeEfficiency;
    return e;
  };
  if (need(lo) <= b.energyWh) return lo;
  while (hi - lo > 1) {
    const mid = (lo + hi) / 2;
    if (need(mid) <= b.energyWh) hi = mid;
    else lo = mid;
  }
  return hi;
}

export interface PastPeakTargetOptions {
  /** days of history the target looks at (default 28) */
  days?: number;
  /** added to the highest holdable line, W (default 0) */
  marginW?: number;
  /** share of the usable battery energy the line may take (default 1; fixed per MPC run) */
  energyShare?: number;
}

/**
 * Target per step from the days before it: max over the last `days` whole days of their holdable
 * line, + margin. Computed once per day (a "day" is 96 steps from the start of the data).
 */
export class PastPeakTarget {
  /** holdable line per past day (cached; one energy share per instance) */
  private readonly lines: number[] = [];
  constructor(
    private readonly netW: (t: number) => number,
    private readonly battery: LineBattery,
    private readonly energyShare = 1,
  ) {}

  /** target for a plan at `step` (0 while no whole day is known) */
  targetW(step: number, opts: Omit<PastPeakTargetOptions, 'energyShare'> = {}): number {
    const known = Math.floor(step / DAY);
    const b = { ...this.battery, energyWh: this.battery.energyWh * this.energyShare };
    while (this.lines.length < known) {
      const d = this.lines.length;
      const net: number[] = [];
      for (let k = 0; k < DAY; k++) net.push(this.netW(d * DAY + k));
      this.lines.push(holdableLineW(net, b));
    }
    if (known === 0) return 0;
    let t = 0;
    for (let d = Math.max(0, known - (opts.days ?? 28)); d < known; d++) t = Math.max(t, this.lines[d]!);
    return t + (opts.marginW ?? 0);
  }
}

/** lead-time buckets (upper bounds, steps) of the error statistics */
const BUCKETS = [4, 16, 48, 96, 192];
const bucketOf = (k: number) => {
  const i = BUCKETS.findIndex((b) => k < b);
  return i < 0 ? BUCKETS.length - 1 : i;
};

export interface ErrorQuantileOptions {
  /** quantile of the errors used, 0..1 (e.g. 0.9) */
  q: number;
  /** days of errors kept (default 14) */
  days?: number;
  /** errors count only where actual or forecast load ≥ this share of the highest load seen in those days (default 0.6) */
  highShare?: number;
  /** the shift is at most this share of the forecast (default 1): a holiday week's errors would otherwise swamp the plan */
  maxShare?: number;
  /** a shift of at least this share of the forecast where it is high (default 0) */
  minShare?: number;
}

/**
 * Online record of the MPC's load-forecast errors. `record` takes each issued forecast; errors are
 * booked once a forecast's horizon is wholly in the past; `upper` adds the q-quantile of the errors
 * of each lead bucket (only upward) at the steps where the forecast load is high.
 */
export class ErrorQuantiles {
  private pending: { step: number; loadW: number[] }[] = [];
  /** per bucket: [step of the error, error W] */
  private errors: [number, number][][] = BUCKETS.map(() => []);
  /** first live entry per bucket (older ones are dropped in batches) */
  private heads: number[] = BUCKETS.map(() => 0);
  /** per bucket, the live errors sorted (refreshed once a day) */
  private sorted: number[][] = BUCKETS.map(() => []);
  private computedDay = -1;
  private recentMaxW = 0;
  constructor(
    private readonly loadW: (t: number) => number,
    private readonly opts: ErrorQuantileOptions,
  ) {}

  private issued = 0;

  record(step: number, forecastLoadW: readonly number[]): void {
    // every 4th issued forecast is booked: as good a sample of the errors, a quarter of the sorting
    if (this.issued++ % 4 === 0) this.pending.push({ step, loadW: [...forecastLoadW] });
    const keepFrom = step - (this.opts.days ?? 14) * DAY;
    while (this.pending.length > 0 && this.pending[0]!.step + this.pending[0]!.loadW.length <= step) {
      const p = this.pending.shift()!;
      for (let k = 0; k < p.loadW.length; k++) {
        const a = this.loadW(p.step + k);
        this.recentMaxW = Math.max(this.recentMaxW * 0.99999, a);
        if (Math.max(a, p.loadW[k]!) >= (this.opts.highShare ?? 0.6) * this.recentMaxW)
          this.errors[bucketOf(k)]!.push([p.step + k, a - p.loadW[k]!]);
      }
    }
    this.errors.forEach((e, i) => {
      let h = this.heads[i]!;
      while (h < e.length && e[h]![0] < keepFrom) h++;
      if (h > 4096) {
        e.splice(0, h);
        h = 0;
      }
      this.heads[i] = h;
    });
  }

  /**
   * the pessimistic forecast: forecast + max(0, q-quantile of its bucket) where the forecast is
   * high; `shape` overrides q, minShare, maxShare of the options (a strategy variant may change them)
   */
  upper(step: number, forecastLoadW: readonly number[], capW: number, shape: Partial<ErrorQuantileOptions> = {}): number[] {
    const day = Math.floor(step / DAY);
    if (day !== this.computedDay) {
      this.computedDay = day;
      this.sorted = this.errors.map((e, i) =>
        e
          .slice(this.heads[i])
          .map((x) => x[1])
          .sort((a, b) => a - b),
      );
    }
    const q = shape.q ?? this.opts.q;
    const quantiles = this.sorted.map((s) => (s.length < 20 ? 0 : s[Math.min(s.length - 1, Math.floor(q * s.length))]!));
    const thr = (this.opts.highShare ?? 0.6) * this.recentMaxW;
    const lo = shape.minShare ?? this.opts.minShare ?? 0;
    const hi = shape.maxShare ?? this.opts.maxShare ?? 1;
    return forecastLoadW.map((v, k) => (v >= thr ? Math.min(capW, v + Math.min(hi * v, Math.max(lo * v, quantiles[bucketOf(k)]!))) : v));
  }
}

export interface PastReserveOptions {
  /** days of history (default 28) */
  days?: number;
  /** the reserve is this multiple of the worst day's energy above the line (default 1) */
  factor?: number;
}

/**
 * An SoC reserve from the past: the most energy (stored, Wh) any of the last days would have needed
 * above a line — what the battery must hold back from price arbitrage so the guard can keep that
 * line on a day like the worst recent one. Daily net-load profiles are cached.
 */
export class PastReserve {
  constructor(
    private readonly netW: (t: number) => number,
    private readonly dischargeEfficiency: number,
  ) {}

  reserveWh(step: number, lineW: number, opts: PastReserveOptions = {}): number {
    const known = Math.floor(step / DAY);
    let worst = 0;
    for (let d = Math.max(0, known - (opts.days ?? 28)); d < known; d++) {
      let e = 0;
      for (let k = 0; k < DAY; k++) {
        const v = this.netW(d * DAY + k);
        if (v > lineW) e += ((v - lineW) * STEP_H) / this.dischargeEfficiency;
      }
      worst = Math.max(worst, e);
    }
    return worst * (opts.factor ?? 1);
  }
}
