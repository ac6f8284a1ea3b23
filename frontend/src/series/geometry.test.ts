import { describe, expect, it } from 'vitest';
import { linear, nearestIndex, pathData, toSegments, valueExtent, type TimePoint } from './geometry';

const box = { left: 0, top: 0, width: 100, height: 50 };
const domain = { t0: 0, t1: 100, y0: 0, y1: 10 };

describe('linear', () => {
  it('maps and handles a degenerate domain', () => {
    expect(linear(0, 10, 0, 100)(5)).toBe(50);
    expect(linear(0, 10, 100, 0)(2)).toBe(80);
    expect(linear(3, 3, 0, 100)(3)).toBe(50);
  });
});

describe('toSegments', () => {
  it('scales into the box with y growing downwards', () => {
    const pts: TimePoint[] = [
      { t: 0, value: 0 },
      { t: 50, value: 5 },
      { t: 100, value: 10 },
    ];
    expect(toSegments(pts, [], domain, box)).toEqual([
      [
        [0, 50],
        [50, 25],
        [100, 0],
      ],
    ]);
  });

  it('breaks the line at a reported gap', () => {
    const pts: TimePoint[] = [
      { t: 0, value: 1 },
      { t: 10, value: 1 },
      { t: 60, value: 2 },
      { t: 70, value: 2 },
    ];
    const segs = toSegments(pts, [{ from: 20, to: 60 }], domain, box);
    expect(segs).toHaveLength(2);
    expect(segs[0]!.map((p) => p[0])).toEqual([0, 10]);
    expect(segs[1]!.map((p) => p[0])).toEqual([60, 70]);
  });

  it('ignores gaps at the edges and breaks at non-finite values', () => {
    const pts: TimePoint[] = [
      { t: 10, value: 1 },
      { t: 20, value: Number.NaN },
      { t: 30, value: 1 },
      { t: 40, value: 1 },
    ];
    const segs = toSegments(
      pts,
      [
        { from: 0, to: 10 },
        { from: 50, to: 100 },
      ],
      domain,
      box,
    );
    expect(segs.map((s) => s.length)).toEqual([1, 2]);
  });

  it('keeps first, min, max and last of a crowded pixel column', () => {
    const pts: TimePoint[] = [];
    for (let i = 0; i < 100; i++) pts.push({ t: i / 1000, value: i === 30 ? 10 : i === 60 ? 0 : 5 });
    const segs = toSegments(pts, [], domain, box);
    expect(segs).toHaveLength(1);
    expect(segs[0]!.map((p) => p[1])).toEqual([25, 0, 50, 25]);
  });
});

describe('pathData', () => {
  it('writes one move per segment and a dash for a lone point', () => {
    expect(
      pathData([
        [
          [0, 1],
          [2, 3],
        ],
        [[5, 5]],
      ]),
    ).toBe('M0 1L2 3M4 5L6 5');
    expect(pathData([])).toBe('');
  });
});

describe('nearestIndex', () => {
  const pts: TimePoint[] = [0, 10, 20, 30].map((t) => ({ t, value: t }));
  it('finds the nearest point in time', () => {
    expect(nearestIndex(pts, -5)).toBe(0);
    expect(nearestIndex(pts, 4)).toBe(0);
    expect(nearestIndex(pts, 6)).toBe(1);
    expect(nearestIndex(pts, 25)).toBe(2);
    expect(nearestIndex(pts, 99)).toBe(3);
    expect(nearestIndex([], 1)).toBe(-1);
  });
});

describe('valueExtent', () => {
  it('spans all series and skips non-finite values', () => {
    expect(
      valueExtent([
        [{ t: 0, value: 3 }],
        [
          { t: 0, value: -2 },
          { t: 1, value: Number.NaN },
        ],
      ]),
    ).toEqual([-2, 3]);
    expect(valueExtent([[]])).toBeNull();
  });
});
