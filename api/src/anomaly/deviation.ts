/**
 * Sustained deviation from the seasonal baseline (pure). For each reading the same LOCAL time of
 * day on the most recent previous days of the same day type (weekday; holidays count as Sundays,
 * see baseline.ts) give a median and a MAD; a run of readings beyond
 * max(k·1.4826·MAD, floorRatio·baseline, seriesFloor) on one side that lasts `deviationMinMs`
 * and whose excess energy is at least `deviationMinExcessRatio` of the baseline energy of the run
 * is reported.
 */
import { presentRefs, type Baseline } from './baseline.js';
import type { DetectOptions, Finding, Point } from './detect.js';
import { MAD_TO_SIGMA, fmt, hours, isoMinute, mad, median } from './stats.js';

export function detectDeviations(points: readonly Point[], o: DetectOptions, baseline: Baseline): Finding[] {
  const seriesFloor = o.deviationFloorSeriesRatio * median(points.map((p) => Math.abs(p.value)));
  const sides: Array<{ side: -1 | 0 | 1; base: number }> = points.map((p, i) => {
    const refs = presentRefs(baseline.refs[i]!);
    if (refs.length < o.baselineMinWeeks) return { side: 0, base: NaN };
    const base = median(refs);
    const threshold = Math.max(o.deviationK * MAD_TO_SIGMA * mad(refs, base), o.deviationFloorRatio * Math.abs(base), seriesFloor);
    const residual = p.value - base;
    const side = residual > threshold ? 1 : residual < -threshold ? -1 : 0;
    const wanted = o.deviationDirection === 'both' || (o.deviationDirection === 'up' ? side === 1 : side === -1);
    return { side: wanted ? side : 0, base };
  });

  const out: Finding[] = [];
  const emit = (from: number, to: number, side: 1 | -1) => {
    const startMs = points[from]!.tsMs;
    const endMs = points[to]!.tsMs + o.intervalMs;
    if (endMs - startMs < o.deviationMinMs) return;
    const run = points.slice(from, to + 1);
    const bases = sides.slice(from, to + 1).map((s) => s.base);
    const known = run.map((p, k) => [p.value, bases[k]!] as const).filter(([, b]) => Number.isFinite(b));
    const meanValue = known.reduce((a, [v]) => a + v, 0) / known.length;
    const meanBase = known.reduce((a, [, b]) => a + b, 0) / known.length;
    const excess = Math.abs(meanValue - meanBase);
    if (excess < o.deviationMinExcessRatio * Math.max(Math.abs(meanBase), seriesFloor)) return;
    if (o.deviationRunK > 0) {
      // run-level test: how far did the reference days themselves stray from the baseline over the same slots?
      const perDay: number[] = [];
      for (let k = 0; k < o.baselineWeeks; k++) {
        let sum = 0;
        let n = 0;
        for (let m = from; m <= to; m++) {
          const v = baseline.refs[m]![k]!;
          const b = sides[m]!.base;
          if (!Number.isNaN(v) && Number.isFinite(b)) {
            sum += v - b;
            n++;
          }
        }
        if (n > 0) perDay.push(sum / n);
      }
      if (perDay.length >= o.baselineMinWeeks) {
        const spread = MAD_TO_SIGMA * mad(perDay, 0);
        if (excess < o.deviationRunK * spread) return;
      }
    }
    const pct = meanBase !== 0 ? Math.round((100 * (meanValue - meanBase)) / Math.abs(meanBase)) : NaN;
    const energyUnit = o.unit === 'kW' ? 'kWh' : o.unit === 'W' ? 'Wh' : undefined;
    const energy = energyUnit ? `, ${fmt(excess * ((endMs - startMs) / 3_600_000))} ${energyUnit} ${side > 0 ? 'extra' : 'less'}` : '';
    const holiday = baseline.holiday[from] === 1 ? ' (a public holiday, compared with Sundays)' : '';
    out.push({
      kind: 'deviation',
      startMs,
      endMs,
      severity: side > 0 ? 'warning' : 'info',
      detail: `From ${isoMinute(startMs)} to ${isoMinute(endMs)} (${hours(endMs - startMs)}) the mean was ${fmt(meanValue)} ${o.unit} against a usual ${fmt(meanBase)} ${o.unit} for this day type and local time${holiday} (${Number.isFinite(pct) ? `${pct > 0 ? '+' : ''}${pct} %` : 'n/a'}${energy}); ${side > 0 ? 'check for equipment left running or a changed schedule' : 'check for a shutdown, a partial meter failure or an unlisted holiday'}.`,
    });
  };
  let i = 0;
  while (i < points.length) {
    const side = sides[i]!.side;
    if (side === 0) {
      i++;
      continue;
    }
    // extend the run while readings stay on this side, tolerating short interruptions on the grid
    let last = i;
    let interruptions = 0;
    let j = i + 1;
    while (j < points.length && points[j]!.tsMs - points[j - 1]!.tsMs === o.intervalMs) {
      if (sides[j]!.side === side) {
        last = j;
        interruptions = 0;
      } else if (++interruptions > o.deviationMaxInterruptions) break;
      j++;
    }
    emit(i, last, side);
    i = last + 1;
  }
  return out;
}
