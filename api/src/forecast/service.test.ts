import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_DATA_FILE } from '../config/schema.js';
import { parsePriceCsv } from '../markets/csv.js';
import { upsertPrices } from '../markets/store.js';
import { DEMO_PRICES_FILE } from '../events/services.js';
import { createLogger } from '../ops/logger.js';
import { call, startTestAppOn, STORES, type TestApp } from '../test/app.js';
import { startForecastService, type ForecastService } from './service.js';

const PASSWORD = 'Prognose-mit-Ausgabezeit-1!';
const ms = (s: string) => Date.parse(s);
const START = ms('2023-01-01T23:00:00Z');
const ISSUE = START + 63 * 86_400_000 + 12 * 3_600_000; // Monday 2023-03-06 13:00 CET

describe.each(STORES)('forecast service: issue on schedule, store with issue time, serve by issuedBefore, on $store', ({ store, skip }) => {
  let t: TestApp;
  let token = '';
  let service: ForecastService;

  beforeAll(async () => {
    if (skip) return;
    t = await startTestAppOn(store, { LUNA_ADMIN_PASSWORD: PASSWORD, LUNA_ANOMALY_SCAN: 'off', LUNA_FORECASTS: 'off' });
    token = (await call(t.base, 'POST', '/auth/login', { body: { username: 'admin', password: PASSWORD } })).body.accessToken;
    expect((await call(t.base, 'POST', '/sites', { token, body: { id: 'werk', name: 'Werk', timeZone: 'Europe/Berlin' } })).status).toBe(
      201,
    );
    await t.app.db.query('update sites set latitude = 51.3, longitude = 9.45 where id = $1', ['werk']);
    const ids: Record<string, number> = {};
    for (const key of ['load/power', 'pv/power'])
      ids[key] = (
        await call(t.base, 'POST', '/sites/werk/series', {
          token,
          body: { key, quantity: 'active_power', semantics: 'instantaneous', intervalS: 900 },
        })
      ).body.id;
    // the demo's real measured load and its PV model, 9 weeks before the issue time
    const rows = readFileSync(DEMO_DATA_FILE, 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((r) => r.split(','));
    const readings = rows
      .map(([ts, load, pv]) => ({ tsMs: ms(ts!), load: Number(load) * 1000, pv: Number(pv) * 1000 }))
      .filter((p) => p.tsMs >= START && p.tsMs < ISSUE)
      .flatMap((p) => [
        { seriesId: ids['load/power']!, tsMs: p.tsMs, value: p.load, quality: 'measured' as const },
        { seriesId: ids['pv/power']!, tsMs: p.tsMs, value: p.pv, quality: 'measured' as const },
      ]);
    await t.app.writer.enqueue(readings);
    await t.app.writer.sync();
    // real 2023 DE-LU day-ahead prices, published up to the end of the issue day + 1 (13:00 auction)
    const prices = parsePriceCsv(readFileSync(DEMO_PRICES_FILE, 'utf8')).rates.filter((r) => r.endMs <= START + 65 * 86_400_000);
    await upsertPrices(t.app.db, 'DE-LU', 'entsoe', prices);
    service = startForecastService({
      db: t.app.db,
      log: createLogger('silent'),
      priceZone: 'DE-LU',
      firstDelayMs: 3_600_000,
      now: () => ISSUE,
    });
  });
  afterAll(async () => {
    if (skip) return;
    await service.stop();
    await t.close();
  });

  it.skipIf(skip)('issues a load, a PV and a price forecast for the site and stores them', async () => {
    const [report] = await service.tick();
    expect(report!.skipped.filter((s) => !s.startsWith('pv'))).toEqual([]);
    expect(report!.stored).toEqual(expect.arrayContaining(['load.profile', 'price.profile']));
    expect(report!.stored.some((m) => m.startsWith('pv.'))).toBe(true);
  });

  it.skipIf(skip)('GET /sites/:id/forecasts?target=load: 48 h of p10 ≤ p50 ≤ p90 in W from the issue time', async () => {
    const r = await call(t.base, 'GET', '/sites/werk/forecasts?target=load', { token });
    expect(r.status).toBe(200);
    const fc = r.body.forecasts.find((f: { model: string }) => f.model === 'load.profile');
    expect(fc).toMatchObject({ unit: 'W', issuedAt: new Date(ISSUE).toISOString(), start: new Date(ISSUE).toISOString(), stepMinutes: 15 });
    expect(fc.p50).toHaveLength(192);
    for (let i = 0; i < 192; i++) {
      expect(fc.p10[i]).toBeLessThanOrEqual(fc.p50[i]);
      expect(fc.p50[i]).toBeLessThanOrEqual(fc.p90[i]);
    }
    // plausibility against the real load: a working day's mean within 40 % of what was measured next day
    const realNext = readFileSync(DEMO_DATA_FILE, 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split(','))
      .filter(([ts]) => ms(ts!) >= ISSUE && ms(ts!) < ISSUE + 86_400_000)
      .map(([, kw]) => Number(kw) * 1000);
    const mean = (a: number[]) => a.reduce((x, y) => x + y, 0) / a.length;
    expect(Math.abs(mean(fc.p50.slice(0, 96)) / mean(realNext) - 1)).toBeLessThan(0.4);
  });

  it.skipIf(skip)('the price forecast copies the published day-ahead prices where they exist', async () => {
    const r = await call(t.base, 'GET', '/sites/werk/forecasts?target=price', { token });
    const fc = r.body.forecasts[0];
    expect(fc.unit).toBe('EUR/MWh');
    expect(fc.p10[0]).toBe(fc.p90[0]); // published: no spread
  });

  it.skipIf(skip)(
    'issuedBefore earlier than the first issue: no forecast; a second issue an hour later is kept beside the first',
    async () => {
      const before = await call(t.base, 'GET', `/sites/werk/forecasts?target=load&issuedBefore=${new Date(ISSUE - 1000).toISOString()}`, {
        token,
      });
      expect(before.body.forecasts).toEqual([]);
      await service.issueSite('werk', ISSUE + 3_600_000);
      const latest = await call(t.base, 'GET', '/sites/werk/forecasts?target=load&model=load.profile', { token });
      expect(latest.body.forecasts[0].issuedAt).toBe(new Date(ISSUE + 3_600_000).toISOString());
      const asOf = await call(
        t.base,
        'GET',
        `/sites/werk/forecasts?target=load&model=load.profile&issuedBefore=${new Date(ISSUE + 60_000).toISOString()}`,
        { token },
      );
      expect(asOf.body.forecasts[0].issuedAt).toBe(new Date(ISSUE).toISOString());
    },
  );
});
