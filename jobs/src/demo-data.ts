/**
 * Builds the demo site's data file `demo/musterwerk-2023.csv` from the shared real data
 * (../shared/data), as described in docs of the reference site "Musterwerk":
 *
 * - load: VDI 4657-3 profile LP_G_MV (metal processing, measured 2018, 15 min, normalised to
 *   1 MWh/a) × 2,500 MWh/a, moved by 1,827 whole days (2018-01-01 Monday → 2023-01-02 Monday);
 *   the first 23 h of 2023 (UTC), which the moved year does not reach, come from 52 weeks later
 *   (same weekday);
 * - PV: 750 kWp from DWD TRY2010 region 7 (Kassel) hourly global horizontal irradiance and air
 *   temperature with the simple model in `pvPowerKw`, interpolated linearly to 15 minutes.
 *
 * Run: `npm run demo:data` (options: --data <dir of shared data>, --out <file>). See demo/README.md.
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const DAY_MS = 86_400_000;
const SLOT_MS = 15 * 60_000;
const YEAR_START_MS = Date.UTC(2023, 0, 1);
const SLOTS = 365 * 96;

export const LOAD_MWH_PER_YEAR = 2_500;
export const PV_KWP = 750;
export const PERFORMANCE_RATIO = 0.85;
export const TEMP_COEFF_PER_K = -0.004;
/** cell temperature rise per W/m² of irradiance (≈ NOCT-type rule of thumb) */
export const CELL_RISE_K_PER_WM2 = 0.03;
const LOAD_SHIFT_DAYS = 1_827; // 2018-01-01 (Mon) → 2023-01-02 (Mon)
const TRY_REGION = 7; // Kassel

/**
 * PV AC power in kW from global horizontal irradiance (W/m²) and air temperature (°C):
 * G × kWp/1000 × PR × (1 − 0.4 %/K × max(0, T_cell − 25 °C)), T_cell = T_air + 0.03 K·m²/W × G.
 * PR 0.85 lumps inverter, wiring, soiling, mismatch and low-light losses; the horizontal plane
 * (no transposition to the 30° south array) under-states the yield by roughly 10–15 %.
 */
export function pvPowerKw(ghiWm2: number, tempAirC: number, kWp = PV_KWP): number {
  if (ghiWm2 <= 0) return 0;
  const cellC = tempAirC + CELL_RISE_K_PER_WM2 * ghiWm2;
  const derate = 1 + TEMP_COEFF_PER_K * Math.max(0, cellC - 25);
  return Math.max(0, ((ghiWm2 * kWp) / 1000) * PERFORMANCE_RATIO * derate);
}

/** Load in kW per 15-min slot of 2023 (UTC), from the normalised 2018 profile. */
export function loadKw2023(csv: string): Float64Array {
  const byTs = new Map<number, number>();
  for (const line of csv.trim().split('\n').slice(1)) {
    const [ts, w] = line.split(',');
    if (ts && w) byTs.set(Date.parse(ts), Number(w));
  }
  const out = new Float64Array(SLOTS);
  for (let i = 0; i < SLOTS; i++) {
    const t = YEAR_START_MS + i * SLOT_MS;
    let src = t - LOAD_SHIFT_DAYS * DAY_MS;
    if (!byTs.has(src)) src += 364 * DAY_MS;
    const w = byTs.get(src);
    if (w === undefined) throw new Error(`load: no value for ${new Date(src).toISOString()}`);
    out[i] = (w * LOAD_MWH_PER_YEAR) / 1000;
  }
  return out;
}

/**
 * PV in kW per 15-min slot of 2023 (UTC). TRY hours end at `hour_mez_1_24` in MEZ (UTC+1); the
 * hourly mean is placed at the middle of its hour, and each 15-min slot takes the value at its own
 * middle, interpolated linearly (held flat before the first and after the last hour).
 */
export function pvKw2023(csv: string, region = TRY_REGION): Float64Array {
  const hourly: number[] = [];
  const lines = csv.trim().split('\n');
  const head = lines[0]!.split(',');
  const col = (name: string) => head.indexOf(name);
  const [cRegion, cTemp, cGhi] = [col('try_region'), col('temp_air_c'), col('ghi_wm2')];
  for (const line of lines.slice(1)) {
    const f = line.split(',');
    if (Number(f[cRegion]) !== region) continue;
    hourly.push(pvPowerKw(Number(f[cGhi]), Number(f[cTemp])));
  }
  if (hourly.length !== 8760) throw new Error(`weather: expected 8760 hours for region ${region}, got ${hourly.length}`);
  // hour k (0-based) covers k-1 … k h UTC after 2023-01-01T00:00Z; its middle is at k − 0.5 h
  const out = new Float64Array(SLOTS);
  for (let i = 0; i < SLOTS; i++) {
    const midH = (i * 15 + 7.5) / 60;
    const x = midH + 0.5; // position on the hourly index
    const k = Math.floor(x);
    const a = hourly[Math.min(Math.max(k, 0), 8759)]!;
    const b = hourly[Math.min(Math.max(k + 1, 0), 8759)]!;
    out[i] = a + (b - a) * (x - k);
  }
  return out;
}

export function demoCsv(load: Float64Array, pv: Float64Array): string {
  const lines = ['ts_utc,load_kw,pv_kw'];
  for (let i = 0; i < SLOTS; i++) {
    const ts = new Date(YEAR_START_MS + i * SLOT_MS).toISOString().replace('.000Z', 'Z');
    lines.push(`${ts},${load[i]!.toFixed(1)},${pv[i]!.toFixed(1)}`);
  }
  return `${lines.join('\n')}\n`;
}

function main(): void {
  const { values } = parseArgs({
    options: {
      data: { type: 'string', default: fileURLToPath(new URL('../../../shared/data/', import.meta.url)) },
      out: { type: 'string', default: fileURLToPath(new URL('../../demo/musterwerk-2023.csv', import.meta.url)) },
    },
  });
  const dir = values.data.replace(/\/?$/, '/');
  const load = loadKw2023(readFileSync(`${dir}load-measured/de_vdi4657_LP_G_MV_metal_processing_2018_15min_norm1MWh.csv`, 'utf8'));
  const pv = pvKw2023(readFileSync(`${dir}weather/dwd_try2010_15regions_hourly.csv`, 'utf8'));
  writeFileSync(values.out, demoCsv(load, pv));
  const sum = (a: Float64Array) => a.reduce((s, v) => s + v, 0) / 4 / 1000;
  const max = (a: Float64Array) => a.reduce((m, v) => Math.max(m, v), 0);
  console.log(
    `wrote ${values.out} (${(statSync(values.out).size / 1e6).toFixed(2)} MB): load ${sum(load).toFixed(1)} MWh, peak ${max(load).toFixed(1)} kW; ` +
      `PV ${sum(pv).toFixed(1)} MWh (${((sum(pv) * 1000) / PV_KWP).toFixed(0)} kWh/kWp), peak ${max(pv).toFixed(1)} kW`,
  );
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
