/**
 * Test fixtures cut from real data: the demo site's 2023 load and PV (demo/musterwerk-2023.csv)
 * and the real 2023 DE-LU day-ahead prices (demo/prices-de-lu-2023.csv), with DEMO_SITE_ENERGY
 * and the reference tariff. "Forecasts" here are the measured values with a ±10 % band (p10/p90):
 * what a perfect forecaster would have issued at `nowMs`.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseDemoCsv, type DemoYear } from '../demo/replay.js';
import type { QuantileForecast } from '../forecast/model.js';
import { parsePriceCsv } from '../markets/csv.js';
import type { Rate } from '../markets/timeaxis.js';
import { STEP_MS } from '../optimiser/model.js';
import { DEMO_SITE_ENERGY } from '../site-energy/model.js';
import { loadTariff } from '../tariffs/loader.js';
import type { Tariff } from '../tariffs/schema.js';
import type { PlannerInputs } from './planner.js';

const file = (name: string) => fileURLToPath(new URL(`../../../demo/${name}`, import.meta.url));

let cache: { demo: DemoYear; prices: Rate[]; tariff: Tariff } | undefined;
export async function realData(): Promise<{ demo: DemoYear; prices: Rate[]; tariff: Tariff }> {
  cache ??= {
    demo: parseDemoCsv(readFileSync(file('musterwerk-2023.csv'), 'utf8')),
    prices: parsePriceCsv(readFileSync(file('prices-de-lu-2023.csv'), 'utf8')).rates,
    tariff: await loadTariff('musterwerk-2023'),
  };
  return cache;
}

/** Measured W of the demo year from startMs, n steps (NaN outside the year). */
export function measured(demo: DemoYear, which: 'load' | 'pv', startMs: number, n: number): number[] {
  const origin = Date.UTC(demo.year, 0, 1);
  const src = which === 'load' ? demo.loadKw : demo.pvKw;
  return Array.from({ length: n }, (_, t) => {
    const i = Math.round((startMs + t * STEP_MS - origin) / STEP_MS);
    return i >= 0 && i < src.length ? src[i]! * 1000 : NaN;
  });
}

export function bandForecast(target: 'load' | 'pv', model: string, issuedAtMs: number, values: number[]): QuantileForecast {
  const startMs = Math.ceil(issuedAtMs / STEP_MS) * STEP_MS;
  return {
    target,
    model,
    unit: 'W',
    issuedAtMs,
    startMs,
    stepMs: STEP_MS,
    p10: values.map((v) => v * 0.9),
    p50: values,
    p90: values.map((v) => v * 1.1),
  };
}

/**
 * The planner's inputs at nowMs (2023) as the service would read them: forecasts issued at the
 * last full hour for 48 h, day-ahead prices published up to the end of the next local day when
 * nowMs is after 13:00 local (else the end of today), SoC 50 %, peak so far given.
 */
export async function demoInputs(nowMs: number, over: Partial<PlannerInputs> = {}): Promise<PlannerInputs> {
  const { demo, prices, tariff } = await realData();
  const issuedAtMs = Math.floor(nowMs / 3_600_000) * 3_600_000;
  const fcStart = Math.ceil(issuedAtMs / STEP_MS) * STEP_MS;
  // Berlin local day ends: 22:00Z in summer (CEST), 23:00Z in winter; near enough for a fixture
  const offsetH = new Date(nowMs).getUTCMonth() >= 3 && new Date(nowMs).getUTCMonth() <= 9 ? 2 : 1;
  const localMidnightUtc = (dayOffset: number) => {
    const d = new Date(nowMs + offsetH * 3_600_000);
    return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + dayOffset) - offsetH * 3_600_000;
  };
  const localHour = (new Date(nowMs).getUTCHours() + offsetH) % 24;
  const publishedUntil = localMidnightUtc(localHour >= 13 ? 2 : 1);
  return {
    siteId: 'demo',
    nowMs,
    energy: DEMO_SITE_ENERGY,
    tariff,
    load: { forecast: bandForecast('load', 'load.profile', issuedAtMs, measured(demo, 'load', fcStart, 192)) },
    pv: { forecast: bandForecast('pv', 'pv.clearsky-poa', issuedAtMs, measured(demo, 'pv', fcStart, 192)) },
    knownPrices: prices.filter((r) => r.endMs <= publishedUntil && r.startMs >= nowMs - 8 * 86_400_000),
    socPct: { battery: 50 },
    peakSoFarW: 0,
    ...over,
  };
}
