import { describe, expect, it } from 'vitest';
import {
  aggFor,
  ageSeconds,
  allowedResolutions,
  parseReadings,
  parseSeriesList,
  selectBlock,
  toggleSelected,
  type SeriesInfo,
} from './model';

const s = (id: number, unit: string): SeriesInfo => ({
  id,
  siteId: 'demo',
  key: `k${id}`,
  name: '',
  quantity: '',
  unit,
  semantics: 'instantaneous',
  intervalS: 5,
  latest: null,
});

describe('parseSeriesList', () => {
  it('keeps well-formed series and their latest reading', () => {
    const list = parseSeriesList([
      {
        id: 1,
        siteId: 'demo',
        key: 'grid/power',
        name: 'Netz',
        quantity: 'active_power',
        unit: 'W',
        semantics: 'instantaneous',
        intervalS: 5,
        latest: { ts: '2026-01-01T00:00:00Z', value: 5, quality: 'measured' },
      },
      { id: 2, key: 'x', latest: null },
      { key: 'no-id' },
      null,
    ]);
    expect(list.map((x) => x.id)).toEqual([1, 2]);
    expect(list[0]!.latest?.value).toBe(5);
    expect(list[1]!.latest).toBeNull();
    expect(list[1]!.intervalS).toBeNull();
    expect(parseSeriesList({})).toEqual([]);
  });
});

describe('parseReadings', () => {
  it('parses points and gaps and drops bad entries', () => {
    const r = parseReadings({
      series: { id: 3, key: 'k', unit: 'W' },
      resolution: 'raw',
      agg: 'avg',
      points: [
        { ts: '2026-01-01T00:00:00Z', value: 1, quality: 'measured', n: 1 },
        { ts: 'nope', value: 1 },
        { ts: '2026-01-01T00:00:05Z' },
      ],
      gaps: [{ from: '2026-01-01T00:00:05Z', to: '2026-01-01T01:00:00Z' }, { from: 1 }],
    });
    expect(r?.points).toHaveLength(1);
    expect(r?.gaps).toHaveLength(1);
    expect(r?.unit).toBe('W');
    expect(parseReadings({ points: [] })).toBeNull();
  });
});

describe('aggFor', () => {
  it('matches the semantics', () => {
    expect(aggFor('instantaneous')).toBe('avg');
    expect(aggFor('cumulative')).toBe('last');
    expect(aggFor('interval')).toBe('sum');
  });
});

describe('selection', () => {
  const all = [s(1, 'W'), s(2, 'W'), s(3, '%'), s(4, 'W'), s(5, 'W'), s(6, '°C')];
  it('allows at most four series', () => {
    expect(toggleSelected(all, [1, 2, 3, 4], 5)).toEqual([1, 2, 3, 4]);
    expect(selectBlock(all, [1, 2, 3, 4], 5)).toBe('max');
    expect(toggleSelected(all, [1, 2, 3, 4], 2)).toEqual([1, 3, 4]);
  });

  it('allows at most two units', () => {
    expect(selectBlock(all, [1, 3], 6)).toBe('units');
    expect(selectBlock(all, [1, 3], 2)).toBeNull();
    expect(toggleSelected(all, [1], 3)).toEqual([1, 3]);
  });
});

describe('ageSeconds', () => {
  it('never goes negative', () => {
    expect(ageSeconds('2026-01-01T00:00:00Z', Date.parse('2026-01-01T00:00:12Z'))).toBe(12);
    expect(ageSeconds('2026-01-01T00:00:10Z', Date.parse('2026-01-01T00:00:00Z'))).toBe(0);
  });
});

describe('allowedResolutions', () => {
  it('offers raw readings only for short spans', () => {
    expect(allowedResolutions(86_400_000)).toEqual(['raw', '15m', '1h', '1d']);
    expect(allowedResolutions(30 * 86_400_000)).toEqual(['15m', '1h', '1d']);
  });
});
