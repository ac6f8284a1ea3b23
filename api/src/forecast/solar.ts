/**
 * Solar geometry and irradiance models for PV forecasting. Pure, angles in degrees at the API.
 *
 * - `solarPosition`: NOAA solar calculator (Meeus-based, the "NOAA spreadsheet" equations):
 *   zenith and azimuth within ~0.01° for 1900–2100 (refraction ignored: < 0.6° near the horizon).
 * - `clearSkyGhiHaurwitz`: Haurwitz (1945) clear-sky GHI, needs only the zenith.
 * - `erbsDiffuseFraction`: Erbs et al. (1982) diffuse fraction from the clearness index, to split
 *   GHI into direct and diffuse when only GHI is known.
 * - `poaIrradiance`: Hay–Davies transposition (circumsolar + isotropic sky diffuse, ground
 *   reflection) of beam/diffuse onto a tilted plane.
 * - `cellTempC`: NOCT-type cell temperature.
 */

const RAD = Math.PI / 180;
export const SOLAR_CONSTANT_W_PER_M2 = 1361;

export interface SolarPosition {
  /** Angle from the vertical, degrees (> 90 below the horizon). */
  zenithDeg: number;
  /** Degrees clockwise from north (180 = south). */
  azimuthDeg: number;
}

/** Sun position at a UTC instant for a place (latitude °N, longitude °E). */
export function solarPosition(tsMs: number, latitudeDeg: number, longitudeDeg: number): SolarPosition {
  const jd = tsMs / 86_400_000 + 2440587.5;
  const t = (jd - 2451545) / 36525; // Julian century
  const l0 = mod360(280.46646 + t * (36000.76983 + t * 0.0003032)); // geometric mean longitude
  const m = 357.52911 + t * (35999.05029 - 0.0001537 * t); // mean anomaly
  const e = 0.016708634 - t * (0.000042037 + 0.0000001267 * t); // eccentricity
  const c =
    Math.sin(m * RAD) * (1.914602 - t * (0.004817 + 0.000014 * t)) +
    Math.sin(2 * m * RAD) * (0.019993 - 0.000101 * t) +
    Math.sin(3 * m * RAD) * 0.000289;
  const trueLong = l0 + c;
  const omega = 125.04 - 1934.136 * t;
  const appLong = trueLong - 0.00569 - 0.00478 * Math.sin(omega * RAD);
  const meanObliq = 23 + (26 + (21.448 - t * (46.815 + t * (0.00059 - t * 0.001813))) / 60) / 60;
  const obliq = meanObliq + 0.00256 * Math.cos(omega * RAD);
  const decl = Math.asin(Math.sin(obliq * RAD) * Math.sin(appLong * RAD)); // rad
  const y = Math.tan((obliq / 2) * RAD) ** 2;
  const eqTimeMin =
    (4 *
      (y * Math.sin(2 * l0 * RAD) -
        2 * e * Math.sin(m * RAD) +
        4 * e * y * Math.sin(m * RAD) * Math.cos(2 * l0 * RAD) -
        0.5 * y * y * Math.sin(4 * l0 * RAD) -
        1.25 * e * e * Math.sin(2 * m * RAD))) /
    RAD;
  const minutesUtc = (((tsMs % 86_400_000) + 86_400_000) % 86_400_000) / 60_000;
  const trueSolarMin = mod(minutesUtc + eqTimeMin + 4 * longitudeDeg, 1440);
  const hourAngle = trueSolarMin / 4 < 0 ? trueSolarMin / 4 + 180 : trueSolarMin / 4 - 180; // degrees
  const lat = latitudeDeg * RAD;
  const cosZen = Math.sin(lat) * Math.sin(decl) + Math.cos(lat) * Math.cos(decl) * Math.cos(hourAngle * RAD);
  const zen = Math.acos(Math.min(1, Math.max(-1, cosZen)));
  const sinZen = Math.sin(zen);
  let az: number;
  if (sinZen < 1e-9) az = 180;
  else {
    const cosAz = (Math.sin(lat) * Math.cos(zen) - Math.sin(decl)) / (Math.cos(lat) * sinZen);
    const a = Math.acos(Math.min(1, Math.max(-1, cosAz))) / RAD;
    az = hourAngle > 0 ? mod360(a + 180) : mod360(540 - a);
  }
  return { zenithDeg: zen / RAD, azimuthDeg: az };
}

function mod(x: number, m: number): number {
  return ((x % m) + m) % m;
}
function mod360(x: number): number {
  return mod(x, 360);
}

/** Extraterrestrial normal irradiance on the day of `tsMs`, W/m² (Spencer-type ±3.3 %). */
export function extraterrestrialWPerM2(tsMs: number): number {
  const doy = Math.floor((tsMs - Date.UTC(new Date(tsMs).getUTCFullYear(), 0, 1)) / 86_400_000) + 1;
  return SOLAR_CONSTANT_W_PER_M2 * (1 + 0.033 * Math.cos((2 * Math.PI * doy) / 365));
}

/** Haurwitz clear-sky global horizontal irradiance, W/m² (0 with the sun below the horizon). */
export function clearSkyGhiHaurwitz(zenithDeg: number): number {
  const cz = Math.cos(zenithDeg * RAD);
  return cz <= 0.01 ? 0 : 1098 * cz * Math.exp(-0.057 / cz);
}

/** Erbs diffuse fraction DHI/GHI from the clearness index kt = GHI / (E0 · cos z). */
export function erbsDiffuseFraction(kt: number): number {
  if (kt <= 0.22) return 1 - 0.09 * kt;
  if (kt <= 0.8) return 0.9511 - 0.1604 * kt + 4.388 * kt ** 2 - 16.638 * kt ** 3 + 12.336 * kt ** 4;
  return 0.165;
}

export interface PlaneGeometry {
  tiltDeg: number;
  /** Degrees clockwise from north (180 = south). */
  azimuthDeg: number;
  albedo: number;
}

/** Cosine of the angle of incidence of the sun on a plane. */
export function cosIncidence(sun: SolarPosition, plane: Pick<PlaneGeometry, 'tiltDeg' | 'azimuthDeg'>): number {
  const z = sun.zenithDeg * RAD;
  const b = plane.tiltDeg * RAD;
  return Math.cos(z) * Math.cos(b) + Math.sin(z) * Math.sin(b) * Math.cos((sun.azimuthDeg - plane.azimuthDeg) * RAD);
}

/**
 * Plane-of-array irradiance (W/m²) from GHI by Erbs decomposition and Hay–Davies transposition.
 * `e0` is the extraterrestrial normal irradiance (W/m²).
 */
export function poaIrradiance(ghiWPerM2: number, sun: SolarPosition, plane: PlaneGeometry, e0: number): number {
  const cz = Math.cos(sun.zenithDeg * RAD);
  if (ghiWPerM2 <= 0 || cz <= 0.01) return 0;
  const kt = Math.min(1.2, ghiWPerM2 / (e0 * Math.max(cz, 0.065)));
  const dhi = ghiWPerM2 * erbsDiffuseFraction(kt);
  const bh = Math.max(0, ghiWPerM2 - dhi); // beam on the horizontal
  const dni = bh / Math.max(cz, 0.065);
  const ai = Math.min(1, dni / e0); // anisotropy index
  const ci = Math.max(0, cosIncidence(sun, plane));
  const rb = ci / Math.max(cz, 0.065);
  const tilt = plane.tiltDeg * RAD;
  const beam = dni * ci;
  const sky = dhi * (ai * rb + (1 - ai) * ((1 + Math.cos(tilt)) / 2));
  const ground = ghiWPerM2 * plane.albedo * ((1 - Math.cos(tilt)) / 2);
  return Math.max(0, beam + sky + ground);
}

/** Cell temperature, °C: air temperature + POA × (NOCT − 20 °C) / 800 W/m², NOCT 45 °C. */
export function cellTempC(airC: number, poaWPerM2: number): number {
  return airC + (poaWPerM2 * 25) / 800;
}
