/** The demo data generator: the PV model, and that the committed demo file is what the generator makes from the shared data. */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { demoCsv, loadKw2023, pvKw2023, pvPowerKw } from './demo-data.js';

const DATA = fileURLToPath(new URL('../../../shared/data/', import.meta.url));
const LOAD = `${DATA}load-measured/de_vdi4657_LP_G_MV_metal_processing_2018_15min_norm1MWh.csv`;
const WEATHER = `${DATA}weather/dwd_try2010_15regions_hourly.csv`;
const DEMO = fileURLToPath(new URL('../../demo/musterwerk-2023.csv', import.meta.url));

describe('pvPowerKw (750 kWp, PR 0.85, −0.4 %/K above 25 °C cell, T_cell = T_air + 0.03·G)', () => {
  it.each([
    ['night', 0, 10, 0],
    ['cool low sun: no derating', 200, 0, 127.5],
    ['cell exactly 25 °C', 500, 10, 318.75],
    ['STC irradiance at 25 °C air: cell 55 °C, −12 %', 1000, 25, 561],
  ])('%s', (_name, ghi, temp, kw) => {
    expect(pvPowerKw(ghi, temp)).toBeCloseTo(kw, 9);
  });
});

describe.skipIf(!existsSync(LOAD) || !existsSync(WEATHER))('the committed demo file', () => {
  it('is what npm run demo:data makes from ../shared/data', () => {
    const load = loadKw2023(readFileSync(LOAD, 'utf8'));
    const pv = pvKw2023(readFileSync(WEATHER, 'utf8'));
    expect(demoCsv(load, pv) === readFileSync(DEMO, 'utf8')).toBe(true);
    // 2,500 MWh/a within the rounding of the moved year
    expect(load.reduce((s, v) => s + v, 0) / 4 / 1000).toBeCloseTo(2500, -1);
  });
});
