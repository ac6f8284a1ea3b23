/**
 * Rule sets in the running app (PGlite, and PostgreSQL when scripts/services set DATABASE_URL):
 * versions, validation errors naming rule index and field, audit, the control loop's cached
 * active set, and the dry run over a stored synthetic history.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAppWithHistory, SYNTH_START_MS, syntheticHistory } from '../recommend/fixtures.js';
import { call, STORES, type TestApp } from '../test/app.js';

const PASSWORD = 'Regelwerk-Netzdienlich-2026!';
const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();

const custom = (maxExportW: unknown = 400_000) => ({
  id: 'werk-rules',
  name: 'Werk rules',
  rules: [
    { id: 'night-no-grid', type: 'noGridCharge', priority: 100 },
    { id: 'feed-in', type: 'exportLimit', priority: 200, maxExportW },
  ],
});

describe.each(STORES)('rule set routes on $store', ({ store, skip }) => {
  let t: TestApp;
  let token = '';
  const put = (body: unknown, site = 'werk') => call(t.base, 'PUT', `/sites/${site}/rules`, { token, body });

  beforeAll(async () => {
    if (skip) return;
    ({ t, token } = await startAppWithHistory(store, PASSWORD, syntheticHistory(3)));
  }, 120_000);
  afterAll(async () => {
    if (!skip) await t.close();
  });

  it.skipIf(skip)('lists no active set and the built-ins resolved for the site', async () => {
    const r = await call(t.base, 'GET', '/sites/werk/rules', { token });
    expect(r.status).toBe(200);
    expect(r.body.active).toBeNull();
    const grid = r.body.builtins.find((b: { name: string }) => b.name === 'grid-friendly');
    // 60 % of the 750 kWp PV; import cap = the import limit (no peak target configured)
    expect(grid.ruleSet.rules.find((x: { id: string }) => x.id === 'feed-in-cap').maxExportW).toBe(450_000);
    expect(grid.ruleSet.rules.find((x: { id: string }) => x.id === 'import-cap').maxImportW).toBe(1_000_000);
    // without an energy configuration grid-friendly needs parameters, and says which
    const leer = await call(t.base, 'GET', '/sites/leer/rules', { token });
    expect(leer.body.builtins.find((b: { name: string }) => b.name === 'grid-friendly').unavailable).toMatch(/params\.pvPeakW/);
    expect((await call(t.base, 'GET', '/sites/nirgends/rules', { token })).status).toBe(404);
  });

  it.skipIf(skip)('writes a new version on every PUT, keeps the old ones and audits each', async () => {
    const cachedBefore = await t.app.rules.active('werk');
    expect(cachedBefore).toBeNull();
    const a = await put({ builtin: 'grid-friendly' });
    expect(a.status, JSON.stringify(a.body)).toBe(200);
    expect(a.body).toMatchObject({ version: 1, builtin: 'grid-friendly', enabled: true, createdBy: 'admin' });
    expect(a.body.ruleSet.version).toBe(1);
    // the control loop's cached answer follows the PUT
    expect((await t.app.rules.active('werk'))?.id).toBe('grid-friendly');
    const b = await put({ ruleSet: custom() });
    expect(b.status, JSON.stringify(b.body)).toBe(200);
    expect(b.body).toMatchObject({ version: 2, builtin: null });
    expect(b.body.ruleSet).toMatchObject({ id: 'werk-rules', version: 2, timeZone: 'Europe/Berlin' });
    expect((await t.app.rules.active('werk'))?.version).toBe(2);
    const v = await call(t.base, 'GET', '/sites/werk/rules/versions', { token });
    expect(v.body.map((x: { version: number }) => x.version)).toEqual([2, 1]);
    const audit = await t.app.db.query<{ before: { version: number } | null; after: { version: number } }>(
      `select before, after from audit_log where action = 'rules.configure' and site_id = 'werk' order by id`,
    );
    expect(audit.rows.map((r) => [r.before?.version ?? null, r.after.version])).toEqual([
      [null, 1],
      [1, 2],
    ]);
  });

  it.skipIf(skip)('refuses an invalid set with the rule index and field, and stores nothing', async () => {
    const r = await put({ ruleSet: custom(-5) });
    expect(r.status).toBe(400);
    expect(r.body.error).toBe('invalid_rules');
    expect(r.body.issues).toEqual([
      expect.objectContaining({ ruleIndex: 1, ruleId: 'feed-in', field: 'maxExportW', path: 'ruleSet.rules.1.maxExportW' }),
    ]);
    expect(r.body.message).toMatch(/rule 1 \(feed-in\), field maxExportW/);
    const dup = await put({ ruleSet: { ...custom(), rules: [custom().rules[0], { ...custom().rules[0], priority: 5 }] } });
    expect(dup.status).toBe(400);
    expect(dup.body.issues[0]).toMatchObject({ ruleIndex: 1, field: 'id' });
    expect((await put({ builtin: 'self-consumption', ruleSet: custom() })).status).toBe(400);
    expect((await put({})).status).toBe(400);
    expect((await put({ builtin: 'nope' })).status).toBe(400);
    const v = await call(t.base, 'GET', '/sites/werk/rules/versions', { token });
    expect(v.body).toHaveLength(2);
  });

  it.skipIf(skip)('validates without storing', async () => {
    const ok = await call(t.base, 'POST', '/sites/werk/rules/validate', { token, body: { ruleSet: custom() } });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ valid: true, ruleSet: { version: 3 } });
    const bad = await call(t.base, 'POST', '/sites/werk/rules/validate', {
      token,
      body: { ruleSet: { ...custom(), rules: [{ id: 'x', type: 'socReserve', priority: 1, minSocPercent: 150 }] } },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.issues[0]).toMatchObject({ ruleIndex: 0, ruleId: 'x', field: 'minSocPercent' });
    expect((await call(t.base, 'GET', '/sites/werk/rules/versions', { token })).body).toHaveLength(2);
  });

  it.skipIf(skip)('dry-runs a set over the stored history and reports what each rule changed', async () => {
    const r = await call(t.base, 'POST', '/sites/werk/rules/dry-run', {
      token,
      body: { ruleSet: custom(), from: iso(SYNTH_START_MS), to: iso(SYNTH_START_MS + 2 * DAY) },
    });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.steps).toBe(192);
    expect(r.body.coverage).toMatchObject({ loadW: 192, pvW: 192, batteryW: 192, spotPriceEurPerMWh: 192 });
    expect(r.body.missingSeries).toEqual([]);
    const noGrid = r.body.rules.find((x: { ruleId: string }) => x.ruleId === 'night-no-grid');
    // the fixture charges 100 kW from the grid 02:00–04:00 local: 8 steps a day, 2 days, 200 kWh a day
    expect(noGrid.stepsChanged).toBe(16);
    expect(noGrid.batteryEnergyShiftedWh).toBeCloseTo(16 * 100_000 * 0.25, 3);
    expect(r.body.withRules.totalEur).not.toBe(r.body.withoutRules.totalEur);
    expect(r.body.costDeltaEur).toBeCloseTo(r.body.withRules.totalEur - r.body.withoutRules.totalEur, 6);
  });

  it.skipIf(skip)('uses the active set when none is given, and says when there is none', async () => {
    const body = { from: iso(SYNTH_START_MS), to: iso(SYNTH_START_MS + DAY) };
    const active = await call(t.base, 'POST', '/sites/werk/rules/dry-run', { token, body });
    expect(active.status).toBe(200);
    expect(active.body.ruleSet).toEqual({ id: 'werk-rules', version: 2 });
    const off = await put({ enabled: false });
    expect(off.body).toMatchObject({ version: 3, enabled: false });
    expect(await t.app.rules.active('werk')).toBeNull();
    const none = await call(t.base, 'POST', '/sites/werk/rules/dry-run', { token, body });
    expect(none.status).toBe(409);
    expect(none.body.error).toBe('no_rules');
    const noEnergy = await call(t.base, 'POST', '/sites/leer/rules/dry-run', { token, body: { ...body, builtin: 'self-consumption' } });
    expect(noEnergy.status).toBe(409);
    expect(noEnergy.body.message).toMatch(/no energy configuration/);
  });

  it.skipIf(skip)('cuts a long dry run to the maximum and says so', async () => {
    const r = await call(t.base, 'POST', '/sites/werk/rules/dry-run', {
      token,
      body: { builtin: 'self-consumption', from: iso(SYNTH_START_MS), to: iso(SYNTH_START_MS + 400 * DAY) },
    });
    expect(r.status).toBe(200);
    expect(r.body.steps).toBe(92 * 96);
    expect(r.body.capped).toMatch(/cut to 92 days/);
    expect(r.body.to).toBe(iso(SYNTH_START_MS + 92 * DAY));
    // the 3 stored days are known, the rest was filled and counted
    expect(r.body.coverage.loadW).toBe(3 * 96);
    expect(r.body.filledSteps.loadW).toBe(89 * 96);
  });

  it.skipIf(skip)('gives concurrent PUTs consecutive versions', async () => {
    const [a, b] = await Promise.all([put({ builtin: 'self-consumption' }), put({ builtin: 'grid-friendly' })]);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect([a.body.version, b.body.version].sort()).toEqual([4, 5]);
  });
});
