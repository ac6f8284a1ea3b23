import { describe, expect, it } from 'vitest';
import { layoutChart, type ChartLine } from './chartModel';

const box = { left: 60, top: 10, width: 600, height: 300 };
const H = 3_600_000;
const t0 = Date.parse('2026-07-15T00:00:00Z');
const line = (id: number, unit: string, values: number[]): ChartLine => ({
  id,
  name: `s${id}`,
  unit,
  color: '#000',
  points: values.map((value, i) => ({ t: t0 + i * H, value })),
  gaps: [],
});

describe('layoutChart', () => {
  it('shows power in kW with 0 in view', () => {
    const l = layoutChart([line(1, 'W', [2000, 12_000, 8000])], t0, t0 + 24 * H, box, 'Europe/Berlin', 'en');
    expect(l.axes).toHaveLength(1);
    expect(l.axes[0]!.label).toBe('kW');
    expect(l.axes[0]!.y0).toBe(0);
    expect(l.axes[0]!.y1).toBeGreaterThanOrEqual(12_000);
    expect(l.axes[0]!.ticks[0]!.label).toBe('0.0');
    expect(l.paths[0]!.d.startsWith('M60 ')).toBe(true);
    expect(l.xTicks.length).toBeGreaterThan(2);
    expect(l.y('W', 0)).toBe(310);
  });

  it('puts a second unit on the right and ignores a third', () => {
    const l = layoutChart([line(1, 'W', [1, 2]), line(2, '%', [50]), line(3, '°C', [20])], t0, t0 + H, box, 'UTC', 'de');
    expect(l.axes.map((a) => a.side)).toEqual(['left', 'right']);
    expect(l.axes[1]!.y1).toBe(100);
    expect(l.paths.map((p) => p.id)).toEqual([1, 2]);
  });

  it('copes with no points', () => {
    const l = layoutChart([line(1, 'W', [])], t0, t0 + H, box, 'UTC', 'en');
    expect(l.paths[0]!.d).toBe('');
    expect(l.axes[0]!.ticks.length).toBeGreaterThan(1);
  });
});
