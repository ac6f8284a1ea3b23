import { describe, expect, it } from 'vitest';
import { buildCsv, csvField, csvFileName } from './csv';

describe('csvField', () => {
  it('quotes only where needed', () => {
    expect(csvField('grid/power')).toBe('grid/power');
    expect(csvField(1234.5)).toBe('1234.5');
    expect(csvField(-5)).toBe('-5');
    expect(csvField('Netz, Bezug')).toBe('"Netz, Bezug"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
  });

  it('defuses spreadsheet formulas in text', () => {
    expect(csvField('=SUM(A1)')).toBe("'=SUM(A1)");
    expect(csvField('-2.5')).toBe('-2.5');
  });
});

describe('buildCsv', () => {
  it('writes UTC and local time, the canonical value and the quality', () => {
    const csv = buildCsv(
      [
        {
          key: 'grid/power',
          name: 'Netz',
          unit: 'W',
          points: [
            { ts: '2026-07-15T22:30:00.000Z', value: 12345.678, quality: 'measured' },
            { ts: '2026-01-15T12:00:00Z', value: -3, quality: 'estimated' },
          ],
        },
      ],
      'Europe/Berlin',
    );
    expect(csv.split('\r\n')).toEqual([
      'series,name,ts_utc,ts_local (Europe/Berlin),value,unit,quality',
      'grid/power,Netz,2026-07-15T22:30:00.000Z,2026-07-16T00:30:00+02:00,12345.678,W,measured',
      'grid/power,Netz,2026-01-15T12:00:00.000Z,2026-01-15T13:00:00+01:00,-3,W,estimated',
      '',
    ]);
  });

  it('has just the header without points', () => {
    expect(buildCsv([], 'UTC')).toBe('series,name,ts_utc,ts_local (UTC),value,unit,quality\r\n');
  });
});

describe('csvFileName', () => {
  it('is safe and dated', () => {
    expect(csvFileName('demo', Date.parse('2026-03-29T10:15:42Z'))).toBe('demo_series_2026-03-29T1015Z.csv');
    expect(csvFileName('a/b c', 0)).toBe('a_b_c_series_1970-01-01T0000Z.csv');
  });
});
