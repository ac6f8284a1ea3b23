// Load models on a real excerpt (VDI 4657 LP_G_MV, measured 15-min shape of a metal-processing
// plant, 2018): sanity of the output and no look-ahead. Targets are measured by the backtest.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_DATA_DIR, LOAD_FILE, parseCsv } from '../tariffs/reference-site.js';
import { localToUtc } from './calendar.js';
import { loadAugurs, mstlLoad, prophetLoad, type AugursModules } from './load.augurs.js';
import { seasonalNaiveLoad, weeklyNaiveAt } from './load.naive.js';
import { profileLoad } from './load.profile.js';
import { ForecastInputError, type Forecaster, type LoadInput, type QuantileForecast } from './model.js';

const rows = parseCsv(readFileSync(join(DEFAULT_DATA_DIR, LOAD_FILE), 'utf8'), 'ts_utc', 'w_per_mwh_a');
// 2,500 MWh/a like the reference site; the first 120 days
const values = rows.slice(0, 120 * 96).map((r) => r.value * 2500);
const history = { startMs: rows[0]!.epochMs, stepMs: 900_000, values };
const calendar = { timeZone: 'Europe/Berlin', state: 'HE' as const };
// issued Tuesday 2018-04-10 12:00 local for Wednesday 00:00–24:00
const issuedAt = new Date(localToUtc('Europe/Berlin', '2018-04-10', 12 * 60));
const horizon = 48 + 96;

function sane(fc: QuantileForecast, n: number): void {
  expect(fc.p50).toHaveLength(n);
  expect(fc.startMs).toBe(issuedAt.getTime());
  for (let i = 0; i < n; i++) {
    expect(Number.isFinite(fc.p50[i]!)).toBe(true);
    expect(fc.p10[i]!).toBeLessThanOrEqual(fc.p50[i]!);
    expect(fc.p50[i]!).toBeLessThanOrEqual(fc.p90[i]!);
  }
}

/**
 * The same forecast with everything at/after issue replaced by nonsense must not change.
 * `relTol` > 0 for Prophet, whose optimiser is not bit-reproducible from call to call (up to ~0.2 %).
 */
function noLookAhead(model: Forecaster<LoadInput>, relTol = 0): void {
  const cut = Math.floor((issuedAt.getTime() - history.startMs) / history.stepMs);
  const poisoned = { ...history, values: values.map((v, i) => (i >= cut ? v * 10 + 1e6 : v)) };
  const a = model.forecast({ history, calendar }, issuedAt, horizon);
  const b = model.forecast({ history: poisoned, calendar }, issuedAt, horizon);
  if (relTol === 0) {
    expect(b.p50).toEqual(a.p50);
    expect(b.p10).toEqual(a.p10);
    expect(b.p90).toEqual(a.p90);
  } else {
    const worst = Math.max(...a.p50.map((v, i) => Math.abs(v - b.p50[i]!) / Math.abs(v)));
    expect(worst).toBeLessThan(relTol);
  }
}

function maeOnTarget(fc: QuantileForecast): number {
  let s = 0;
  for (let i = 48; i < horizon; i++) s += Math.abs(fc.p50[i]! - values[(fc.startMs - history.startMs) / history.stepMs + i]!);
  return s / 96;
}

describe('seasonal naive weekly', () => {
  it('repeats last week and never reads past issue', () => {
    const fc = seasonalNaiveLoad().forecast({ history, calendar }, issuedAt, horizon);
    sane(fc, horizon);
    const i0 = (fc.startMs - history.startMs) / history.stepMs;
    expect(fc.p50[60]).toBe(values[i0 + 60 - 7 * 96]);
    // a target 8 days out takes two weeks back
    expect(weeklyNaiveAt(history, issuedAt.getTime(), issuedAt.getTime() + 8 * 86_400_000)).toBe(values[i0 + 8 * 96 - 14 * 96]);
    noLookAhead(seasonalNaiveLoad());
  });
  it('refuses less than a week of history', () => {
    expect(() =>
      seasonalNaiveLoad().forecast(
        { history: { ...history, values: values.slice(0, 500) }, calendar },
        new Date(history.startMs + 5 * 86_400_000),
        96,
      ),
    ).toThrow(ForecastInputError);
  });
});

describe('load.profile', () => {
  it('gives ordered quantiles in the range of the data and beats a flat mean on a working day', () => {
    const fc = profileLoad().forecast({ history, calendar }, issuedAt, horizon);
    sane(fc, horizon);
    const max = Math.max(...values);
    expect(Math.max(...fc.p90)).toBeLessThan(1.5 * max);
    expect(Math.min(...fc.p10)).toBeGreaterThanOrEqual(0);
    const mean = values.slice(0, 60 * 96).reduce((a, b) => a + b, 0) / (60 * 96);
    const flat = { ...fc, p50: fc.p50.map(() => mean) };
    expect(maeOnTarget(fc)).toBeLessThan(maeOnTarget(flat));
  });
  it('uses only the past', () => noLookAhead(profileLoad()));
  it('forecasts a public holiday (Easter Monday 2018-04-02, HE) like a Sunday, not like a Monday', () => {
    const at = new Date(localToUtc('Europe/Berlin', '2018-04-01', 12 * 60));
    const fc = profileLoad().forecast({ history, calendar }, at, 48 + 96);
    const withoutHolidays = profileLoad().forecast({ history, calendar: { timeZone: 'Europe/Berlin' } }, at, 48 + 96);
    const daySum = (f: QuantileForecast) => f.p50.slice(48).reduce((a, b) => a + b, 0);
    expect(daySum(fc)).toBeLessThan(0.8 * daySum(withoutHolidays));
  });
  it('accepts a temperature series (observed + forecast) and stays sane', () => {
    const temp = {
      startMs: history.startMs,
      stepMs: 3_600_000,
      values: Array.from({ length: 120 * 24 }, (_, h) => 5 + 5 * Math.sin(h / 50)),
    };
    const fc = profileLoad().forecast({ history, calendar, temperatureC: temp }, issuedAt, horizon);
    sane(fc, horizon);
  });
});

describe('augurs comparison models', () => {
  let mods: AugursModules;
  beforeAll(async () => {
    mods = await loadAugurs();
  });
  it('MSTL: sane and no look-ahead', () => {
    sane(mstlLoad(mods).forecast({ history, calendar }, issuedAt, horizon), horizon);
    noLookAhead(mstlLoad(mods));
  });
  it('Prophet: sane and no look-ahead', () => {
    sane(prophetLoad(mods).forecast({ history, calendar }, issuedAt, horizon), horizon);
    noLookAhead(prophetLoad(mods, { trainDays: 28 }), 1e-2); // a leak of the poisoned future would move it by > 100 %
  });
});
