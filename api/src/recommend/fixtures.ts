/**
 * Test fixtures (used by tests only): a synthetic two-week site history with a known structure —
 * a weekday late-morning peak of 1 MW over a 400 kW base (and one higher outlier; weekends 100 kW), PV at midday, night-time grid charging, an
 * EV charged in the expensive evening, negative prices on weekend middays — and a writer that
 * stores it as readings, rollups and prices of a site.
 */
import { SYSTEM } from '../audit/index.js';
import { upsertPrices, siteScope } from '../markets/store.js';
import { ensureSiteEnergy } from '../site-energy/store.js';
import { call, startTestAppOn, type TestApp } from '../test/app.js';
import { DEMO_SITE_ENERGY, siteEnergySchema, type SiteEnergy } from '../site-energy/model.js';
import type { Database } from '../store/index.js';
import { refreshRollups, writeReadings } from '../timeseries/store.js';
import type { HistoryInput } from './analysis.js';

/** Monday 2 June 2025, 00:00 Europe/Berlin (UTC+2) */
export const SYNTH_START_MS = Date.parse('2025-06-01T22:00:00Z');
const STEP_MS = 900_000;

/** The demo site's energy configuration plus an EV charger measured at `ev/power`. */
export const SYNTH_ENERGY: SiteEnergy = siteEnergySchema.parse({
  ...DEMO_SITE_ENERGY,
  flexibleLoads: [{ id: 'ev', kind: 'ev-charger', deviceId: 'ev', powerSeries: 'ev/power', maxPowerW: 100_000 }],
});

export function syntheticHistory(days = 14, startMs = SYNTH_START_MS): HistoryInput {
  const steps = days * 96;
  const h: HistoryInput = {
    startMs,
    steps,
    loadW: [],
    pvW: [],
    gridW: [],
    batteryW: [],
    socPct: [],
    spotPriceEurPerMWh: [],
    flexibleLoads: [{ id: 'ev', powerW: [] }],
  };
  for (let t = 0; t < steps; t++) {
    const day = Math.floor(t / 96);
    const m = (t % 96) * 15;
    const hour = Math.floor(m / 60);
    const weekend = day % 7 >= 5;
    const ev = m >= 18 * 60 && m < 20 * 60 ? 50_000 : 0;
    let load = (weekend ? 100_000 : 400_000) + ev;
    if (!weekend && m >= 10 * 60 && m < 12 * 60) load = 1_000_000;
    if (day === 3 && m >= 11 * 60 && m < 11 * 60 + 30) load = 1_200_000;
    const pv = m >= 6 * 60 && m < 20 * 60 ? 300_000 * Math.sin((Math.PI * (m / 60 - 6)) / 14) : 0;
    const battery = m >= 2 * 60 && m < 4 * 60 ? -100_000 : 0;
    let price = 80;
    if (hour >= 17 && hour < 20) price += 120;
    if (hour >= 12 && hour < 15) price = weekend ? -200 : 20;
    h.loadW.push(load);
    h.pvW.push(pv);
    h.batteryW.push(battery);
    h.gridW.push(load - pv - battery);
    h.socPct.push(20);
    h.spotPriceEurPerMWh.push(price);
    h.flexibleLoads[0]!.powerW.push(ev);
  }
  return h;
}

/** Stores the history as readings of the site's series (created here) and as the site's own prices. */
export async function storeHistory(db: Database, siteId: string, energy: SiteEnergy, h: HistoryInput): Promise<void> {
  const bySeries: [string, number[]][] = [
    [energy.loadSeries, h.loadW],
    [energy.grid.powerSeries, h.gridW],
    [energy.pv[0]!.powerSeries, h.pvW],
    [energy.batteries[0]!.powerSeries, h.batteryW],
    [energy.batteries[0]!.socSeries, h.socPct],
    ...h.flexibleLoads.map((f): [string, number[]] => [energy.flexibleLoads.find((x) => x.id === f.id)!.powerSeries!, f.powerW]),
  ];
  for (const [key, values] of bySeries) {
    const quantity = key.endsWith('soc') ? 'state_of_charge' : 'active_power';
    const { rows } = await db.query<{ id: number }>(
      `insert into series (site_id, key, name, quantity, unit, semantics) values ($1, $2, $2, $3, $4, 'instantaneous')
       on conflict do nothing returning id`,
      [siteId, key, quantity, quantity === 'active_power' ? 'W' : '%'],
    );
    const id =
      rows[0]?.id ?? (await db.query<{ id: number }>('select id from series where site_id = $1 and key = $2', [siteId, key])).rows[0]!.id;
    const readings = values.map((value, i) => ({ seriesId: id, tsMs: h.startMs + i * STEP_MS, value, quality: 'measured' as const }));
    for (let i = 0; i < readings.length; i += 1000) await writeReadings(db, readings.slice(i, i + 1000));
    await refreshRollups(db, new Map([[id, { fromMs: h.startMs, toMs: h.startMs + h.steps * STEP_MS }]]));
  }
  const rates = h.spotPriceEurPerMWh.flatMap((value, i) =>
    i % 4 === 0 ? [{ startMs: h.startMs + i * STEP_MS, endMs: h.startMs + (i + 4) * STEP_MS, value }] : [],
  );
  await upsertPrices(db, siteScope(siteId), 'upload', rates);
}

/**
 * A running app (planning, forecasts and anomaly scans off) with the sites `werk` (SYNTH_ENERGY and
 * `days` of the synthetic history stored) and `leer` (empty), and an admin token.
 */
export async function startAppWithHistory(
  store: Parameters<typeof startTestAppOn>[0],
  password: string,
  history: HistoryInput,
): Promise<{ t: TestApp; token: string }> {
  const t = await startTestAppOn(store, {
    LUNA_ADMIN_PASSWORD: password,
    LUNA_PLANNING: 'off',
    LUNA_FORECASTS: 'off',
    LUNA_ANOMALY_SCAN: 'off',
  });
  const token = (await call(t.base, 'POST', '/auth/login', { body: { username: 'admin', password } })).body.accessToken as string;
  for (const id of ['werk', 'leer']) {
    const r = await call(t.base, 'POST', '/sites', { token, body: { id, name: id, timeZone: 'Europe/Berlin' } });
    if (r.status !== 201) throw new Error(`creating site ${id}: ${r.status} ${JSON.stringify(r.body)}`);
  }
  await ensureSiteEnergy(t.app.db, 'werk', SYNTH_ENERGY, SYSTEM);
  await storeHistory(t.app.db, 'werk', SYNTH_ENERGY, history);
  return { t, token };
}
