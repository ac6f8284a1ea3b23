import { describe, expect, it } from 'vitest';
import { clearSkyGhiHaurwitz, cosIncidence, erbsDiffuseFraction, extraterrestrialWPerM2, poaIrradiance, solarPosition } from './solar.js';

describe('solarPosition (NOAA) against published reference values', () => {
  it('NREL SPA test point: Golden CO, 2003-10-17 12:30:30 MST → zenith 50.11°, azimuth 194.34°', () => {
    const p = solarPosition(Date.parse('2003-10-17T19:30:30Z'), 39.742476, -105.1786);
    expect(p.zenithDeg).toBeCloseTo(50.11, 1);
    expect(p.azimuthDeg).toBeCloseTo(194.34, 1);
  });
  it('Kassel at the June solstice: noon elevation ≈ 90 − 51.3 + 23.44 = 62.1°, sun due south', () => {
    // solar noon at 9.45°E ≈ 12:00 − 37.8 min + 1.7 min (equation of time) UTC
    const p = solarPosition(Date.parse('2023-06-21T11:24:00Z'), 51.3, 9.45);
    expect(90 - p.zenithDeg).toBeCloseTo(62.1, 0);
    expect(Math.abs(p.azimuthDeg - 180)).toBeLessThan(1.5);
  });
  it('below the horizon at midnight, morning sun in the east', () => {
    expect(solarPosition(Date.parse('2023-06-21T23:00:00Z'), 51.3, 9.45).zenithDeg).toBeGreaterThan(90);
    const morning = solarPosition(Date.parse('2023-03-20T06:30:00Z'), 51.3, 9.45);
    expect(morning.azimuthDeg).toBeGreaterThan(80);
    expect(morning.azimuthDeg).toBeLessThan(110);
  });
});

describe('irradiance models', () => {
  it('Haurwitz: 1098·e^−0.057 at the zenith, 0 below the horizon', () => {
    expect(clearSkyGhiHaurwitz(0)).toBeCloseTo(1037.2, 0);
    expect(clearSkyGhiHaurwitz(60)).toBeCloseTo(1098 * 0.5 * Math.exp(-0.114), 0);
    expect(clearSkyGhiHaurwitz(95)).toBe(0);
  });
  it('Erbs diffuse fraction: ~1 when overcast, 0.165 when very clear, continuous at the breaks', () => {
    expect(erbsDiffuseFraction(0.1)).toBeCloseTo(0.991, 3);
    expect(erbsDiffuseFraction(0.9)).toBe(0.165);
    expect(erbsDiffuseFraction(0.22)).toBeCloseTo(erbsDiffuseFraction(0.2201), 2);
    expect(erbsDiffuseFraction(0.8)).toBeCloseTo(0.165, 1);
  });
  it('extraterrestrial irradiance peaks in early January', () => {
    expect(extraterrestrialWPerM2(Date.parse('2023-01-03T12:00:00Z'))).toBeGreaterThan(1400);
    expect(extraterrestrialWPerM2(Date.parse('2023-07-04T12:00:00Z'))).toBeLessThan(1320);
  });
  it('a horizontal plane receives exactly the GHI', () => {
    const sun = { zenithDeg: 40, azimuthDeg: 170 };
    expect(poaIrradiance(600, sun, { tiltDeg: 0, azimuthDeg: 180, albedo: 0.2 }, 1361)).toBeCloseTo(600, 6);
  });
  it('a south plane tilted by the zenith angle faces a southern sun head-on and gains in winter', () => {
    const sun = { zenithDeg: 75, azimuthDeg: 180 };
    expect(cosIncidence(sun, { tiltDeg: 75, azimuthDeg: 180 })).toBeCloseTo(1, 6);
    const ghi = clearSkyGhiHaurwitz(75);
    expect(poaIrradiance(ghi, sun, { tiltDeg: 30, azimuthDeg: 180, albedo: 0.2 }, 1400)).toBeGreaterThan(1.5 * ghi);
    // a north-facing steep plane gets only diffuse and ground light
    expect(poaIrradiance(ghi, sun, { tiltDeg: 60, azimuthDeg: 0, albedo: 0.2 }, 1400)).toBeLessThan(ghi);
  });
});
