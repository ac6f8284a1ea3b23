import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scanOnce } from '../anomaly/scan.js';
import { createLogger } from '../ops/logger.js';
import { DEMO_DATA_FILE } from '../config/schema.js';
import { call, startTestAppOn, STORES, type TestApp } from '../test/app.js';
import { listEvents, upsertEvents } from './store.js';

const PASSWORD = 'Ereignis-Quittung-2026!';
const Q = 900_000;
const ms = (s: string) => Date.parse(s);
const silent = createLogger('silent');

/** Nine weeks of the demo's real measured load (kW → W), 2023-01-02 Monday 00:00 CET on. */
function realLoad(): Array<{ tsMs: number; value: number }> {
  const rows = readFileSync(DEMO_DATA_FILE, 'utf8').trim().split('\n').slice(1);
  const from = ms('2023-01-01T23:00:00Z');
  return rows
    .map((r) => r.split(','))
    .map(([ts, kw]) => ({ tsMs: ms(ts!), value: Number(kw) * 1000 }))
    .filter((p) => p.tsMs >= from && p.tsMs < from + 63 * 86_400_000);
}

describe.each(STORES)('events: anomaly scan → events → list and acknowledge, on $store', ({ store, skip }) => {
  let t: TestApp;
  let admin = '';
  let seriesId = 0;
  const end = ms('2023-01-01T23:00:00Z') + 63 * 86_400_000;
  const stuckFrom = end - 30 * 3_600_000; // 6 h stuck, then a 2 h gap, in the last two days
  const gapFrom = end - 10 * 3_600_000;

  beforeAll(async () => {
    if (skip) return;
    t = await startTestAppOn(store, { LUNA_ADMIN_PASSWORD: PASSWORD, LUNA_ANOMALY_SCAN: 'off', LUNA_FORECASTS: 'off' });
    admin = (await call(t.base, 'POST', '/auth/login', { body: { username: 'admin', password: PASSWORD } })).body.accessToken;
    expect(
      (await call(t.base, 'POST', '/sites', { token: admin, body: { id: 'werk', name: 'Werk', timeZone: 'Europe/Berlin' } })).status,
    ).toBe(201);
    seriesId = (
      await call(t.base, 'POST', '/sites/werk/series', {
        token: admin,
        body: { key: 'load/power', quantity: 'active_power', semantics: 'instantaneous', intervalS: 900 },
      })
    ).body.id;
    const points = realLoad();
    const held = points.find((p) => p.tsMs === stuckFrom)!.value;
    const faulty = points
      .filter((p) => !(p.tsMs >= gapFrom && p.tsMs < gapFrom + 2 * 3_600_000))
      .map((p) => (p.tsMs >= stuckFrom && p.tsMs < stuckFrom + 6 * 3_600_000 ? { ...p, value: held } : p));
    await t.app.writer.enqueue(faulty.map((p) => ({ seriesId, tsMs: p.tsMs, value: p.value, quality: 'measured' as const })));
    await t.app.writer.sync(); // raw readings and their 15-minute rollups, which the scan reads
  });
  afterAll(async () => {
    if (!skip) await t.close();
  });

  it.skipIf(skip)('finds the injected 6 h stuck meter and the 2 h gap in the real load and stores them as events', async () => {
    const report = await scanOnce(t.app.db, silent, end + 2 * Q);
    expect(report.failed).toEqual([]);
    const events = await listEvents(t.app.db, { siteId: 'werk' });
    const flat = events.find((e) => e.kind === 'anomaly.flatline');
    const gap = events.find((e) => e.kind === 'anomaly.gap');
    expect(flat).toMatchObject({ seriesId, severity: 'warning', start: new Date(stuckFrom).toISOString() });
    expect(gap).toMatchObject({ seriesId, start: new Date(gapFrom).toISOString(), end: new Date(gapFrom + 2 * 3_600_000).toISOString() });
    expect(flat!.message).toMatch(/^load\/power: The reading stayed at .* kW for 6 h/);
  });

  it.skipIf(skip)('a second scan adds no duplicate', async () => {
    const before = (await listEvents(t.app.db, { siteId: 'werk', limit: 1000 })).length;
    const report = await scanOnce(t.app.db, silent, end + 2 * Q);
    expect(report.created).toBe(0);
    expect((await listEvents(t.app.db, { siteId: 'werk', limit: 1000 })).length).toBe(before);
  });

  it.skipIf(skip)('an event that grows is updated in place; its severity never drops', async () => {
    const base = { siteId: 'werk', kind: 'anomaly.gap', message: 'm', dedupKey: 'k1', startMs: 0, endMs: Q };
    expect(await upsertEvents(t.app.db, [{ ...base, severity: 'critical' }])).toEqual({ created: 1, updated: 0 });
    expect(await upsertEvents(t.app.db, [{ ...base, severity: 'info', endMs: 4 * Q }])).toEqual({ created: 0, updated: 1 });
    const e = (await listEvents(t.app.db, { siteId: 'werk', kindPrefix: 'anomaly.gap', limit: 1000 })).find(
      (x) => x.start === new Date(0).toISOString(),
    )!;
    expect(e).toMatchObject({ severity: 'critical', end: new Date(4 * Q).toISOString() });
  });

  it.skipIf(skip)('GET /sites/:id/events filters by severity and kind; an operator acknowledges, once', async () => {
    const list = await call(t.base, 'GET', '/sites/werk/events?kind=anomaly.flatline&severity=warning', { token: admin });
    expect(list.status).toBe(200);
    expect(list.body.length).toBeGreaterThanOrEqual(1);
    expect(list.body.every((e: { kind: string }) => e.kind === 'anomaly.flatline')).toBe(true);
    const id = list.body[0].id as number;
    expect(
      (
        await call(t.base, 'POST', '/users', {
          token: admin,
          body: { username: 'schichtleiter', password: PASSWORD, roles: [{ siteId: 'werk', role: 'operator' }] },
        })
      ).status,
    ).toBe(201);
    const op = (await call(t.base, 'POST', '/auth/login', { body: { username: 'schichtleiter', password: PASSWORD } })).body.accessToken;
    const ack = await call(t.base, 'POST', `/sites/werk/events/${id}/ack`, { token: op });
    expect(ack.status).toBe(200);
    expect(ack.body.acknowledgedBy).toBe('schichtleiter');
    const again = await call(t.base, 'POST', `/sites/werk/events/${id}/ack`, { token: admin });
    expect(again.body.acknowledgedBy).toBe('schichtleiter');
    expect(again.body.acknowledgedAt).toBe(ack.body.acknowledgedAt);
    const open = await call(t.base, 'GET', '/sites/werk/events?unacknowledged=true&limit=1000', { token: admin });
    expect(open.body.some((e: { id: number }) => e.id === id)).toBe(false);
    expect((await call(t.base, 'POST', '/sites/werk/events/999999/ack', { token: admin })).status).toBe(404);
  });
});
