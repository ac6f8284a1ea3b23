// PV forecasters on the reference site's PV year (the demo's series from DWD TRY 2010 Kassel) and
// its TRY weather: sanity, calibration, no look-ahead.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_DATA_DIR } from '../tariffs/reference-site.js';
import { parseDwdTry } from '../weather/dwd-try.js';
import type { WeatherRecord } from '../weather/model.js';
import { ForecastInputError, type PvInput } from './model.js';
import { clearSkyPv, kcBlendPv, smartPersistencePv, stepPower } from './pv.js';

const text = readFileSync(join(DEFAULT_DATA_DIR, 'weather', 'dwd_try2010_15regions_hourly.csv'), 'utf8');
const weather = parseDwdTry(text, { year: 2023, regions: [7] }).regions.get(7)!.records;
const system = { latitudeDeg: 51.3, longitudeDeg: 9.45, tiltDeg: 30, azimuthDeg: 180, peakPowerW: 750_000 };
// "measured" history: the physical model itself on horizontal GHI with a site factor 0.83 (hourly steps)
const start = Date.UTC(2023, 4, 1);
const values = Array.from({ length: 40 * 24 }, (_, h) => {
  const t = start + h * 3_600_000;
  const w = weather.find((r) => r.startMs === t);
  return 0.83 * stepPower({ ...system, tiltDeg: 0 }, t, 3_600_000, w?.ghiWPerM2 ?? 0, w?.tempC ?? 15).powerW;
});
const history = { startMs: start, stepMs: 3_600_000, values };
const issuedAt = new Date(Date.UTC(2023, 4, 31, 10));
// the metadata claims the 30° array while the history was made on a flat plane: the orientation fit must find out
const input: PvInput = { history, weather, system };

describe('stepPower', () => {
  it('is zero at night, near nameplate × POA/1000 at a clear noon, and clear sky bounds cloudy', () => {
    expect(stepPower(system, Date.UTC(2023, 5, 21, 0), 3_600_000, 0, 15).clearSkyW).toBe(0);
    const noon = stepPower(system, Date.UTC(2023, 5, 21, 11), 3_600_000, undefined, 20);
    expect(noon.clearSkyW).toBeGreaterThan(0.8 * system.peakPowerW);
    expect(noon.clearSkyW).toBeLessThan(1.1 * system.peakPowerW);
    const cloudy = stepPower(system, Date.UTC(2023, 5, 21, 11), 3_600_000, 200, 20);
    expect(cloudy.powerW).toBeLessThan(0.35 * noon.clearSkyW);
  });
});

describe('clearSkyPv', () => {
  it('with perfect weather it reproduces a history made by the same chain on another plane (fits the plane and α ≈ 0.83)', () => {
    const fc = clearSkyPv().forecast(input, issuedAt, 38);
    expect(fc.p50).toHaveLength(38);
    let err = 0;
    let sum = 0;
    for (let i = 14; i < 38; i++) {
      const t = fc.startMs + i * 3_600_000;
      const w = weather.find((r) => r.startMs === t)!;
      const truth = 0.83 * stepPower({ ...system, tiltDeg: 0 }, t, 3_600_000, w.ghiWPerM2 ?? 0, w.tempC ?? 15).powerW;
      err += Math.abs(fc.p50[i]! - truth);
      sum += truth;
      expect(fc.p10[i]!).toBeLessThanOrEqual(fc.p50[i]!);
      expect(fc.p50[i]!).toBeLessThanOrEqual(fc.p90[i]!);
    }
    expect(err / sum).toBeLessThan(0.02);
  });
  it('uses no measured power or observed weather after issue; only weather FORECAST records (start ≥ issue) count', () => {
    const cut = (issuedAt.getTime() - start) / 3_600_000;
    const poisonedHistory = { ...history, values: values.map((v, i) => (i >= cut ? 9e9 : v)) };
    const a = clearSkyPv().forecast(input, issuedAt, 38);
    const b = clearSkyPv().forecast({ ...input, history: poisonedHistory }, issuedAt, 38);
    expect(b.p50).toEqual(a.p50);
    // a different weather forecast changes the forecast
    const gloomy: WeatherRecord[] = weather.map((r) =>
      r.startMs >= issuedAt.getTime() && r.ghiWPerM2 !== undefined ? { ...r, ghiWPerM2: r.ghiWPerM2 * 0.3 } : r,
    );
    const c = clearSkyPv().forecast({ ...input, weather: gloomy }, issuedAt, 38);
    expect(c.p50.reduce((x, y) => x + y, 0)).toBeLessThan(0.5 * a.p50.reduce((x, y) => x + y, 0));
  });
});

describe('smart persistence and kc blend', () => {
  it('persistence scales clear-sky power by yesterday’s clear-sky index; no look-ahead', () => {
    const sp = smartPersistencePv().forecast(input, issuedAt, 38);
    const kb = kcBlendPv().forecast(input, issuedAt, 38);
    for (const fc of [sp, kb]) {
      expect(Math.max(...fc.p50)).toBeGreaterThan(0);
      expect(Math.max(...fc.p90)).toBeLessThan(1.2 * system.peakPowerW);
      expect(fc.p50[0 + 14 - 14]).toBeGreaterThanOrEqual(0);
    }
    const cut = (issuedAt.getTime() - start) / 3_600_000;
    const poisoned = { ...input, history: { ...history, values: values.map((v, i) => (i >= cut ? 0 : v)) } };
    expect(smartPersistencePv().forecast(poisoned, issuedAt, 38).p50).toEqual(sp.p50);
  });
  it('needs a day of history', () => {
    expect(() => smartPersistencePv().forecast({ system }, issuedAt, 24)).toThrow(ForecastInputError);
  });
});
