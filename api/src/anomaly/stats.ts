/** Small robust statistics and formatting helpers for the anomaly detector (pure). */

/** 1.4826 · MAD estimates the standard deviation of normally distributed data. */
export const MAD_TO_SIGMA = 1.4826;

/** Median of a non-empty list (NaN for an empty one). Does not modify the input. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Median absolute deviation around `center` (default: the median). */
export function mad(values: readonly number[], center = median(values)): number {
  return median(values.map((v) => Math.abs(v - center)));
}

/** ISO 8601 UTC without seconds, e.g. `2024-03-01 14:15Z`. */
export function isoMinute(tsMs: number): string {
  return new Date(tsMs).toISOString().slice(0, 16).replace('T', ' ') + 'Z';
}

/** A value with up to 3 significant decimals, e.g. 12.3, 0.0412, 1250. */
export function fmt(value: number): string {
  const abs = Math.abs(value);
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : 3;
  return value.toFixed(digits);
}

/** A duration in hours, e.g. `2.25 h`. */
export function hours(durationMs: number): string {
  return `${(durationMs / 3_600_000).toFixed(2).replace(/\.?0+$/, '')} h`;
}
