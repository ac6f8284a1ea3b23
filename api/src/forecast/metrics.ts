/**
 * Forecast error measures. Pure. Pairs where the actual or the forecast is NaN are skipped.
 *
 * - MAE, RMSE: in the unit of the series (W, EUR/MWh).
 * - MASE against a reference forecast (weekly seasonal naive for load, smart persistence for PV):
 *   MAE(model) / MAE(reference) on the SAME points. For day-ahead load the weekly naive forecast of
 *   a step is its value one week earlier, so this equals Hyndman's MASE with the seasonal-naive
 *   scale taken over the evaluation period.
 * - skill = 1 − RMSE(model) / RMSE(reference) (the usual solar forecast skill score).
 * - pinball loss of a quantile τ: mean of max(τ·(y − q), (τ − 1)·(y − q)); reported as the mean
 *   over τ = 0.1, 0.5, 0.9.
 * - coverage: share of actuals inside [p10, p90] (ideal 80 %).
 */

export function pinball(actual: number, q: number, tau: number): number {
  const d = actual - q;
  return d >= 0 ? tau * d : (tau - 1) * d;
}

/** Accumulates errors of one model over many forecasts (streaming, O(1) memory). */
export class ScoreAccumulator {
  n = 0;
  private absSum = 0;
  private sqSum = 0;
  private pinSum = 0;
  private covered = 0;
  private refAbsSum = 0;
  private refSqSum = 0;
  private refN = 0;
  private actualSum = 0;

  /** One step: actual, the three quantiles, and optionally the reference forecast at the same step. */
  add(actual: number, p10: number, p50: number, p90: number, reference?: number): void {
    if (!Number.isFinite(actual) || !Number.isFinite(p50)) return;
    const hasRef = reference !== undefined;
    if (hasRef && !Number.isFinite(reference)) return; // keep the model and reference on the same points
    this.n++;
    const e = actual - p50;
    this.absSum += Math.abs(e);
    this.sqSum += e * e;
    this.actualSum += actual;
    this.pinSum += (pinball(actual, p10, 0.1) + pinball(actual, p50, 0.5) + pinball(actual, p90, 0.9)) / 3;
    if (actual >= p10 && actual <= p90) this.covered++;
    if (hasRef) {
      const r = actual - reference;
      this.refAbsSum += Math.abs(r);
      this.refSqSum += r * r;
      this.refN++;
    }
  }

  get mae(): number {
    return this.absSum / this.n;
  }
  get rmse(): number {
    return Math.sqrt(this.sqSum / this.n);
  }
  /** Mean of the actuals (for relative errors). */
  get meanActual(): number {
    return this.actualSum / this.n;
  }
  get pinball(): number {
    return this.pinSum / this.n;
  }
  /** Share in [0, 1] of actuals inside [p10, p90]. */
  get coverage(): number {
    return this.covered / this.n;
  }
  /** MAE(model) / MAE(reference); NaN without reference values. */
  get mase(): number {
    return this.refN === this.n && this.refN > 0 ? this.absSum / this.refAbsSum : NaN;
  }
  /** 1 − RMSE(model) / RMSE(reference); NaN without reference values. */
  get skill(): number {
    return this.refN === this.n && this.refN > 0 ? 1 - Math.sqrt(this.sqSum / this.refSqSum) : NaN;
  }
}

/** Mean absolute error of two equally long arrays (NaN pairs skipped). */
export function mae(actual: readonly number[], forecast: readonly number[]): number {
  return meanOf(actual, forecast, (d) => Math.abs(d));
}

export function rmse(actual: readonly number[], forecast: readonly number[]): number {
  return Math.sqrt(meanOf(actual, forecast, (d) => d * d));
}

function meanOf(actual: readonly number[], forecast: readonly number[], f: (d: number) => number): number {
  if (actual.length !== forecast.length) throw new RangeError(`length mismatch: ${actual.length} actuals, ${forecast.length} forecasts`);
  let s = 0;
  let n = 0;
  for (let i = 0; i < actual.length; i++) {
    const d = actual[i]! - forecast[i]!;
    if (Number.isFinite(d)) {
      s += f(d);
      n++;
    }
  }
  return n === 0 ? NaN : s / n;
}

/** Empirical quantile (linear interpolation between order statistics) of a sorted array. */
export function quantileSorted(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const x = (sorted.length - 1) * p;
  const lo = Math.floor(x);
  const hi = Math.ceil(x);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (x - lo);
}
