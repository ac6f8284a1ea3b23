import { describe, expect, it } from 'vitest';
import type { SeriesInfo } from '../series/model';
import { applyReadings, readingsOf } from './liveModel';

const s = (id: number, ts: string | null, value = 0): SeriesInfo => ({
  id,
  siteId: 'demo',
  key: `k${id}`,
  name: '',
  quantity: 'active_power',
  unit: 'W',
  semantics: 'instantaneous',
  intervalS: null,
  latest: ts ? { ts, value, quality: 'measured' } : null,
});

describe('pushed readings', () => {
  it('reads the readings of a live message, skipping broken ones', () => {
    expect(
      readingsOf({
        siteId: 'demo',
        readings: [{ seriesId: 1, tsMs: 5, value: 2 }, { seriesId: 'x' }, { seriesId: 2, tsMs: 5, value: NaN }],
      }),
    ).toEqual([{ seriesId: 1, tsMs: 5, value: 2 }]);
    expect(readingsOf(null)).toEqual([]);
  });

  it('takes the newest reading per series and never goes back in time', () => {
    const list = [s(1, '2026-11-27T08:00:00.000Z', 1), s(2, null), s(3, '2026-11-27T08:00:00.000Z', 3)];
    const t = Date.parse('2026-11-27T08:00:05Z');
    const out = applyReadings(list, [
      { seriesId: 1, tsMs: t, value: 10 },
      { seriesId: 1, tsMs: t - 1000, value: 9 },
      { seriesId: 2, tsMs: t, value: 20 },
      { seriesId: 3, tsMs: t - 10_000, value: 30 },
    ]);
    expect(out.map((x) => x.latest?.value)).toEqual([10, 20, 3]);
    expect(out[2]).toBe(list[2]);
    expect(applyReadings(list, [])).toBe(list);
  });
});
