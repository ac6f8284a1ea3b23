/**
 * Flexible-demand routes through the running service (PGlite, and PostgreSQL when DATABASE_URL is
 * set): an operator asks for 40 kWh by 07:00 for the EV charger, viewers see it, errors name the
 * field, the site is re-planned ('flexible') on create and cancel, and cancelling is audited.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM } from '../audit/index.js';
import { DEMO_SITE_ENERGY, siteEnergySchema } from '../site-energy/model.js';
import { putSiteEnergy } from '../site-energy/store.js';
import { call, startTestAppOn, STORES, type TestApp } from '../test/app.js';

const ADMIN = 'Sonnenstrom-2026!';
const PASSWORD = 'Lastgang-Leistungspreis-15';
const H = 3_600_000;

async function until<T>(what: string, fn: () => T | undefined | false, timeoutMs = 15_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe.each(STORES)('flexible-demand routes on $store', ({ store, skip }) => {
  let t: TestApp;
  let admin = '';
  let operator = '';
  let viewer = '';

  beforeAll(async () => {
    if (skip) return;
    t = await startTestAppOn(store, { LUNA_ADMIN_PASSWORD: ADMIN });
    admin = (await call(t.base, 'POST', '/auth/login', { body: { username: 'admin', password: ADMIN } })).body.accessToken;
    expect((await call(t.base, 'POST', '/sites', { token: admin, body: { id: 'werk', name: 'Werk' } })).status).toBe(201);
    const energy = siteEnergySchema.parse({
      ...DEMO_SITE_ENERGY,
      flexibleLoads: [{ id: 'ev', kind: 'ev-charger', deviceId: 'ev', powerSeries: 'ev/power', maxPowerW: 11_000 }],
    });
    await putSiteEnergy(t.app.db, 'werk', energy, { actor: SYSTEM });
    for (const [name, role] of [
      ['olga', 'operator'],
      ['vera', 'viewer'],
    ] as const) {
      const r = await call(t.base, 'POST', '/users', {
        token: admin,
        body: { username: name, password: PASSWORD, roles: [{ siteId: 'werk', role }] },
      });
      expect(r.status).toBe(201);
    }
    operator = (await call(t.base, 'POST', '/auth/login', { body: { username: 'olga', password: PASSWORD } })).body.accessToken;
    viewer = (await call(t.base, 'POST', '/auth/login', { body: { username: 'vera', password: PASSWORD } })).body.accessToken;
  }, 60_000);
  afterAll(async () => t?.close());

  const replans = () => t.logs().filter((l) => l.siteId === 'werk' && String(l.reason ?? '').includes('flexible')).length;

  it.skipIf(skip)(
    'an operator asks for 40 kWh by 07:00: 201, listed for viewers, audited, and the site is re-planned',
    async () => {
      const before = replans();
      const deadline = new Date(Date.now() + 12 * H).toISOString();
      const r = await call(t.base, 'POST', '/sites/werk/flexible-demands', {
        token: operator,
        body: { assetId: 'ev', energyKWh: 40, deadline },
      });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      expect(r.body).toMatchObject({
        assetId: 'ev',
        energyKWh: 40,
        deliveredKWh: 0,
        remainingKWh: 40,
        state: 'open',
        createdBy: 'olga',
        deadline,
        closedAt: null,
      });
      const list = await call(t.base, 'GET', '/sites/werk/flexible-demands', { token: viewer });
      expect(list.status).toBe(200);
      // no ev/power readings yet: nothing delivered, measured from the (empty) power series
      expect(list.body.demands).toEqual([
        expect.objectContaining({ id: r.body.id, state: 'open', deliveredKWh: 0, deliveredSource: 'readings' }),
      ]);
      expect(
        (await call(t.base, 'POST', '/sites/werk/flexible-demands', { token: viewer, body: { assetId: 'ev', energyKWh: 1, deadline } }))
          .status,
      ).toBe(403);
      const audit = await call(t.base, 'GET', '/audit?action=flexible.*&limit=5', { token: admin });
      expect(audit.body[0]).toMatchObject({ action: 'flexible.demand.create', actorName: 'olga', target: 'asset:werk/ev' });
      // the planner ran for the site because of it (it waits here: the site has no prices or history)
      await until('a re-plan for the demand', () => replans() > before);
    },
    30_000,
  );

  it.skipIf(skip)('bad input gets a 400 naming the field; a second open demand for the asset a 409', async () => {
    const soon = new Date(Date.now() + 2 * H).toISOString();
    const cases: Array<[unknown, number, RegExp]> = [
      [{ assetId: 'battery', energyKWh: 1, deadline: soon }, 400, /^assetId: "battery" is not a flexible load/],
      [{ assetId: 'ev', energyKWh: -1, deadline: soon }, 400, /^energyKWh: must be a number > 0/],
      [{ assetId: 'ev', energyKWh: 1, deadline: '2020-01-01T00:00:00Z' }, 400, /^deadline: .* is not in the future/],
      [{ assetId: 'ev', energyKWh: 30, deadline: soon }, 400, /^energyKWh: 30 kWh cannot be delivered .* reaches at most 22\.00 kWh/],
      [{ assetId: 'ev', energyKWh: 1, deadline: soon, colour: 'blue' }, 400, /colour/],
      [{ assetId: 'ev', energyKWh: 1, deadline: soon }, 409, /^assetId: flexible load "ev" already has an open demand/],
    ];
    for (const [body, status, message] of cases) {
      const r = await call(t.base, 'POST', '/sites/werk/flexible-demands', { token: operator, body });
      expect(r.status, JSON.stringify(body)).toBe(status);
      expect(r.body.message, JSON.stringify(body)).toMatch(message);
    }
  });

  it.skipIf(skip)(
    'cancel: 200 with the demand, audited, re-planned; again a 409; unknown a 404',
    async () => {
      const open = (await call(t.base, 'GET', '/sites/werk/flexible-demands', { token: viewer })).body.demands.find(
        (d: { state: string }) => d.state === 'open',
      );
      const before = replans();
      const r = await call(t.base, 'DELETE', `/sites/werk/flexible-demands/${open.id}`, { token: operator });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      expect(r.body).toMatchObject({ id: open.id, state: 'cancelled', remainingKWh: 0 });
      expect((await call(t.base, 'DELETE', `/sites/werk/flexible-demands/${open.id}`, { token: operator })).status).toBe(409);
      const unknown = await call(t.base, 'DELETE', '/sites/werk/flexible-demands/nope', { token: operator });
      expect(unknown.status).toBe(404);
      expect(unknown.body.message).toMatch(/^demandId:/);
      const audit = await call(t.base, 'GET', '/audit?action=flexible.*&limit=5', { token: admin });
      expect(audit.body[0]).toMatchObject({ action: 'flexible.demand.cancel', actorName: 'olga' });
      await until('a re-plan for the cancel', () => replans() > before);
    },
    30_000,
  );
});
