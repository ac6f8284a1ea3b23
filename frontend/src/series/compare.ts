/**
 * Comparison of periods — pure: the same series one span earlier, moved forward by the span so
 * that it lies under the current period (e.g. today against yesterday, this week against last week).
 */
import type { ChartLine } from './chartModel';

/** Lighter tones of the chart palette for the earlier period. */
export const COMPARE_PALETTE = ['#7fb0e3', '#f0a37a', '#7fd19b', '#c9a3ea'] as const;

/** Line ids of the earlier period are the negated ids of their series. */
export const compareId = (seriesId: number): number => -seriesId;

export function previousPeriodLine(line: ChartLine, spanMs: number, name: string, color: string): ChartLine {
  return {
    id: compareId(line.id),
    name,
    unit: line.unit,
    color,
    points: line.points.map((p) => ({ t: p.t + spanMs, value: p.value })),
    gaps: line.gaps.map((g) => ({ from: g.from + spanMs, to: g.to + spanMs })),
  };
}

/** Mean of the points of each line, for the summary under the chart; null without points. */
export function meanOf(line: ChartLine): number | null {
  if (line.points.length === 0) return null;
  return line.points.reduce((s, p) => s + p.value, 0) / line.points.length;
}
