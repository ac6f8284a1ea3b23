/**
 * A flexible-load demand through the running app into the live plan: a site with 8 days of real
 * measured load/PV (the demo year moved by whole weeks onto the present), real day-ahead prices and
 * an 11 kW EV charger; POST a demand of 40 kWh in 12 h → the site is re-planned ('flexible') and the
 * plan in force charges 40 kWh before the deadline within 11 kW; cancelling re-plans without it.
 * (No simulated EV device: nothing here reaches a charger; the control tick is tested in
 * api/src/planning/flexible.test.ts.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { upsertPrices } from '../markets/store.js';
import { STEP_MS } from '../optimiser/model.js';
import { realData, measured } from '../planning/fixtures.js';
import { DEMO_SITE_ENERGY } from '../site-energy/model.js';
import { call, startTestAppOn, STORES, type TestApp } from '../test/app.js';

const PASSWORD = 'Lastgang-Laden-2026!';
const WEEK = 7 * 86_400_000;
const H = 3_600_000;
/** 2023-01-17 17:00Z, a Tuesday evening of the demo year */
const ANCHOR = Date.parse('2023-01-17T17:00:00Z');

describe.each(STORES)('an EV demand in the live plan on $store', ({ store, skip }) => {
  let t: TestApp;
  let token = '';
  let stepStart = 0;

  beforeAll(async () => {
    if (skip) return;
    t = await startTestAppOn(store, {
      LUNA_ADMIN_PASSWORD: PASSWORD,
      LUNA_PLANNING: 'off', // no timers: re-plans only on request (the routes' replan still runs)
      LUNA_FORECASTS: 'off',
      LUNA_ANOMALY_SCAN: 'off',
    });
    token = (await call(t.base, 'POST', '/auth/login', { body: { username: 'admin', password: PASSWORD } })).body.accessToken;
    expect((await call(t.base, 'POST', '/sites', { token, body: { id: 'werk', name: 'Werk', timeZone: 'Europe/Berlin' } })).status).toBe(
      201,
    );
    const ids: Record<string, number> = {};
    for (const [key, quantity] of [
      ['load/power', 'active_power'],
      ['pv/power', 'active_power'],
      ['grid/power', 'active_power'],
      ['battery/soc', 'state_of_charge'],
    ] as const) {
      const r = await call(t.base, 'POST', '/sites/werk/series', {
        token,
        body: { key, quantity, semantics: 'instantaneous', intervalS: 900 },
      });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      ids[key] = r.body.id;
    }
    const nowMs = Date.now();
    stepStart = Math.floor(nowMs / STEP_MS) * STEP_MS;
    const shift = Math.round((stepStart - ANCHOR) / WEEK) * WEEK;
    const { demo, prices } = await realData();
    const from = stepStart - 8 * 86_400_000;
    const n = (stepStart - from) / STEP_MS;
    const load = measured(demo, 'load', from - shift, n);
    const pv = measured(demo, 'pv', from - shift, n);
    const readings = load.flatMap((l, i) => [
      { seriesId: ids['load/power']!, tsMs: from + i * STEP_MS, value: l, quality: 'measured' as const },
      { seriesId: ids['pv/power']!, tsMs: from + i * STEP_MS, value: pv[i]!, quality: 'measured' as const },
      { seriesId: ids['grid/power']!, tsMs: from + i * STEP_MS, value: l - pv[i]!, quality: 'measured' as const },
    ]);
    readings.push({ seriesId: ids['battery/soc']!, tsMs: nowMs - 60_000, value: 50, quality: 'measured' });
    await t.app.writer.enqueue(readings);
    await t.app.writer.sync();
    const until = Math.ceil((stepStart + 30 * H) / H) * H - shift;
    const rates = prices
      .filter((r) => r.endMs <= until && r.startMs >= until - 10 * 86_400_000)
      .map((r) => ({ ...r, startMs: r.startMs + shift, endMs: r.endMs + shift }));
    await upsertPrices(t.app.db, 'DE-LU', 'entsoe', rates);
    // an 11 kW charger without a power series: delivered energy from the setpoints written
    const energy = { ...DEMO_SITE_ENERGY, flexibleLoads: [{ id: 'ev', kind: 'ev-charger', deviceId: 'ev', maxPowerW: 11_000 }] };
    expect((await call(t.base, 'PUT', '/sites/werk/energy', { token, body: energy })).status).toBe(200);
  }, 120_000);
  afterAll(async () => {
    if (!skip) await t?.close();
  });

  it.skipIf(skip)(
    'POST a demand → re-planned with the EV: 40 kWh before the deadline, ≤ 11 kW; cancel → planned without it',
    async () => {
      const before = await t.app.planning.replan('werk', 'test');
      expect(before.planned, JSON.stringify(before)).toBe(true);
      if (!before.planned) return;
      expect(before.plan.steps.every((s) => s.flexibleW.ev === undefined)).toBe(true);

      const deadlineMs = stepStart + 12 * H;
      const r = await call(t.base, 'POST', '/sites/werk/flexible-demands', {
        token,
        body: { assetId: 'ev', energyKWh: 40, deadline: new Date(deadlineMs).toISOString() },
      });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      // joins the re-plan the POST queued
      const after = await t.app.planning.replan('werk', 'test');
      expect(after.planned, JSON.stringify(after)).toBe(true);
      if (!after.planned) return;
      expect(after.plan.reason).toMatch(/flexible/);
      expect(after.plan.status).toBe('optimal');
      const evW = after.plan.steps.map((s) => s.flexibleW.ev ?? NaN);
      expect(evW.every((w) => w >= -1e-6 && w <= 11_000 + 1e-6)).toBe(true);
      const beforeDeadline = after.plan.steps.filter((s) => s.startMs < deadlineMs);
      // the plan's steps are rounded to 0.1 W
      expect(beforeDeadline.reduce((a, s) => a + (s.flexibleW.ev! * STEP_MS) / H, 0)).toBeCloseTo(40_000, -1);
      expect(after.plan.steps.filter((s) => s.startMs >= deadlineMs).every((s) => s.flexibleW.ev === 0)).toBe(true);

      expect((await call(t.base, 'DELETE', `/sites/werk/flexible-demands/${r.body.id}`, { token })).status).toBe(200);
      const cancelled = await t.app.planning.replan('werk', 'test');
      expect(cancelled.planned && cancelled.plan.reason).toMatch(/flexible/);
      expect(cancelled.planned && cancelled.plan.steps.every((s) => s.flexibleW.ev === undefined)).toBe(true);
    },
    60_000,
  );
});
