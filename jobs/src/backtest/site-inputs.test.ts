import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError, readSeriesCsv } from './site-inputs.js';

const dir = mkdtempSync(join(tmpdir(), 'luna-backtest-'));
const file = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

describe('backtest input files', () => {
  it('reads power in kW and prices in ct/kWh, converting to W and EUR/MWh', () => {
    const load = readSeriesCsv(file('load.csv', 'time,load_kw\n2023-01-01T00:00:00+01:00,250\n2023-01-01T01:00:00+01:00,260.5\n'), 'power');
    expect(load).toEqual([
      { epochMs: Date.parse('2022-12-31T23:00:00Z'), value: 250_000 },
      { epochMs: Date.parse('2023-01-01T00:00:00Z'), value: 260_500 },
    ]);
    const prices = readSeriesCsv(file('prices.csv', 'timestamp;price [ct/kWh]\n2023-01-01T00:00:00Z;8.5\n'), 'price');
    expect(prices[0]!.value).toBeCloseTo(85, 9);
  });

  it('names the file, line and reason of a bad row and keeps the good ones', () => {
    const rows = readSeriesCsv(
      file('bad.csv', 'time,load_w\n2023-01-01T00:00:00Z,100\nyesterday,5\n2023-01-01T00:15:00Z,abc\n2023-01-01T00:30:00Z,300\n'),
      'power',
    );
    expect(rows.map((r) => r.value)).toEqual([100, 300]);
  });

  it('refuses a file without a unit in the value column, and a normalised load without --annual-mwh', () => {
    expect(() => readSeriesCsv(file('nounit.csv', 'time,load\n2023-01-01T00:00:00Z,1\n'), 'power')).toThrow(InputError);
    expect(() => readSeriesCsv(file('nounit.csv', 'time,load\n2023-01-01T00:00:00Z,1\n'), 'power')).toThrow(
      /nounit.csv:1: no power column/,
    );
    expect(() => readSeriesCsv(file('norm.csv', 'ts_utc,w_per_mwh_a\n2023-01-01T00:00:00Z,1\n'), 'power')).toThrow(/--annual-mwh/);
    expect(readSeriesCsv(file('norm.csv', 'ts_utc,w_per_mwh_a\n2023-01-01T00:00:00Z,1\n'), 'power', 2500)[0]!.value).toBe(2500);
  });
});
