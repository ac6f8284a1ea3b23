/**
 * Forecast vs actual — pure: the latest issued forecast (p10/p50/p90 on a regular step) against the
 * measured series, as SVG paths, plus the forecast error where both exist.
 */
import { linear, type Box } from '../../series/geometry';

export const TARGETS = ['load', 'pv'] as const;
export type Target = (typeof TARGETS)[number];
/** the measured series a forecast target is compared with (as the forecast service picks them) */
export const ACTUAL_KEY: Record<Target, string> = { load: 'load/power', pv: 'pv/power' };

export interface Forecast {
  model: string;
  unit: string;
  issuedAtMs: number;
  startMs: number;
  stepMs: number;
  p10: (number | null)[];
  p50: (number | null)[];
  p90: (number | null)[];
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
const nums = (v: unknown): (number | null)[] => (Array.isArray(v) ? v.map((x) => (typeof x === 'number' ? x : null)) : []);

export function parseForecasts(body: unknown): Forecast[] {
  const list = isRecord(body) && Array.isArray(body.forecasts) ? body.forecasts : [];
  return list.filter(isRecord).flatMap((f) => {
    const issuedAtMs = Date.parse(String(f.issuedAt));
    const startMs = Date.parse(String(f.start));
    if (Number.isNaN(issuedAtMs) || Number.isNaN(startMs) || typeof f.stepMinutes !== 'number') return [];
    return [
      {
        model: String(f.model ?? ''),
        unit: String(f.unit ?? ''),
        issuedAtMs,
        startMs,
        stepMs: f.stepMinutes * 60_000,
        p10: nums(f.p10),
        p50: nums(f.p50),
        p90: nums(f.p90),
      },
    ];
  });
}

export interface BandChart {
  band: string;
  median: string;
  actual: string;
  yMin: number;
  yMax: number;
  t0: number;
  t1: number;
}

interface TimeValue {
  ms: number;
  value: number;
}

/** Paths for the p10–p90 band, the p50 line and the actual line over the forecast's horizon. */
export function bandChart(f: Forecast, actual: readonly TimeValue[], box: Box): BandChart | null {
  const n = f.p50.length;
  if (n === 0) return null;
  const t0 = f.startMs;
  const t1 = f.startMs + n * f.stepMs;
  const inRange = actual.filter((a) => a.ms >= t0 && a.ms < t1);
  const all = [...f.p10, ...f.p50, ...f.p90, ...inRange.map((a) => a.value)].filter((v): v is number => v !== null);
  if (all.length === 0) return null;
  let yMin = Math.min(0, ...all);
  let yMax = Math.max(...all);
  if (yMax === yMin) yMax = yMin + 1;
  const pad = (yMax - yMin) * 0.05;
  yMin = yMin === 0 ? 0 : yMin - pad;
  yMax += pad;
  const x = linear(t0, t1, box.left, box.left + box.width);
  const y = linear(yMin, yMax, box.top + box.height, box.top);
  const mid = (i: number) => t0 + (i + 0.5) * f.stepMs;
  const line = (pts: Array<[number, number]>) =>
    pts.map(([px, py], i) => `${i === 0 ? 'M' : 'L'}${px.toFixed(1)},${py.toFixed(1)}`).join('');
  const upper: Array<[number, number]> = [];
  const lower: Array<[number, number]> = [];
  for (let i = 0; i < n; i++) {
    const hi = f.p90[i];
    const lo = f.p10[i];
    if (typeof hi !== 'number' || typeof lo !== 'number') continue;
    upper.push([x(mid(i)), y(hi)]);
    lower.push([x(mid(i)), y(lo)]);
  }
  const band = upper.length ? `${line(upper)}${line(lower.reverse()).replace(/^M/, 'L')}Z` : '';
  const median = line(f.p50.flatMap((v, i): Array<[number, number]> => (v === null ? [] : [[x(mid(i)), y(v)]])));
  const actualPath = line(inRange.map((a): [number, number] => [x(a.ms), y(a.value)]));
  return { band, median, actual: actualPath, yMin, yMax, t0, t1 };
}

/**
 * Mean absolute error of p50 against the actual means per forecast step (W), and the share of
 * actual values inside the p10–p90 band; null when no step has both.
 */
export function forecastError(f: Forecast, actual: readonly TimeValue[]): { maeW: number; coverage: number; steps: number } | null {
  const sums = new Map<number, { sum: number; n: number }>();
  for (const a of actual) {
    const i = Math.floor((a.ms - f.startMs) / f.stepMs);
    if (i < 0 || i >= f.p50.length) continue;
    const s = sums.get(i) ?? { sum: 0, n: 0 };
    s.sum += a.value;
    s.n++;
    sums.set(i, s);
  }
  let abs = 0;
  let inside = 0;
  let steps = 0;
  for (const [i, s] of sums) {
    const p50 = f.p50[i];
    if (typeof p50 !== 'number') continue;
    const mean = s.sum / s.n;
    abs += Math.abs(mean - p50);
    const lo = f.p10[i];
    const hi = f.p90[i];
    if (typeof lo === 'number' && typeof hi === 'number' && mean >= lo && mean <= hi) inside++;
    steps++;
  }
  return steps === 0 ? null : { maeW: abs / steps, coverage: inside / steps, steps };
}
