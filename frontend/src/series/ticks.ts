/** Axis ticks at "nice" numbers (1, 2, 2.5, 5 × 10ⁿ) — pure. */

export interface NiceScale {
  min: number;
  max: number;
  step: number;
  ticks: number[];
}

/** A nice step near range / count: 1, 2, 2.5 or 5 times a power of ten. */
export function niceStep(range: number, count: number): number {
  if (!(range > 0) || !(count > 0)) return 1;
  const rough = range / count;
  const pow = 10 ** Math.floor(Math.log10(rough));
  const f = rough / pow;
  const nice = f <= 1 ? 1 : f <= 2 ? 2 : f <= 2.5 ? 2.5 : f <= 5 ? 5 : 10;
  return nice * pow;
}

/**
 * Extends [min, max] outward to multiples of a nice step and lists the ticks (about `count` of
 * them). An empty or flat range gets a unit-wide band around the value; 0 stays on the axis when
 * the data touch it.
 */
export function niceTicks(min: number, max: number, count = 5): NiceScale {
  let lo = Math.min(min, max);
  let hi = Math.max(min, max);
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) {
    lo = 0;
    hi = 1;
  }
  if (hi === lo) {
    const pad = lo === 0 ? 1 : Math.abs(lo) * 0.1;
    lo -= pad;
    hi += pad;
  }
  const step = niceStep(hi - lo, count);
  const nmin = Math.floor(lo / step) * step;
  const nmax = Math.ceil(hi / step) * step;
  const ticks: number[] = [];
  const n = Math.round((nmax - nmin) / step);
  // Rounded to the step's precision so that 0.1 + 0.2 does not become a label 0.30000000000000004.
  const decimals = Math.max(0, -Math.floor(Math.log10(step)) + 1);
  for (let i = 0; i <= n; i++) ticks.push(Number((nmin + i * step).toFixed(decimals)));
  return { min: ticks[0]!, max: ticks[ticks.length - 1]!, step, ticks };
}

/** Decimals needed to show every tick of this step distinctly (2.5 → 1, 0.25 → 2, 100 → 0). */
export function stepDecimals(step: number): number {
  if (!(step > 0)) return 0;
  for (let d = 0; d < 6; d++) if (Math.abs(Math.round(step * 10 ** d) - step * 10 ** d) < 1e-9) return d;
  return 6;
}
