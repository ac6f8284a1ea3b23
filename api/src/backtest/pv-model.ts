/**
 * A plain PV model for the backtest's "true" PV: hourly global and diffuse horizontal irradiance
 * and air temperature → AC power per 15-minute step. Pure.
 *
 * 1. Sun position (NOAA approximation: declination, equation of time) at each quarter's midpoint.
 *    (diffuse from the data, or estimated with the Erbs correlation when a source has only GHI).
 * 2. The hour's mean GHI/DHI are spread over its four quarters in proportion to the cosine of
 *    the zenith angle (so the hourly mean is kept and the quarters follow the sun).
 * 3. Plane of array (isotropic sky): beam × cos(incidence)/cos(zenith) (zenith capped at 85°) +
 *    diffuse × (1 + cos β)/2 + ground reflection GHI × albedo 0.2 × (1 − cos β)/2.
 * 4. Cell temperature T_air + POA × 25 K / 800 W/m² (NOCT 45 °C); power −0.4 %/K above 25 °C.
 * 5. Losses: soiling 2 %, wiring and mismatch 3 %, inverter 96 % efficient; the inverter's AC
 *    rating is kWp / 1.1 (DC/AC ratio 1.1), above which the output is clipped.
 */
import { STEP_MS } from '../optimiser/model.js';

export interface PvSystem {
  peakPowerW: number;
  latitudeDeg: number;
  longitudeDeg: number;
  /** tilt from horizontal, degrees */
  tiltDeg: number;
  /** azimuth of the panel normal, degrees from north (180 = south) */
  azimuthDeg: number;
  albedo?: number;
  soilingLoss?: number;
  wiringMismatchLoss?: number;
  inverterEfficiency?: number;
  dcAcRatio?: number;
  tempCoeffPerK?: number;
}

export interface HourlyWeather {
  /** start of the hour (UTC ms); the values are means over [startMs, startMs + 1 h) */
  startMs: number;
  ghiWPerM2: number;
  /** diffuse horizontal; absent → estimated from GHI with the Erbs correlation */
  dhiWPerM2?: number;
  tempC: number;
}

/** Erbs et al. (1982): diffuse fraction of GHI from the clearness index kt. */
export function erbsDiffuseFraction(kt: number): number {
  if (kt <= 0.22) return 1 - 0.09 * kt;
  if (kt <= 0.8) return 0.9511 - 0.1604 * kt + 4.388 * kt ** 2 - 16.638 * kt ** 3 + 12.336 * kt ** 4;
  return 0.165;
}

const RAD = Math.PI / 180;
const HOUR_MS = 3_600_000;

/** cos(zenith) and the sun's azimuth (degrees from north) at a UTC instant. */
export function sunPosition(epochMs: number, latDeg: number, lonDeg: number): { cosZenith: number; azimuthDeg: number } {
  const d = new Date(epochMs);
  const startOfYear = Date.UTC(d.getUTCFullYear(), 0, 1);
  const dayOfYear = Math.floor((epochMs - startOfYear) / 86_400_000);
  const hourUtc = (epochMs - Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate())) / HOUR_MS;
  const g = ((2 * Math.PI) / 365) * (dayOfYear + (hourUtc - 12) / 24);
  const eqTimeMin =
    229.18 * (0.000075 + 0.001868 * Math.cos(g) - 0.032077 * Math.sin(g) - 0.014615 * Math.cos(2 * g) - 0.040849 * Math.sin(2 * g));
  const decl =
    0.006918 -
    0.399912 * Math.cos(g) +
    0.070257 * Math.sin(g) -
    0.006758 * Math.cos(2 * g) +
    0.000907 * Math.sin(2 * g) -
    0.002697 * Math.cos(3 * g) +
    0.00148 * Math.sin(3 * g);
  const solarTimeMin = hourUtc * 60 + eqTimeMin + 4 * lonDeg;
  const hourAngle = (solarTimeMin / 4 - 180) * RAD;
  const lat = latDeg * RAD;
  const cosZenith = Math.sin(lat) * Math.sin(decl) + Math.cos(lat) * Math.cos(decl) * Math.cos(hourAngle);
  const zen = Math.acos(Math.max(-1, Math.min(1, cosZenith)));
  const sinZen = Math.sin(zen);
  let az = 0;
  if (sinZen > 1e-9) {
    const cosAz = (Math.sin(lat) * Math.cos(zen) - Math.sin(decl)) / (Math.cos(lat) * sinZen);
    // NOAA: the angle a from this cosine gives the azimuth from north as (a + 180) in the afternoon, (540 − a) mod 360 in the morning
    const a = Math.acos(Math.max(-1, Math.min(1, cosAz))) / RAD;
    az = hourAngle > 0 ? (a + 180) % 360 : (540 - a) % 360;
  }
  return { cosZenith, azimuthDeg: az };
}

/** AC power per 15-minute step [startMs + i·15 min), W, for `steps` steps. */
export function pvPowerW(system: PvSystem, weather: readonly HourlyWeather[], startMs: number, steps: number): number[] {
  const albedo = system.albedo ?? 0.2;
  const lossFactor = (1 - (system.soilingLoss ?? 0.02)) * (1 - (system.wiringMismatchLoss ?? 0.03)) * (system.inverterEfficiency ?? 0.96);
  const acMaxW = system.peakPowerW / (system.dcAcRatio ?? 1.1);
  const gamma = system.tempCoeffPerK ?? -0.004;
  const beta = system.tiltDeg * RAD;
  const byHour = new Map<number, HourlyWeather>();
  for (const w of weather) byHour.set(w.startMs, w);
  const out = new Array<number>(steps).fill(0);
  for (let i = 0; i < steps; i++) {
    const s = startMs + i * STEP_MS;
    const hourStart = Math.floor(s / HOUR_MS) * HOUR_MS;
    const w = byHour.get(hourStart);
    if (!w || w.ghiWPerM2 <= 0) continue;
    // weights of the hour's four quarters
    let sumCos = 0;
    for (let q = 0; q < 4; q++)
      sumCos += Math.max(0, sunPosition(hourStart + q * STEP_MS + STEP_MS / 2, system.latitudeDeg, system.longitudeDeg).cosZenith);
    const sun = sunPosition(s + STEP_MS / 2, system.latitudeDeg, system.longitudeDeg);
    if (sun.cosZenith <= 0 || sumCos <= 0) continue;
    const share = (4 * sun.cosZenith) / sumCos;
    const ghi = w.ghiWPerM2 * share;
    let dhiHour = w.dhiWPerM2;
    if (dhiHour === undefined) {
      const kt = Math.min(1, w.ghiWPerM2 / (1361 * Math.max(0.05, sumCos / 4)));
      dhiHour = w.ghiWPerM2 * erbsDiffuseFraction(kt);
    }
    const dhi = Math.min(dhiHour, w.ghiWPerM2) * share;
    const beamH = Math.max(0, ghi - dhi);
    const cosZ = Math.max(sun.cosZenith, Math.cos(85 * RAD));
    const zen = Math.acos(sun.cosZenith);
    const cosInc = Math.cos(zen) * Math.cos(beta) + Math.sin(zen) * Math.sin(beta) * Math.cos((sun.azimuthDeg - system.azimuthDeg) * RAD);
    const poa = (beamH * Math.max(0, cosInc)) / cosZ + (dhi * (1 + Math.cos(beta))) / 2 + (ghi * albedo * (1 - Math.cos(beta))) / 2;
    const cellC = w.tempC + (poa * 25) / 800;
    const dcW = ((system.peakPowerW * poa) / 1000) * (1 + gamma * (cellC - 25));
    out[i] = Math.min(acMaxW, Math.max(0, dcW * lossFactor));
  }
  return out;
}
