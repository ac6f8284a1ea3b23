/**
 * From points to SVG coordinates — pure. A line is split into segments wherever the service
 * reported a gap between two neighbouring points, so missing data shows as a break, not a slope.
 */

export interface TimePoint {
  /** UTC epoch ms */
  t: number;
  value: number;
}

export interface Gap {
  /** UTC epoch ms */
  from: number;
  to: number;
}

export interface Box {
  left: number;
  top: number;
  width: number;
  height: number;
}

export interface Domain {
  t0: number;
  t1: number;
  y0: number;
  y1: number;
}

export type XY = readonly [number, number];

/** Linear map from [d0, d1] onto [r0, r1]; a degenerate domain maps to the middle. */
export function linear(d0: number, d1: number, r0: number, r1: number): (v: number) => number {
  if (d1 === d0) return () => (r0 + r1) / 2;
  const k = (r1 - r0) / (d1 - d0);
  return (v) => r0 + (v - d0) * k;
}

/** Whether a reported gap lies between two neighbouring points (times a < b). */
function gapBetween(gaps: readonly Gap[], a: number, b: number): boolean {
  for (const g of gaps) if (g.from < b && g.to > a) return true;
  return false;
}

const round = (v: number): number => Math.round(v * 10) / 10;

/**
 * Points (sorted by time) → polyline segments in the box; y grows downwards. Segments break at
 * gaps and at non-finite values. Where more points than pixels fall into one column, only the
 * first, min, max and last of the column are kept (the drawn shape stays the same).
 */
export function toSegments(points: readonly TimePoint[], gaps: readonly Gap[], domain: Domain, box: Box): XY[][] {
  const x = linear(domain.t0, domain.t1, box.left, box.left + box.width);
  const y = linear(domain.y0, domain.y1, box.top + box.height, box.top);
  const segments: XY[][] = [];
  let current: XY[] = [];
  let prev: TimePoint | undefined;
  let column: XY[] = [];
  let columnX = NaN;

  const flushColumn = () => {
    if (column.length <= 4) current.push(...column);
    else {
      let lo = column[0]!;
      let hi = column[0]!;
      for (const p of column) {
        if (p[1] < lo[1]) lo = p;
        if (p[1] > hi[1]) hi = p;
      }
      const first = column[0]!;
      const last = column[column.length - 1]!;
      const keep = [first, lo, hi, last].filter((p, i, arr) => arr.indexOf(p) === i);
      keep.sort((a, b) => column.indexOf(a) - column.indexOf(b));
      current.push(...keep);
    }
    column = [];
  };
  const endSegment = () => {
    flushColumn();
    if (current.length > 0) segments.push(current);
    current = [];
  };

  for (const p of points) {
    if (!Number.isFinite(p.value) || !Number.isFinite(p.t)) {
      endSegment();
      prev = undefined;
      continue;
    }
    if (prev && gapBetween(gaps, prev.t, p.t)) endSegment();
    const xy: XY = [round(x(p.t)), round(y(p.value))];
    const col = Math.floor(xy[0]);
    if (col !== columnX) {
      flushColumn();
      columnX = col;
    }
    column.push(xy);
    prev = p;
  }
  endSegment();
  return segments;
}

/** SVG path data for segments: "M x y L x y …" per segment; a lone point becomes a short dash so it stays visible. */
export function pathData(segments: readonly (readonly XY[])[]): string {
  return segments
    .map((seg) => {
      if (seg.length === 1) {
        const [px, py] = seg[0]!;
        return `M${px - 1} ${py}L${px + 1} ${py}`;
      }
      return seg.map(([px, py], i) => `${i === 0 ? 'M' : 'L'}${px} ${py}`).join('');
    })
    .join('');
}

/** Index of the point nearest in time to t (points sorted by time), or -1 when there are none. */
export function nearestIndex(points: readonly TimePoint[], t: number): number {
  if (points.length === 0) return -1;
  let lo = 0;
  let hi = points.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (points[mid]!.t < t) lo = mid + 1;
    else hi = mid;
  }
  if (lo > 0 && Math.abs(points[lo - 1]!.t - t) <= Math.abs(points[lo]!.t - t)) return lo - 1;
  return lo;
}

/** Smallest and largest finite value over all series, or null when there is none. */
export function valueExtent(series: readonly (readonly TimePoint[])[]): [number, number] | null {
  let lo = Infinity;
  let hi = -Infinity;
  for (const pts of series)
    for (const p of pts) {
      if (!Number.isFinite(p.value)) continue;
      if (p.value < lo) lo = p.value;
      if (p.value > hi) hi = p.value;
    }
  return lo <= hi ? [lo, hi] : null;
}
