/**
 * The planning service in the running app: a site with 8 days of real measured load/PV (the demo
 * year, moved by whole weeks onto the present), real day-ahead prices, a SoC reading; plans appear
 * over the API, on the live bus and in the history, and re-plans follow new prices, a new forecast,
 * a deviation of the measured grid power, and POST /sites/:siteId/plans.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertForecast } from '../forecast/store.js';
import { upsertPrices } from '../markets/store.js';
import type { LivePlan } from '../live/topics.js';
import { LIVE_TOPICS } from '../live/topics.js';
import { STEP_MS } from '../optimiser/model.js';
import { DEMO_SITE_ENERGY } from '../site-energy/model.js';
import { call, startTestAppOn, STORES, type TestApp } from '../test/app.js';
import { bandForecast, measured, realData } from './fixtures.js';
import { stepAt } from './store.js';

const PASSWORD = 'Lastgang-Planung-2026!';
const WEEK = 7 * 86_400_000;
/** 2023-06-14 13:00Z, a Wednesday afternoon of the demo year */
const ANCHOR = Date.parse('2023-06-14T13:00:00Z');

describe.each(STORES)('planning service in the app on $store', ({ store, skip }) => {
  let t: TestApp;
  let token = '';
  let shift = 0;
  let stepStart = 0;
  const livePlans: LivePlan[] = [];

  beforeAll(async () => {
    if (skip) return;
    t = await startTestAppOn(store, {
      LUNA_ADMIN_PASSWORD: PASSWORD,
      LUNA_PLANNING: 'off', // no timers: the test drives tick/watch/replan (the service itself is the same)
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
    // the demo year moved by whole weeks so that its 2023-06-14 13:00Z lands on the present step
    const nowMs = Date.now();
    stepStart = Math.floor(nowMs / STEP_MS) * STEP_MS;
    shift = Math.round((stepStart - ANCHOR) / WEEK) * WEEK;
    const { demo } = await realData();
    const from = stepStart - 8 * 86_400_000;
    const n = (stepStart - from) / STEP_MS;
    const load = measured(demo, 'load', from - shift, n);
    const pv = measured(demo, 'pv', from - shift, n);
    const readings = load.flatMap((l, i) => [
      { seriesId: ids['load/power']!, tsMs: from + i * STEP_MS, value: l, quality: 'measured' as const },
      { seriesId: ids['pv/power']!, tsMs: from + i * STEP_MS, value: pv[i]!, quality: 'measured' as const },
      { seriesId: ids['grid/power']!, tsMs: from + i * STEP_MS, value: l - pv[i]!, quality: 'measured' as const },
    ]);
    readings.push({ seriesId: ids['battery/soc']!, tsMs: nowMs - 60_000, value: 55, quality: 'measured' });
    await t.app.writer.enqueue(readings);
    await t.app.writer.sync();
    t.app.bus.subscribe(LIVE_TOPICS.plan, (m) => void livePlans.push(m as LivePlan));
  }, 120_000);
  afterAll(async () => {
    if (!skip) await t?.close();
  });

  it.skipIf(skip)('energy configuration: 404 before, 400 naming the field, then stored with version 1', async () => {
    const none = await call(t.base, 'GET', '/sites/werk/energy', { token });
    expect(none.status).toBe(404);
    expect(none.body.message).toMatch(/no energy configuration yet/);
    const bad = await call(t.base, 'PUT', '/sites/werk/energy', {
      token,
      body: { ...DEMO_SITE_ENERGY, batteries: [{ ...DEMO_SITE_ENERGY.batteries[0]!, capacityWh: -5, socMinPct: 90, socMaxPct: 10 }] },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/batteries\.0\.capacityWh: /);
    const noTariff = await call(t.base, 'PUT', '/sites/werk/energy', { token, body: { ...DEMO_SITE_ENERGY, tariffId: 'no-such-tariff' } });
    expect(noTariff.status).toBe(400);
    expect(noTariff.body.message).toMatch(/tariffId: no usable tariff "no-such-tariff"/);
    const traversal = await call(t.base, 'PUT', '/sites/werk/energy', { token, body: { ...DEMO_SITE_ENERGY, tariffId: '../package' } });
    expect(traversal.status).toBe(400);
    const ok = await call(t.base, 'PUT', '/sites/werk/energy', { token, body: DEMO_SITE_ENERGY });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(ok.body).toMatchObject({ siteId: 'werk', version: 1, updatedBy: 'admin' });
    const got = await call(t.base, 'GET', '/sites/werk/energy', { token });
    expect(got.body.config.batteries[0].capacityWh).toBe(1_000_000);
  });

  it.skipIf(skip)('without prices it waits and says why (API 409 and 404), never crashes', async () => {
    // the change-markers start here: the next watch sees new prices
    await t.app.planning.watch();
    const r = await call(t.base, 'POST', '/sites/werk/plans', { token });
    expect(r.status).toBe(409);
    expect(r.body.message).toMatch(/^Could not plan site "werk": waiting: no day-ahead price for DE-LU from /);
    const cur = await call(t.base, 'GET', '/sites/werk/plans/current', { token });
    expect(cur.status).toBe(404);
    expect(cur.body.message).toMatch(/No plan in force for site "werk": waiting: no day-ahead price/);
  });

  it.skipIf(skip)('new prices → a plan appears (solved in the worker), on the live bus and over the API', async () => {
    const { prices } = await realData();
    // published for the next 30 h (as after a day-ahead auction), in the demo year's time
    const until = Math.ceil((stepStart + 30 * 3_600_000) / 3_600_000) * 3_600_000 - shift;
    const rates = prices
      .filter((r) => r.endMs <= until && r.startMs >= until - 10 * 86_400_000)
      .map((r) => ({ ...r, startMs: r.startMs + shift, endMs: r.endMs + shift }));
    await upsertPrices(t.app.db, 'DE-LU', 'entsoe', rates);
    await t.app.planning.watch();
    // joins the debounced re-plan the watch queued
    const outcome = await t.app.planning.replan('werk', 'test');
    expect(outcome.planned, JSON.stringify(outcome)).toBe(true);
    if (!outcome.planned) return;
    expect(outcome.plan.reason).toBe('prices+test');
    expect(outcome.plan.status).toBe('optimal');
    expect(livePlans.at(-1)).toMatchObject({ siteId: 'werk', planId: outcome.plan.id, reason: 'prices+test' });
    expect(t.logs().some((l) => String(l.msg).includes('solving in-process'))).toBe(false);

    const cur = await call(t.base, 'GET', '/sites/werk/plans/current', { token });
    expect(cur.status).toBe(200);
    const plan = cur.body;
    expect(plan.id).toBe(outcome.plan.id);
    const planStep = Math.floor(Date.parse(plan.createdAt) / STEP_MS) * STEP_MS;
    expect(plan.horizonStart).toBe(new Date(planStep).toISOString());
    expect(plan.horizonEnd).toBe(new Date(until + shift).toISOString());
    expect(plan.steps.length).toBe((until + shift - planStep) / STEP_MS);
    expect(plan.inputs.socPct).toEqual({ battery: 55 });
    // no stored forecasts: load and PV from persistence of the measured series, said so
    expect(plan.inputs.warnings.join(' ')).toMatch(/load: \d+ of \d+ steps from persistence of measured load\/power/);
    expect(plan.peakTargetW).toBeGreaterThanOrEqual(plan.inputs.peakSoFarW);
    expect(plan.inputs.peakSoFarW).toBeGreaterThan(0);
    expect(typeof plan.cost.objectiveEur).toBe('number');
    // savings against the batteries left idle: an idle battery is a feasible plan, so the optimum is never dearer
    expect(typeof plan.baselineCostEur).toBe('number');
    expect(plan.costEur).toBeLessThanOrEqual(plan.baselineCostEur + 1e-6);
    const bat = DEMO_SITE_ENERGY.batteries[0]!;
    for (const s of plan.steps) {
      expect(s.gridW).toBeLessThanOrEqual(DEMO_SITE_ENERGY.grid.importLimitW + 1);
      expect(s.gridW).toBeGreaterThanOrEqual(-DEMO_SITE_ENERGY.grid.exportLimitW - 1);
      expect(s.batterySocPct.battery).toBeGreaterThanOrEqual(bat.socMinPct - 1e-3);
      expect(s.batterySocPct.battery).toBeLessThanOrEqual(bat.socMaxPct + 1e-3);
      expect(Math.abs(s.batteryW.battery)).toBeLessThanOrEqual(bat.maxDischargeW + 1);
    }
    // the agents' PlanSource
    expect((await t.app.planning.store.active('werk', Date.now()))?.id).toBe(plan.id);
  });

  it.skipIf(skip)('a new forecast → re-plan with it', async () => {
    const { demo } = await realData();
    // issued at the start of the current step, as the forecast service does
    const issuedAtMs = Math.floor(Date.now() / STEP_MS) * STEP_MS;
    const fcStart = issuedAtMs;
    await insertForecast(t.app.db, 'werk', bandForecast('load', 'load.profile', issuedAtMs, measured(demo, 'load', fcStart - shift, 192)));
    await t.app.planning.watch();
    const outcome = await t.app.planning.replan('werk', 'test');
    expect(outcome.planned).toBe(true);
    if (!outcome.planned) return;
    expect(outcome.plan.reason).toBe('forecast+test');
    expect(outcome.plan.inputs).toMatchObject({ load: { forecastModel: 'load.profile', fromPersistence: 0 } });
  });

  it.skipIf(skip)('a large deviation of the measured grid power in the current step → re-plan, once per step', async () => {
    const plan = (await t.app.planning.store.active('werk', Date.now()))!;
    const { rows } = await t.app.db.query<{ id: number }>(`select id from series where site_id = 'werk' and key = 'grid/power'`);
    const planned = stepAt(plan, Date.now())!.gridW;
    const off = planned + 0.5 * DEMO_SITE_ENERGY.grid.importLimitW;
    const tsBase = Math.floor(Date.now() / STEP_MS) * STEP_MS;
    await t.app.writer.enqueue(
      [0, 1, 2, 3].map((i) => ({ seriesId: rows[0]!.id, tsMs: tsBase + i * 1000, value: off, quality: 'measured' as const })),
    );
    await t.app.writer.sync();
    await t.app.planning.watch();
    const outcome = await t.app.planning.replan('werk', 'test');
    expect(outcome.planned && outcome.plan.reason).toBe('deviation+test');
    // the same step does not trigger again
    await t.app.planning.watch();
    const again = await t.app.planning.replan('werk', 'again');
    expect(again.planned && again.plan.reason).toBe('again');
  });

  it.skipIf(skip)('POST /sites/werk/plans re-plans now; the history grows and pages', async () => {
    const before = await call(t.base, 'GET', '/sites/werk/plans?limit=100', { token });
    const r = await call(t.base, 'POST', '/sites/werk/plans', { token });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.body).toMatchObject({ reason: 'manual', status: 'optimal' });
    const after = await call(t.base, 'GET', '/sites/werk/plans?limit=100', { token });
    expect(after.body.plans.length).toBe(before.body.plans.length + 1);
    expect(after.body.plans[0].id).toBe(r.body.id);
    expect(after.body.plans[0].steps).toBeUndefined();
    const page = await call(t.base, 'GET', '/sites/werk/plans?limit=2', { token });
    expect(page.body.plans).toHaveLength(2);
    const next = await call(t.base, 'GET', `/sites/werk/plans?limit=2&before=${encodeURIComponent(page.body.nextBefore)}`, { token });
    expect(next.body.plans[0].id).toBe(after.body.plans[2].id);
    const bad = await call(t.base, 'GET', '/sites/werk/plans?before=nonsense', { token });
    expect(bad.status).toBe(400);
    const audit = await call(t.base, 'GET', '/audit?action=plan.replan&limit=5', { token });
    expect(audit.body[0]).toMatchObject({
      action: 'plan.replan',
      siteId: 'werk',
      actorName: 'admin',
      after: { planId: r.body.id, status: 'optimal' },
    });
  });

  it.skipIf(skip)('metrics: solve time histogram and plans by status', async () => {
    const m = await call(t.base, 'GET', '/metrics');
    expect(m.body).toMatch(/luna_plan_solve_seconds_count\{[^}]*\} [1-9]/);
    expect(m.body).toMatch(/luna_plans_total\{[^}]*status="optimal"[^}]*\} [1-9]/);
    expect(m.body).toMatch(/luna_plans_total\{[^}]*status="waiting"[^}]*\} [1-9]/);
  });

  it.skipIf(skip)('the scheduled round plans every configured site and skips the others', async () => {
    const outcomes = await t.app.planning.tick('schedule');
    expect(outcomes.map((o) => (o.planned ? o.plan.siteId : o.siteId))).toEqual(['werk']);
    expect(t.app.planning.status('werk')).toMatchObject({ state: 'planned' });
  });
});
