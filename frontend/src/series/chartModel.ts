/** Everything the chart draws, computed from the lines and the box — pure, so the component stays small. */
import type { Lang } from '../i18n';
import { pathData, toSegments, valueExtent, linear, type Box, type Gap, type TimePoint } from './geometry';
import { timeTicks, type TimeTick } from './localtime';
import { niceTicks, stepDecimals } from './ticks';
import { displayUnit, formatNumber } from './units';

export interface ChartLine {
  id: number;
  name: string;
  unit: string;
  color: string;
  points: TimePoint[];
  gaps: Gap[];
}

export interface Axis {
  unit: string;
  /** unit as displayed, e.g. kW */
  label: string;
  side: 'left' | 'right';
  y0: number;
  y1: number;
  ticks: Array<{ y: number; label: string }>;
}

export interface ChartLayout {
  axes: Axis[];
  xTicks: Array<TimeTick & { x: number }>;
  paths: Array<{ id: number; color: string; d: string }>;
  x: (t: number) => number;
  /** screen y of a value on the line's axis */
  y: (unit: string, value: number) => number;
}

export const PALETTE = ['#0b5cad', '#c2410c', '#15803d', '#7e22ce'] as const;

/** Axes (one per unit, at most two: left and right), time ticks and path data for the lines. */
export function layoutChart(lines: readonly ChartLine[], t0: number, t1: number, box: Box, timeZone: string, lang: Lang): ChartLayout {
  const units = [...new Set(lines.map((l) => l.unit))].slice(0, 2);
  const axes: Axis[] = units.map((unit, i) => {
    const ext = valueExtent(lines.filter((l) => l.unit === unit).map((l) => l.points)) ?? [0, 1];
    // Power and energy charts keep 0 in view so that the size of a value can be judged.
    const lo = unit === '%' ? 0 : Math.min(ext[0], 0);
    const hi = unit === '%' ? Math.max(100, ext[1]) : Math.max(ext[1], 0);
    const du = displayUnit(unit, Math.max(Math.abs(lo), Math.abs(hi)));
    const nice = niceTicks(lo / du.factor, hi / du.factor, Math.max(3, Math.round(box.height / 60)));
    const y = linear(nice.min, nice.max, box.top + box.height, box.top);
    const decimals = stepDecimals(nice.step);
    return {
      unit,
      label: du.unit,
      side: i === 0 ? 'left' : 'right',
      y0: nice.min * du.factor,
      y1: nice.max * du.factor,
      ticks: nice.ticks.map((v) => ({ y: y(v), label: formatNumber(v, decimals, lang) })),
    };
  });
  const x = linear(t0, t1, box.left, box.left + box.width);
  const axisOf = (unit: string): Axis | undefined => axes.find((a) => a.unit === unit);
  const paths = lines.flatMap((l) => {
    const a = axisOf(l.unit);
    if (!a) return [];
    return [{ id: l.id, color: l.color, d: pathData(toSegments(l.points, l.gaps, { t0, t1, y0: a.y0, y1: a.y1 }, box)) }];
  });
  const maxTicks = Math.max(2, Math.floor(box.width / 110));
  return {
    axes,
    xTicks: timeTicks(t0, t1, timeZone, lang, maxTicks).map((tick) => ({ ...tick, x: x(tick.ms) })),
    paths,
    x,
    y: (unit, value) => {
      const a = axisOf(unit);
      return a ? linear(a.y0, a.y1, box.top + box.height, box.top)(value) : NaN;
    },
  };
}
