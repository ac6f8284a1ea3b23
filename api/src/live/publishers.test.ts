/** The publishers on both stores (PGlite and, with DATABASE_URL, PostgreSQL): what reaches the bus. */
import { describe, expect, it } from 'vitest';
import { call, STORES, startTestAppOn } from '../test/app.js';
import { upsertEvents } from '../events/store.js';
import { newestPerSeries } from './publishers.js';
import { LIVE_TOPICS, type LiveEvent, type LiveReadings } from './topics.js';

describe('newestPerSeries', () => {
  it('keeps the newest reading of each series, whatever the order', () => {
    const q = 'measured' as const;
    expect(
      newestPerSeries([
        { seriesId: 1, tsMs: 20, value: 2, quality: q },
        { seriesId: 2, tsMs: 5, value: 9, quality: q },
        { seriesId: 1, tsMs: 30, value: 3, quality: q },
        { seriesId: 1, tsMs: 10, value: 1, quality: q },
      ]),
    ).toEqual([
      { seriesId: 1, tsMs: 30, value: 3 },
      { seriesId: 2, tsMs: 5, value: 9 },
    ]);
  });
});

describe.each(STORES)('publishers on $store', ({ store, skip }) => {
  it.skipIf(skip)('puts accepted readings (by site, with the series key) and changed events on the bus', async () => {
    const t = await startTestAppOn(store, { LUNA_ADMIN_PASSWORD: 'Sonnenstrom-2026!' });
    try {
      const token = (await call(t.base, 'POST', '/auth/login', { body: { username: 'admin', password: 'Sonnenstrom-2026!' } })).body
        .accessToken as string;
      const ids: Record<string, number> = {};
      for (const site of ['werk-a', 'werk-b']) {
        expect((await call(t.base, 'POST', '/sites', { token, body: { id: site, name: site } })).status).toBe(201);
        const s = await call(t.base, 'POST', `/sites/${site}/series`, {
          token,
          body: { key: `${site}/pv`, quantity: 'active_power', semantics: 'instantaneous' },
        });
        ids[site] = s.body.id as number;
      }
      const readings: LiveReadings[] = [];
      const events: LiveEvent[] = [];
      t.app.bus.subscribe(LIVE_TOPICS.readings, (m) => void readings.push(m as LiveReadings));
      t.app.bus.subscribe(LIVE_TOPICS.event, (m) => void events.push(m as LiveEvent));
      await t.app.writer.enqueue([
        { seriesId: ids['werk-a']!, tsMs: 1_000, value: 1, quality: 'measured' },
        { seriesId: ids['werk-b']!, tsMs: 2_000, value: 2, quality: 'measured' },
        { seriesId: ids['werk-a']!, tsMs: 3_000, value: 3, quality: 'measured' },
      ]);
      await t.app.liveReadings.idle();
      expect(readings.sort((x, y) => x.siteId.localeCompare(y.siteId))).toEqual([
        { siteId: 'werk-a', readings: [{ seriesId: ids['werk-a'], key: 'werk-a/pv', tsMs: 3_000, value: 3 }] },
        { siteId: 'werk-b', readings: [{ seriesId: ids['werk-b'], key: 'werk-b/pv', tsMs: 2_000, value: 2 }] },
      ]);
      await upsertEvents(t.app.db, [
        { siteId: 'werk-b', kind: 'prices.missing', severity: 'critical', startMs: 0, endMs: 1, message: 'no prices', dedupKey: 'k' },
      ]);
      // the same again changes nothing: no second message
      await upsertEvents(t.app.db, [
        { siteId: 'werk-b', kind: 'prices.missing', severity: 'critical', startMs: 0, endMs: 1, message: 'no prices', dedupKey: 'k' },
      ]);
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({ siteId: 'werk-b', event: { kind: 'prices.missing', severity: 'critical', message: 'no prices' } });
    } finally {
      await t.close();
    }
  });
});
