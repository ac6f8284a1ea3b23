import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, startTestAppOn, STORES, type TestApp } from '../test/app.js';
import { listEvents } from '../events/store.js';
import { daysWanted, localMidnightMs, startPriceService, type PriceService } from './service.js';
import { entsoeSource } from './sources.js';
import { listFetches, queryPrices } from './store.js';
import { entsoeHandler, startPeer, type Peer } from './test-peers.js';

const ms = (s: string) => Date.parse(s);
const PASSWORD = 'Day-Ahead-Auktion-13Uhr!';

describe('delivery days (pure)', () => {
  it('before 13:00 local only today; from 13:00 also tomorrow', () => {
    expect(daysWanted(ms('2025-10-31T11:59:00Z'), 'Europe/Berlin', 13).map((d) => d.day)).toEqual(['2025-10-31']);
    expect(daysWanted(ms('2025-10-31T12:00:00Z'), 'Europe/Berlin', 13).map((d) => d.day)).toEqual(['2025-10-31', '2025-11-01']);
  });
  it('local midnight across DST: 23 h and 25 h delivery days', () => {
    expect(localMidnightMs('2025-03-30', 'Europe/Berlin')).toBe(ms('2025-03-29T23:00:00Z'));
    expect(localMidnightMs('2025-03-31', 'Europe/Berlin') - localMidnightMs('2025-03-30', 'Europe/Berlin')).toBe(23 * 3_600_000);
    expect(localMidnightMs('2025-10-27', 'Europe/Berlin') - localMidnightMs('2025-10-26', 'Europe/Berlin')).toBe(25 * 3_600_000);
  });
});

describe.each(STORES)('price fetch scheduler and price routes on $store', ({ store, skip }) => {
  let t: TestApp;
  let peer: Peer;
  let token = '';
  let nowMs = ms('2025-10-31T09:00:00Z'); // 10:00 CET
  let service: PriceService;
  const logs: string[] = [];
  const log = {
    info: (_o: unknown, m?: string) => logs.push(`info ${m ?? ''}`),
    warn: (_o: unknown, m?: string) => logs.push(`warn ${m ?? ''}`),
    debug: () => undefined,
    child() {
      return log;
    },
  } as never;

  beforeAll(async () => {
    if (skip) return;
    t = await startTestAppOn(store, { LUNA_ADMIN_PASSWORD: PASSWORD, LUNA_ANOMALY_SCAN: 'off', LUNA_FORECASTS: 'off' });
    token = (await call(t.base, 'POST', '/auth/login', { body: { username: 'admin', password: PASSWORD } })).body.accessToken;
    expect((await call(t.base, 'POST', '/sites', { token, body: { id: 'werk', name: 'Werk' } })).status).toBe(201);
    peer = await startPeer(entsoeHandler({ token: 'tok', now: () => nowMs }));
    service = startPriceService({
      db: t.app.db,
      log,
      now: () => nowMs,
      firstDelayMs: 3_600_000,
      intervalMs: 3_600_000,
      feeds: [
        {
          scope: 'DE-LU',
          timeZone: 'Europe/Berlin',
          backfillDays: 0,
          source: entsoeSource({ securityToken: 'tok', zone: 'DE-LU', baseUrl: peer.url, sleep: async () => undefined }),
        },
      ],
    });
  });
  afterAll(async () => {
    if (skip) return;
    await service.stop();
    await peer.close();
    await t.close();
  });

  it.skipIf(skip)('10:00: stores today (96 quarter hours) and does not ask for tomorrow yet', async () => {
    await service.tick();
    const today = await queryPrices(t.app.db, 'DE-LU', ms('2025-10-30T23:00:00Z'), ms('2025-10-31T23:00:00Z'));
    expect(today).toHaveLength(96);
    expect(peer.requests.map((r) => r.query.get('periodStart'))).toEqual(['202510302300']);
    await service.tick(); // covered: no second request
    expect(peer.requests).toHaveLength(1);
  });

  it.skipIf(skip)('13:30 and 15:30: tomorrow not published → recorded as no-data, then a prices.missing event', async () => {
    nowMs = ms('2025-10-31T12:30:00Z');
    await service.tick();
    nowMs = ms('2025-10-31T14:30:00Z');
    await service.tick();
    const attempts = await listFetches(t.app.db, 'DE-LU', '2025-11-01');
    expect(attempts.map((a) => [a.attempt, a.outcome])).toEqual([
      [2, 'no-data'],
      [1, 'no-data'],
    ]);
    expect(attempts[0]!.detail).toMatch(/No matching data found/);
    const events = await listEvents(t.app.db, { siteId: 'werk', kindPrefix: 'prices.' });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ kind: 'prices.missing', severity: 'warning' });
    expect(logs.some((l) => l.startsWith('warn') && /still missing after 15:00/.test(l))).toBe(true);
  });

  it.skipIf(skip)(
    '19:00: the auction result (created 17:50Z) is out → stored; GET /sites/:id/prices shows both days without gaps',
    async () => {
      nowMs = ms('2025-10-31T18:00:00Z');
      await service.tick();
      const r = await call(t.base, 'GET', '/sites/werk/prices?from=2025-10-30T23:00:00Z&to=2025-11-01T23:00:00Z', { token });
      expect(r.status).toBe(200);
      expect(r.body.rates).toHaveLength(192);
      expect(r.body.gaps).toEqual([]);
      expect(r.body.rates[0]).toMatchObject({ start: '2025-10-30T23:00:00.000Z', end: '2025-10-30T23:15:00.000Z', source: 'entsoe' });
      expect(r.body.lastFetch).toMatchObject({ deliveryDay: '2025-11-01', outcome: 'ok' });
    },
  );

  it.skipIf(skip)('a window without prices reports the gap', async () => {
    const r = await call(t.base, 'GET', '/sites/werk/prices?from=2025-11-01T23:00:00Z&to=2025-11-02T23:00:00Z', { token });
    expect(r.body.gaps).toEqual([{ from: '2025-11-01T23:00:00.000Z', to: '2025-11-02T23:00:00.000Z' }]);
  });

  it.skipIf(skip)(
    "a site's CSV upload: good lines stored and preferred over market prices, bad lines listed with line and reason",
    async () => {
      const csv = [
        'timestamp;price',
        '2025-10-31T00:00:00+01:00;50,5',
        '2025-10-31T01:00:00+01:00;abc',
        '2025-10-31T02:00:00;60',
        '2025-10-31T02:00:00+01:00;61',
      ].join('\n');
      const up = await call(t.base, 'POST', '/sites/werk/prices', { token, raw: { body: csv, contentType: 'text/csv' } });
      expect(up.status).toBe(200);
      expect(up.body.stored).toBe(2);
      expect(up.body.errors.map((e: { line: number }) => e.line)).toEqual([3, 4]);
      const r = await call(t.base, 'GET', '/sites/werk/prices?from=2025-10-30T23:00:00Z&to=2025-10-31T00:00:00Z', { token });
      expect(r.body.rates[0]).toMatchObject({ priceEurPerMWh: 50.5, source: 'upload' });
      const bad = await call(t.base, 'POST', '/sites/werk/prices', { token, raw: { body: 'nonsense', contentType: 'text/csv' } });
      expect(bad.status).toBe(400);
      expect(bad.body.message).toMatch(/line 1/);
    },
  );
});
