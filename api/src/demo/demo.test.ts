/** The plain demo replay in the running service (PGlite, LUNA_DEMO=replay, 1 s ticks): site, series, backfill, balance, live readings. */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_DATA_FILE } from '../config/schema.js';
import { createLogger } from '../ops/logger.js';
import { startTestApp, type TestApp } from '../test/app.js';
import { parseDemoCsv, powersAt } from './replay.js';
import { startDemo } from './service.js';

const demo = parseDemoCsv(readFileSync(DEMO_DATA_FILE, 'utf8'));

describe('the demo site replay in the service', () => {
  let t: TestApp;
  let startedAt: number;
  beforeAll(async () => {
    t = await startTestApp({ LUNA_DEMO: 'replay', LUNA_DEMO_INTERVAL_S: '1' });
    startedAt = Date.now();
  });
  afterAll(async () => t?.close());

  const q = async <T>(sql: string, params: unknown[] = []) => (await t.app.db.query<T>(sql, params)).rows;
  /** readings on the 15-minute grid per series key (the backfill; live ticks land between) */
  const gridCounts = async () =>
    q<{ key: string; n: number }>(
      `select s.key, count(*)::int as n from readings r join series s on s.id = r.series_id
       where s.site_id = 'demo' and (extract(epoch from r.ts) * 1000)::bigint % 900000 = 0 group by s.key order by s.key`,
    );

  it('creates the site with its three series and one audit entry by the system', async () => {
    expect(await q('select id, name, time_zone from sites where id = $1', ['demo'])).toEqual([
      { id: 'demo', name: 'Musterwerk (Demo)', time_zone: 'Europe/Berlin' },
    ]);
    expect(await q("select key, quantity, unit, semantics from series where site_id = 'demo' order by key")).toEqual([
      { key: 'grid/power', quantity: 'active_power', unit: 'W', semantics: 'instantaneous' },
      { key: 'load/power', quantity: 'active_power', unit: 'W', semantics: 'instantaneous' },
      { key: 'pv/power', quantity: 'active_power', unit: 'W', semantics: 'instantaneous' },
    ]);
    expect(await q("select actor_type, action from audit_log where site_id = 'demo'")).toEqual([
      { actor_type: 'system', action: 'site.create' },
    ]);
    expect(
      t.logs().some((l) => String(l.msg).startsWith('demo site: replaying Musterwerk 2023 (load 2,500 MWh/a, PV 750 kWp) every 1 s')),
    ).toBe(true);
  });

  it('backfills 7 × 96 points per series, with grid = load − PV at every one', async () => {
    expect(await gridCounts()).toEqual([
      { key: 'grid/power', n: 672 },
      { key: 'load/power', n: 672 },
      { key: 'pv/power', n: 672 },
    ]);
    const unbalanced = await q<{ n: number }>(
      `select count(*)::int as n from readings g
       join series sg on sg.id = g.series_id and sg.site_id = 'demo' and sg.key = 'grid/power'
       join series sl on sl.site_id = 'demo' and sl.key = 'load/power' join readings l on l.series_id = sl.id and l.ts = g.ts
       join series sp on sp.site_id = 'demo' and sp.key = 'pv/power' join readings p on p.series_id = sp.id and p.ts = g.ts
       where abs(g.value - (l.value - p.value)) > 1e-6`,
    );
    expect(unbalanced).toEqual([{ n: 0 }]);
    const gridRows = await q<{ n: number }>(
      `select count(*)::int as n from readings g join series sg on sg.id = g.series_id and sg.site_id = 'demo' and sg.key = 'grid/power'`,
    );
    expect(gridRows[0]!.n).toBeGreaterThanOrEqual(672);
  });

  it('adds live readings stamped with the real time, interpolated from the demo year', async () => {
    await new Promise((r) => setTimeout(r, 2_200));
    await t.app.writer.flush();
    const live = await q<{ key: string; ts: Date | string; value: number }>(
      `select s.key, r.ts, r.value from readings r join series s on s.id = r.series_id
       where s.site_id = 'demo' and r.ts >= $1 order by r.ts, s.key`,
      [new Date(startedAt).toISOString()],
    );
    expect(live.length).toBeGreaterThanOrEqual(3);
    const first = live.slice(0, 3);
    const tsMs = new Date(first[0]!.ts).getTime();
    expect(tsMs).toBeLessThanOrEqual(Date.now());
    const expected = powersAt(demo, tsMs);
    expect(first.map((r) => [r.key, r.value])).toEqual([
      ['grid/power', expected.gridW],
      ['load/power', expected.loadW],
      ['pv/power', expected.pvW],
    ]);
  });

  it('is harmless to start again on the same store (restart): no new site, series, audit entry or backfill rows', async () => {
    const lastGrid = await q<{ ms: string }>(
      `select (extract(epoch from max(r.ts)) * 1000)::bigint::text as ms from readings r join series s on s.id = r.series_id
       where s.site_id = 'demo' and (extract(epoch from r.ts) * 1000)::bigint % 900000 = 0`,
    );
    const before = await gridCounts();
    const again = await startDemo({
      db: t.app.db,
      bus: t.app.writer,
      log: createLogger('silent'),
      intervalS: 3_600,
      dataFile: DEMO_DATA_FILE,
      now: () => Number(lastGrid[0]!.ms),
    });
    await again.stop();
    expect(again.seriesIds).toEqual(t.app.demo!.seriesIds);
    expect(await gridCounts()).toEqual(before);
    expect(await q("select count(*)::int as n from audit_log where site_id = 'demo'")).toEqual([{ n: 1 }]);
    expect(await q("select count(*)::int as n from series where site_id = 'demo'")).toEqual([{ n: 3 }]);
  });
});

describe('LUNA_DEMO=off', () => {
  it('creates no demo site', async () => {
    const t = await startTestApp();
    try {
      expect(t.app.demo).toBeUndefined();
      expect((await t.app.db.query("select 1 from sites where id = 'demo'")).rows).toEqual([]);
    } finally {
      await t.close();
    }
  });
});
