import { describe, expect, it } from 'vitest';
import { fromLocalMs, toLocalMs } from '../../series/localtime';
import type { SeriesInfo } from '../../series/model';
import { DEFAULT_KEYS, flowDirection, keysFromEnergy, localMidnightMs, peakOf, powerFlow } from './model';

const NOW = Date.parse('2026-11-27T08:00:00Z');
const series = (key: string, value: number | null, ageMs = 1000): SeriesInfo => ({
  id: key.length,
  siteId: 'demo',
  key,
  name: key,
  quantity: 'active_power',
  unit: key.endsWith('soc') ? '%' : 'W',
  semantics: 'instantaneous',
  intervalS: null,
  latest: value === null ? null : { ts: new Date(NOW - ageMs).toISOString(), value, quality: 'measured' },
});

describe('power flow', () => {
  it('takes the latest values by the configured keys', () => {
    const f = powerFlow(
      [
        series('grid/power', 400_000),
        series('pv/power', 25_000),
        series('battery/power', 166_000),
        series('battery/soc', 49.9),
        series('load/power', 591_000),
      ],
      DEFAULT_KEYS,
      NOW,
    );
    expect([f.gridW.value, f.pvW.value, f.batteryW.value, f.loadW.value, f.socPct.value]).toEqual([
      400_000, 25_000, 166_000, 591_000, 49.9,
    ]);
    expect(f.loadW.derived).toBe(false);
    expect(f.hasBattery && f.hasPv).toBe(true);
  });

  it('derives the load from grid + PV + battery when it has no series, and marks stale values', () => {
    const f = powerFlow([series('grid/power', -10_000, 120_000), series('pv/power', 30_000)], DEFAULT_KEYS, NOW);
    expect(f.loadW).toMatchObject({ value: 20_000, derived: true, stale: true });
    expect(f.hasBattery).toBe(false);
    expect(f.socPct.value).toBeNull();
  });

  it('sums several PV systems and weights the SoC by capacity', () => {
    const keys = {
      ...DEFAULT_KEYS,
      pv: ['pv1', 'pv2'],
      batteryPower: ['b1', 'b2'],
      batterySoc: ['s1', 's2'],
      batteryCapacityWh: [1000, 3000],
    };
    const f = powerFlow([series('pv1', 10), series('pv2', 20), series('s1', 100), series('s2', 0)], keys, NOW);
    expect(f.pvW.value).toBe(30);
    expect(f.socPct.value).toBe(25);
  });

  it('reads the keys from the site energy configuration', () => {
    const k = keysFromEnergy({
      grid: { powerSeries: 'meter/grid' },
      loadSeries: 'meter/load',
      pv: [{ powerSeries: 'pv/a' }],
      batteries: [{ powerSeries: 'bat/p', socSeries: 'bat/soc', capacityWh: 5 }],
      peakTargetW: 700,
    });
    expect(k).toEqual({
      grid: 'meter/grid',
      load: 'meter/load',
      pv: ['pv/a'],
      batteryPower: ['bat/p'],
      batterySoc: ['bat/soc'],
      batteryCapacityWh: [5],
      peakTargetW: 700,
    });
    expect(keysFromEnergy({ config: { grid: { powerSeries: 'g' }, loadSeries: 'l' } })?.grid).toBe('g');
    expect(keysFromEnergy({ nothing: 1 })).toBeNull();
  });

  it.each([
    [null, 'idle'],
    [10, 'idle'],
    [5000, 'forward'],
    [-5000, 'backward'],
  ] as const)('direction of %s W', (w, dir) => {
    expect(flowDirection(w, 100_000)).toBe(dir);
  });

  it('peak of the day and local midnight', () => {
    expect(
      peakOf([
        { ts: '2026-11-27T07:00:00Z', value: 5 },
        { ts: '2026-11-27T07:15:00Z', value: 9 },
        { ts: '2026-11-27T07:30:00Z', value: -20 },
      ]),
    ).toEqual({
      peakW: 9,
      atMs: Date.parse('2026-11-27T07:15:00Z'),
    });
    expect(peakOf([{ ts: 'x', value: -1 }])).toBeNull();
    // Berlin is UTC+1 in November: local midnight is 23:00 UTC the day before
    expect(new Date(localMidnightMs(NOW, 'Europe/Berlin', toLocalMs, fromLocalMs)).toISOString()).toBe('2026-11-26T23:00:00.000Z');
  });
});
