import { describe, expect, it } from 'vitest';
import { localStep } from '../../../api/src/forecast/index.js';
import { DataError, readSeriesCsv, readWeather } from './forecast.data.js';
import { origins, rng, temperatureAsKnown, weatherAsKnown } from './forecast.run.js';
import { scoreLines } from './forecast.js';
import { ScoreAccumulator } from '../../../api/src/forecast/index.js';

describe('origins', () => {
  it('issue at 12:00 local the day before, target the whole local day (23 h on the spring DST day)', () => {
    const os = origins('Europe/Berlin', '2023-03-26', '2023-03-27');
    expect(os[0]!.issuedAt.toISOString()).toBe('2023-03-25T11:00:00.000Z');
    expect(os[0]!.targetEndMs - os[0]!.targetStartMs).toBe(23 * 3_600_000);
    expect(localStep('Europe/Berlin', os[1]!.issuedAt.getTime())).toEqual({ date: '2023-03-26', minuteOfDay: 720 });
  });
});

describe('synthetic forecasts of exogenous inputs', () => {
  it('rng is deterministic per seed', () => {
    const a = rng(42);
    const b = rng(42);
    expect([a.normal(), a.normal()]).toEqual([b.normal(), b.normal()]);
  });
  it('temperature: observed before issue, perturbed after it, the same on every run', () => {
    const obs = { startMs: 0, stepMs: 3_600_000, values: Array.from({ length: 24 * 10 }, () => 10) };
    const issued = 5 * 86_400_000;
    const t1 = temperatureAsKnown(obs, issued, 'x');
    const t2 = temperatureAsKnown(obs, issued, 'x');
    expect(t1.values).toEqual(t2.values);
    const before = t1.values.filter((_, i) => t1.startMs + i * 3_600_000 < issued);
    const after = t1.values.filter((_, i) => t1.startMs + i * 3_600_000 >= issued);
    expect(before.every((v) => v === 10)).toBe(true);
    expect(after.some((v) => v !== 10)).toBe(true);
  });
  it('GHI: observations before issue kept, forecasts after it marked with issuedAtMs and perturbed', () => {
    const start = Date.UTC(2023, 5, 1);
    const obs = Array.from({ length: 72 }, (_, h) => ({
      startMs: start + h * 3_600_000,
      endMs: start + (h + 1) * 3_600_000,
      ghiWPerM2: 400,
      tempC: 20,
    }));
    const issued = start + 36 * 3_600_000;
    const w = weatherAsKnown(obs, issued, start + 72 * 3_600_000, 51.3, 9.45, 'x');
    expect(w.filter((r) => r.startMs < issued).every((r) => r.ghiWPerM2 === 400 && r.issuedAtMs === undefined)).toBe(true);
    const fc = w.filter((r) => r.startMs >= issued);
    expect(fc.every((r) => r.issuedAtMs === issued)).toBe(true);
    expect(fc.some((r) => r.ghiWPerM2 !== 400)).toBe(true);
  });
});

describe('readers', () => {
  it('reads a kW series into W, empty cells as missing', () => {
    const { series } = readSeriesCsv('ts_utc,kw\n2023-01-01T00:00:00Z,1.5\n2023-01-01T01:00:00Z,\n2023-01-01T02:00:00Z,2\n', 'f.csv');
    expect(series.stepMs).toBe(3_600_000);
    expect(series.values[0]).toBe(1500);
    expect(series.values[1]).toBeNaN();
  });
  it('names file, line and reason of a bad line', () => {
    expect(() => readSeriesCsv('ts_utc,kw\n2023-01-01T00:00:00Z,1\n2023-01-01T01:00:00Z,abc\n', 'f.csv')).toThrow(
      /f\.csv:3: "abc" in column kw is not a number/,
    );
    expect(() => readSeriesCsv('ts_utc,kw\n2023-01-01 00:00,1\n', 'f.csv')).toThrow(DataError);
    expect(() => readSeriesCsv('when,kw\n', 'f.csv')).toThrow(/no time column/);
  });
  it('reads the shared weather layout (observation end) and the repo CSV format', () => {
    const a = readWeather(
      'ts_utc_obs_end,temp_air_c,rel_humidity_pct,ghi_wm2\n2016-01-01T01:00:00Z,3.0,90,0.0\n2016-01-01T02:00:00Z,4.0,90,10\n',
      'b',
      52,
      0,
    );
    expect(a.records[1]).toMatchObject({ startMs: Date.parse('2016-01-01T01:00:00Z'), tempC: 4, ghiWPerM2: 10 });
    expect(a.temperatureC.values).toEqual([3, 4]);
    const b = readWeather(
      'timestamp,ghi [W/m2],temp [°C]\n2024-06-01T10:00:00+02:00,512.5,18.2\n2024-06-01T11:00:00+02:00,600,19\n',
      'c',
      52,
      0,
    );
    expect(b.records).toHaveLength(2);
  });
});

describe('BENCH lines', () => {
  it('prints every metric with its unit', () => {
    const s = new ScoreAccumulator();
    s.add(10, 8, 9, 11, 12);
    const lines = scoreLines('forecast.x.load.profile', s, 'W', { skill: true });
    expect(lines).toContain('BENCH forecast.x.load.profile.mae 1.0 W');
    expect(lines).toContain('BENCH forecast.x.load.profile.mase 0.500 ratio');
    expect(lines).toContain('BENCH forecast.x.load.profile.coverage_p10_p90 100.0 %');
    expect(lines.some((l) => l.startsWith('BENCH forecast.x.load.profile.skill'))).toBe(true);
  });
});

describe('results table', () => {
  it('turns BENCH lines into one row per site, target and model', async () => {
    const { benchTable } = await import('./forecast.table.js');
    const t = benchTable(
      [
        'BENCH forecast.s.load.origins 10 days',
        'BENCH forecast.s.load.augurs_origins 2 days',
        'BENCH forecast.s.load.profile.mae 20000.0 W',
        'BENCH forecast.s.load.profile.mase 0.700 ratio',
        'BENCH forecast.s.load.profile.coverage_p10_p90 80.0 %',
        'BENCH forecast.s.load.prophet.mae 30000.0 W',
        'BENCH forecast.s.load.profile.mae_augurs_origins 21000.0 W',
      ].join('\n'),
    );
    const lines = t.split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[2]).toBe('| s | load | profile | 10 | 20.0 kW |  | 0.700 |  | 80.0 % |  | 21.0 kW (2 d) |');
    expect(lines[3]).toContain('| prophet | 2 | 30.0 kW');
  });
});
