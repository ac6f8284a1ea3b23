import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_DATA_DIR, START_2023 } from '../tariffs/reference-site.js';
import { parseDwdTry } from '../weather/dwd-try.js';
import { erbsDiffuseFraction, pvPowerW, sunPosition } from './pv-model.js';
import { REFERENCE_PV } from './reference.js';

const WEATHER = join(DEFAULT_DATA_DIR, 'weather/dwd_try2010_15regions_hourly.csv');

describe('sun position (NOAA approximation)', () => {
  it('Kassel at solar noon on the June solstice: elevation 90° − 51.3° + 23.44°, due south', () => {
    // solar noon at 9.45° E ≈ 12:00 − 37.8 min − equation of time (≈ −1.7 min) UTC
    const noon = Date.parse('2023-06-21T11:24:00Z');
    const s = sunPosition(noon, 51.3, 9.45);
    expect(Math.acos(s.cosZenith) * (180 / Math.PI)).toBeCloseTo(51.3 - 23.44, 0);
    expect(Math.abs(s.azimuthDeg - 180)).toBeLessThan(3);
    expect(sunPosition(Date.parse('2023-06-21T05:00:00Z'), 51.3, 9.45).azimuthDeg).toBeLessThan(100); // morning: east
    expect(sunPosition(Date.parse('2023-12-21T23:00:00Z'), 51.3, 9.45).cosZenith).toBeLessThan(0); // night
  });

  it('Erbs: overcast is all diffuse, clear sky mostly beam', () => {
    expect(erbsDiffuseFraction(0.1)).toBeGreaterThan(0.95);
    expect(erbsDiffuseFraction(0.85)).toBe(0.165);
  });
});

describe('PV model', () => {
  it('gives no power at night and clips at the inverter rating', () => {
    const start = Date.parse('2023-06-20T22:00:00Z');
    const weather = Array.from({ length: 24 }, (_, h) => ({ startMs: start + h * 3_600_000, ghiWPerM2: 1100, dhiWPerM2: 80, tempC: 0 }));
    const p = pvPowerW(REFERENCE_PV, weather, start, 96);
    expect(p[0]).toBe(0); // 00:00 local
    expect(Math.max(...p)).toBeCloseTo(750_000 / 1.1, 0);
  });

  it.skipIf(!existsSync(WEATHER))('yields 850–1,150 kWh/kWp a year from DWD TRY region 7 (Kassel), 30° south', () => {
    const records = parseDwdTry(readFileSync(WEATHER, 'utf8'), { year: 2023, regions: [7] }).regions.get(7)!.records;
    const weather = records.map((r) => ({ startMs: r.startMs, ghiWPerM2: r.ghiWPerM2!, dhiWPerM2: r.dhiWPerM2!, tempC: r.tempC! }));
    const p = pvPowerW(REFERENCE_PV, weather, START_2023.getTime(), 35040);
    const kWhPerKWp = p.reduce((a, w) => a + w * 0.25, 0) / 1000 / 750;
    expect(kWhPerKWp).toBeGreaterThan(850);
    expect(kWhPerKWp).toBeLessThan(1150);
  });
});
