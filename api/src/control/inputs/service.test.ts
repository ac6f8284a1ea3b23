/**
 * ControlInputsService against the real stores (PGlite always, PostgreSQL when DATABASE_URL is
 * set): overrides and signals stored, audited, published live, expired by the sweep with a fake
 * clock, reloaded by a new service (restart), duplicate deliveries idempotent also when concurrent.
 */
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM, queryAudit } from '../../audit/index.js';
import { createLogger } from '../../ops/logger.js';
import { DEMO_SITE_ENERGY } from '../../site-energy/model.js';
import { migrate, openPglite, openPostgres, type Database } from '../../store/index.js';
import { freshPostgresDatabase, services, tempDir } from '../../test/services.js';
import { LIVE_TOPICS } from '../../live/topics.js';
import { ControlInputsService, type InputError } from './service.js';

const T0 = Date.parse('2026-11-27T10:00:00Z');
const H = 3_600_000;
const quiet = createLogger('fatal', new Writable({ write: (_c, _e, done) => done() }));
const user = { actor: { type: 'user' as const, id: '00000000-0000-4000-8000-000000000001', name: 'olga' }, requestId: 'req-1' };

const STORES = [
  {
    name: 'pglite',
    skip: false,
    async open() {
      const tmp = tempDir();
      const db = await openPglite(join(tmp.dir, 'pglite'));
      return { db, cleanup: async () => (await db.close(), tmp.remove()) };
    },
  },
  {
    name: 'postgres',
    skip: !services.postgres,
    async open() {
      const fresh = await freshPostgresDatabase(services.postgres!);
      const db = await openPostgres(fresh.url);
      return { db, cleanup: async () => (await db.close(), await fresh.drop()) };
    },
  },
];

describe.each(STORES)('ControlInputsService on $name', ({ skip, open }) => {
  let db: Database;
  let cleanup: () => Promise<void>;
  let clock = T0;
  const published: Array<{ topic: string; message: any }> = []; // eslint-disable-line @typescript-eslint/no-explicit-any
  const bus = { publish: async (topic: string, message: unknown) => void published.push({ topic, message }) };
  const make = (registry = new Registry()) =>
    new ControlInputsService({
      db,
      log: quiet,
      bus,
      registry,
      now: () => clock,
      sweepMs: 0,
      siteEnergyOf: async (s) => (s === 'werk' ? DEMO_SITE_ENERGY : undefined),
    });
  let svc: ControlInputsService;
  let registry: Registry;

  beforeAll(async () => {
    if (skip) return;
    ({ db, cleanup } = await open());
    await migrate(db);
    for (const id of ['werk', 'leer']) await db.query('insert into sites (id, name) values ($1, $1)', [id]);
    registry = new Registry();
    svc = make(registry);
    await svc.start();
  }, 60_000);
  afterAll(async () => {
    if (skip) return;
    await svc.stop();
    await cleanup();
  });

  it.skipIf(skip)('sets an override: active at once, audited with the user, published, listeners told, gauge up', async () => {
    const changes: string[] = [];
    const off = svc.onChange((s) => changes.push(s));
    const o = await svc.setOverride('werk', 'battery', { setpointW: 250_000, expiresInS: 3600, reason: 'Wartung' }, user);
    off();
    expect(o).toMatchObject({
      siteId: 'werk',
      assetId: 'battery',
      setpointW: 250_000,
      createdAtMs: T0,
      expiresAtMs: T0 + H,
      userName: 'olga',
      reason: 'Wartung',
    });
    expect(svc.overrides('werk', T0)).toEqual([o]);
    expect(svc.overrides('leer', T0)).toEqual([]);
    expect(changes).toEqual(['werk']);
    expect(published.at(-1)).toEqual({ topic: LIVE_TOPICS.override, message: { siteId: 'werk', override: o, change: 'set' } });
    const audit = await queryAudit(db, { action: 'override.set', limit: 5 });
    expect(audit[0]).toMatchObject({
      actorName: 'olga',
      actorType: 'user',
      target: 'asset:werk/battery',
      requestId: 'req-1',
      after: { setpointW: 250_000 },
    });
    expect(await registry.getSingleMetricAsString('luna_overrides_active')).toMatch(/luna_overrides_active 1\b/);
  });

  it.skipIf(skip)('a second override of the asset replaces the first (released in the history)', async () => {
    clock = T0 + 60_000;
    const second = await svc.setOverride('werk', 'battery', { setpointW: -100_000, expiresInS: 600 }, user);
    expect(svc.overrides('werk', clock)).toEqual([second]);
    const { active, recent } = await svc.listOverrides('werk');
    expect(active).toEqual([second]);
    expect(recent.map((o) => [o.setpointW, o.releasedAtMs])).toEqual([
      [-100_000, undefined],
      [250_000, T0 + 60_000],
    ]);
  });

  it.skipIf(skip)('refuses unknown assets, sites without assets and setpoints outside the range, naming them', async () => {
    const err = (p: Promise<unknown>) =>
      p.then(
        () => undefined,
        (e: unknown) => e as InputError,
      );
    const a = await err(svc.setOverride('werk', 'heatpump', { setpointW: 1, expiresInS: 60 }, user));
    expect(a).toMatchObject({ status: 404, code: 'unknown_asset', message: expect.stringContaining('assets: battery, pv') });
    const b = await err(svc.setOverride('leer', 'battery', { setpointW: 1, expiresInS: 60 }, user));
    expect(b).toMatchObject({ status: 404, code: 'no_site_energy' });
    const c = await err(svc.setOverride('werk', 'pv', { setpointW: 800_000, expiresInS: 60 }, user));
    expect(c).toMatchObject({
      status: 400,
      message: expect.stringContaining('setpointW: 800000 W is above the physical range of PV pv output cap: 0 … ratedW 750000 W'),
    });
    expect(svc.overrides('werk', clock)).toHaveLength(1);
  });

  it.skipIf(skip)(
    'receives a signal once; a repeated delivery is idempotent, also when concurrent; other content under the reference is a conflict',
    async () => {
      const before = await db.query<{ n: number }>('select count(*)::int as n from grid_signals');
      const fields = {
        kind: 'section14a-dimming' as const,
        fromMs: clock,
        toMs: clock + H,
        maxControllablePowerW: 8400,
        reference: 'DSO-1',
      };
      const signalChanges: string[] = [];
      const off = svc.onSignalChange((s) => signalChanges.push(s));
      const [a, b] = await Promise.all([
        svc.receiveSignal('werk', fields, 'api', user),
        svc.receiveSignal('werk', fields, 'mqtt', { actor: SYSTEM }),
      ]);
      off();
      expect([a.duplicate, b.duplicate]).toEqual([false, true]);
      expect(b.signal).toEqual(a.signal);
      expect(a.signal.source).toBe('api');
      expect((await db.query<{ n: number }>('select count(*)::int as n from grid_signals')).rows[0]!.n).toBe(before.rows[0]!.n + 1);
      expect(signalChanges).toEqual(['werk']);
      expect(svc.signals('werk', clock)).toEqual([a.signal]);
      expect(await registry.getSingleMetricAsString('luna_grid_signals_total')).toMatch(/kind="section14a-dimming",source="api"} 1\b/);
      expect(await registry.getSingleMetricAsString('luna_grid_signals_total')).not.toMatch(/source="mqtt"/);
      const conflict = await svc.receiveSignal('werk', { ...fields, maxControllablePowerW: 4200 }, 'api', user).catch((e: InputError) => e);
      expect(conflict).toMatchObject({ status: 409, message: expect.stringContaining('reference: "DSO-1" is already signal') });
      expect((conflict as InputError).message).toContain('maxControllablePowerW');
      // the same order again without `from` (default now, later) is still a duplicate when the sender gave none
      clock += 5_000;
      const again = await svc.receiveSignal('werk', { ...fields, fromMs: clock }, 'mqtt', { actor: SYSTEM }, { fromDefaulted: true });
      expect(again.duplicate).toBe(true);
      const audit = await queryAudit(db, { action: 'grid_signal.receive', limit: 10 });
      expect(audit.filter((x) => x.target === `grid_signal:${a.signal.id}`)).toHaveLength(1);
    },
  );

  it.skipIf(skip)('separates signals in force from upcoming ones', async () => {
    const later = await svc.receiveSignal(
      'werk',
      { kind: 'redispatch-curtailment', fromMs: clock + H, toMs: clock + 2 * H, maxPvPowerW: 0, reference: 'RD-later' },
      'api',
      user,
    );
    expect(svc.signals('werk', clock).map((s) => s.reference)).toEqual(['DSO-1']);
    expect(svc.upcomingSignals('werk', clock).map((s) => s.reference)).toEqual(['DSO-1', 'RD-later']);
    expect(svc.signals('werk', clock + H).map((s) => s.id)).toEqual([later.signal.id]);
  });

  it.skipIf(skip)('a restarted service has the same active overrides and open signals', async () => {
    const fresh = make();
    await fresh.start();
    expect(fresh.overrides('werk', clock)).toEqual(svc.overrides('werk', clock));
    expect(fresh.upcomingSignals('werk', clock)).toEqual(svc.upcomingSignals('werk', clock));
    await fresh.stop();
  });

  it.skipIf(skip)('cancels a signal (by id or reference), audited and published; twice is harmless', async () => {
    const s = svc.upcomingSignals('werk', clock).find((x) => x.reference === 'RD-later')!;
    const c = await svc.cancelSignal('werk', { reference: 'RD-later' }, user);
    expect(c).toMatchObject({ id: s.id, cancelledAtMs: clock });
    expect(published.at(-1)).toEqual({ topic: LIVE_TOPICS.signal, message: { siteId: 'werk', signal: c, change: 'cancelled' } });
    expect(svc.upcomingSignals('werk', clock).map((x) => x.reference)).toEqual(['DSO-1']);
    expect(await svc.cancelSignal('werk', { id: s.id }, user)).toEqual(c);
    expect(await queryAudit(db, { action: 'grid_signal.cancel', limit: 5 })).toHaveLength(1);
    await expect(svc.cancelSignal('werk', { id: 'nope' }, user)).rejects.toMatchObject({
      status: 404,
      message: 'signalId: no grid signal nope on site werk',
    });
  });

  it.skipIf(skip)('releases an override: gone at once, audited, published', async () => {
    const released = await svc.releaseOverride('werk', 'battery', user);
    expect(released).toMatchObject({ setpointW: -100_000, releasedAtMs: clock });
    expect(svc.overrides('werk', clock)).toEqual([]);
    expect(published.at(-1)?.message.change).toBe('released');
    expect(await svc.releaseOverride('werk', 'battery', user)).toBeUndefined();
    expect(await queryAudit(db, { action: 'override.release', limit: 5 })).toHaveLength(1);
  });

  it.skipIf(skip)('the sweep ends expired overrides and signals: published, audited, listeners told', async () => {
    await svc.setOverride('werk', 'pv', { setpointW: 100_000, expiresInS: 60 }, user);
    const changes: string[] = [];
    const signalChanges: string[] = [];
    const off = [svc.onChange((s) => changes.push(s)), svc.onSignalChange((s) => signalChanges.push(s))];
    await svc.sweep(clock + 59_000);
    expect(changes).toEqual([]);
    clock += H + 1;
    await svc.sweep(clock);
    off.forEach((f) => f());
    expect(svc.overrides('werk', clock)).toEqual([]);
    expect(svc.upcomingSignals('werk', clock)).toEqual([]);
    expect(published.slice(-2).map((p) => [p.topic, p.message.change])).toEqual([
      [LIVE_TOPICS.override, 'expired'],
      [LIVE_TOPICS.signal, 'ended'],
    ]);
    expect(changes).toEqual(['werk']);
    expect(signalChanges).toEqual(['werk']);
    expect((await queryAudit(db, { action: 'override.expire', limit: 5 }))[0]).toMatchObject({
      actorType: 'system',
      target: 'asset:werk/pv',
    });
    expect(await registry.getSingleMetricAsString('luna_overrides_active')).toMatch(/luna_overrides_active 0\b/);
  });

  it.skipIf(skip)('a site on its own clock (accelerated demo): stamped, validated and expired on that clock', async () => {
    let simNow = clock + 30 * 86_400_000; // the simulated site is 30 days ahead of the wall clock
    const sim = new ControlInputsService({
      db,
      log: quiet,
      now: () => clock,
      sweepMs: 0,
      siteEnergyOf: async () => DEMO_SITE_ENERGY,
      siteClock: (siteId) => (siteId === 'werk' ? () => simNow : undefined),
    });
    await sim.start();
    expect(sim.nowFor('werk')).toBe(simNow);
    expect(sim.nowFor('leer')).toBe(clock);
    const o = await sim.setOverride('werk', 'battery', { setpointW: 1000, expiresInS: 60 }, user);
    expect([o.createdAtMs, o.expiresAtMs]).toEqual([simNow, simNow + 60_000]);
    await sim.sweep(clock); // wall time: nothing has expired on the simulated clock
    expect(sim.overrides('werk', simNow)).toEqual([o]);
    simNow += 61_000;
    await sim.sweep(clock);
    expect(sim.overrides('werk', simNow)).toEqual([]);
    await sim.stop();
  });
});
