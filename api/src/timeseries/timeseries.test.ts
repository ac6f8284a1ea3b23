/**
 * Ingest → store → read, the same cases on PGlite and on the real PostgreSQL: batch validation with
 * partial acceptance, idempotent re-sends, corrections, quarantine and ingest log, raw reads,
 * rollups in UTC buckets and in local days across the DST change, gaps.
 */
import { afterAll, beforeAll, describe, expect, it as itBase } from 'vitest';
import { call, STORES, startTestAppOn, type TestApp } from '../test/app.js';

const ADMIN_PASSWORD = 'Sonnenstrom-2026!';
describe.each(STORES)('time series on $store', ({ store, skip }) => {
  const it = skip ? itBase.skip : itBase;
  let t: TestApp;
  let admin = '';
  let key = '';
  const series: Record<string, number> = {};
  const ingest = (body: unknown, token = key) => call(t.base, 'POST', '/ingest/readings', { token, body });

  beforeAll(async () => {
    if (skip) return;
    t = await startTestAppOn(store, { LUNA_ADMIN_PASSWORD: ADMIN_PASSWORD });
    admin = (await call(t.base, 'POST', '/auth/login', { body: { username: 'admin', password: ADMIN_PASSWORD } })).body.accessToken;
    await call(t.base, 'POST', '/sites', { token: admin, body: { id: 'musterwerk', name: 'Musterwerk', timeZone: 'Europe/Berlin' } });
    await call(t.base, 'POST', '/sites', { token: admin, body: { id: 'other', name: 'Other' } });
    for (const [k, quantity, semantics, intervalS] of [
      ['grid/power', 'active_power', 'instantaneous', 900],
      ['grid/import', 'energy_import', 'interval', 900],
      ['meter-1/register', 'energy_import', 'cumulative', undefined],
      ['battery/soc', 'state_of_charge', 'instantaneous', undefined],
    ] as const) {
      const r = await call(t.base, 'POST', '/sites/musterwerk/series', {
        token: admin,
        body: { key: k, quantity, semantics, ...(intervalS ? { intervalS } : {}) },
      });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      series[k] = r.body.id;
    }
    const other = await call(t.base, 'POST', '/sites/other/series', {
      token: admin,
      body: { key: 'grid/power', quantity: 'active_power', semantics: 'instantaneous' },
    });
    series.other = other.body.id;
    key = (
      await call(t.base, 'POST', '/api-keys', { token: admin, body: { name: 'gateway', siteId: 'musterwerk', scopes: ['ingest', 'read'] } })
    ).body.secret;
  });
  afterAll(async () => {
    if (skip) return;
    await t.close();
  });

  it('keeps the good readings of a batch and rejects the bad ones by index, field and reason', async () => {
    const r = await ingest({
      siteId: 'musterwerk',
      readings: [
        { series: 'grid/power', ts: '2025-06-14T10:00:00Z', value: 312.5, unit: 'kW' },
        { series: series['grid/power'], ts: Date.parse('2025-06-14T10:15:00Z'), value: 298000 },
        { series: 'grid/power', ts: '2025-06-14T10:30:00', value: 1 },
        { series: 'grid/power', ts: '2025-06-14T10:45:00Z', value: 'viel' },
        { series: 'nope', ts: '2025-06-14T10:45:00Z', value: 1 },
        { series: series.other, ts: '2025-06-14T10:45:00Z', value: 1 },
        { series: 'grid/power', ts: '2025-06-14T10:45:00Z', value: 5, unit: 'kWh' },
        { series: 'battery/soc', ts: '2025-06-14T10:45:00Z', value: 55.5, unit: '%', quality: 'estimated' },
        { series: 'battery/soc', ts: '2025-06-14T11:00:00Z', value: 56, quality: 'good' },
        { series: 'meter-1/register', ts: '2025-06-14T11:00:00Z', value: -3 },
        { series: 'grid/power', ts: '2025-06-14T11:00:00Z', value: 1, comment: 'x' },
      ],
    });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      accepted: 3,
      updated: 0,
      duplicate: 0,
      buffered: 0,
      rejected: [
        {
          index: 2,
          field: 'ts',
          reason: '"2025-06-14T10:30:00" is not a time: use ISO 8601 with offset (2025-10-26T01:15:00Z) or epoch milliseconds',
        },
        { index: 3, field: 'value', reason: '"viel" is not a finite number' },
        { index: 4, field: 'series', reason: 'unknown series "nope" on this site — create it first (POST /sites/{siteId}/series)' },
        {
          index: 5,
          field: 'series',
          reason: `unknown series ${series.other} on this site — create it first (POST /sites/{siteId}/series)`,
        },
        { index: 6, field: 'unit', reason: '"kWh" does not fit series grid/power, which is measured in W' },
        { index: 8, field: 'quality', reason: 'must be one of measured, estimated, substituted, invalid' },
        { index: 9, field: 'value', reason: 'a meter register cannot be negative' },
        { index: 10, field: 'comment', reason: 'unknown field "comment" (allowed: series, ts, value, unit, quality)' },
      ],
    });
    const q = await t.app.db.query<{ n: number }>(`select count(*)::int as n from quarantine where site_id = 'musterwerk'`);
    expect(q.rows[0]!.n).toBe(8);
    const log = await t.app.db.query<{ accepted: number; rejected: number; source: string }>(
      'select accepted, rejected, source from ingest_log order by id desc limit 1',
    );
    expect(log.rows[0]).toEqual({ accepted: 3, rejected: 8, source: 'rest:gateway' });
    const raw = await call(
      t.base,
      'GET',
      `/sites/musterwerk/series/${series['grid/power']}/readings?from=2025-06-14T10:00:00Z&to=2025-06-14T11:00:00Z&resolution=raw`,
      { token: key },
    );
    expect(raw.body.points).toEqual([
      { ts: '2025-06-14T10:00:00.000Z', value: 312500, quality: 'measured', n: 1 },
      { ts: '2025-06-14T10:15:00.000Z', value: 298000, quality: 'measured', n: 1 },
    ]);
    expect(raw.body.gaps).toEqual([{ from: '2025-06-14T10:30:00.000Z', to: '2025-06-14T11:00:00.000Z' }]);
  });

  it('treats a re-sent batch as duplicates and a changed value as a correction', async () => {
    const batch = { siteId: 'musterwerk', readings: [{ series: 'grid/power', ts: '2025-06-14T10:00:00Z', value: 312.5, unit: 'kW' }] };
    expect((await ingest(batch)).body).toMatchObject({ accepted: 0, duplicate: 1, updated: 0 });
    const corrected = await ingest({
      siteId: 'musterwerk',
      readings: [{ series: 'grid/power', ts: '2025-06-14T10:00:00Z', value: 310, unit: 'kW', quality: 'substituted' }],
    });
    expect(corrected.body).toMatchObject({ accepted: 0, duplicate: 0, updated: 1 });
    const twiceInOne = await ingest({
      siteId: 'musterwerk',
      readings: [
        { series: 'battery/soc', ts: '2025-06-14T12:00:00Z', value: 60 },
        { series: 'battery/soc', ts: '2025-06-14T12:00:00Z', value: 61 },
      ],
    });
    expect(twiceInOne.body).toMatchObject({ accepted: 1, duplicate: 1 });
    const latest = (await call(t.base, 'GET', '/sites/musterwerk/series', { token: key })).body.find(
      (s: { key: string }) => s.key === 'battery/soc',
    );
    expect(latest.latest).toEqual({ ts: '2025-06-14T12:00:00.000Z', value: 61, quality: 'measured' });
  });

  it('refuses a site the key does not belong to, and a missing site', async () => {
    expect((await ingest({ siteId: 'other', readings: [] })).status).toBe(403);
    const missing = await ingest({ readings: [] });
    expect(missing.status).toBe(400);
    expect(missing.body.message).toBe('body/siteId is required: the site the data belongs to');
  });

  it('rolls up into 15-minute and hourly buckets and into local days across the autumn DST change', async () => {
    // 2025-10-26 in Europe/Berlin has 25 hours: local midnight to midnight is 2025-10-25T22:00Z … 2025-10-26T23:00Z.
    const readings = [];
    for (let t0 = Date.parse('2025-10-25T21:00:00Z'); t0 < Date.parse('2025-10-27T00:00:00Z'); t0 += 900_000) {
      readings.push({ series: 'grid/import', ts: t0, value: 250 }); // 250 Wh per quarter hour = 1 kW
    }
    const r = await ingest({ siteId: 'musterwerk', readings });
    expect(r.body.accepted).toBe(readings.length);
    await t.app.writer.sync();
    const id = series['grid/import'];
    const hourly = await call(
      t.base,
      'GET',
      `/sites/musterwerk/series/${id}/readings?from=2025-10-26T00:00:00Z&to=2025-10-26T03:00:00Z&resolution=1h&agg=sum`,
      { token: key },
    );
    expect(hourly.body.points).toEqual([
      { ts: '2025-10-26T00:00:00.000Z', value: 1000, quality: 'measured', n: 4 },
      { ts: '2025-10-26T01:00:00.000Z', value: 1000, quality: 'measured', n: 4 },
      { ts: '2025-10-26T02:00:00.000Z', value: 1000, quality: 'measured', n: 4 },
    ]);
    const daily = await call(
      t.base,
      'GET',
      `/sites/musterwerk/series/${id}/readings?from=2025-10-25T22:00:00Z&to=2025-10-26T23:00:00Z&resolution=1d&agg=sum`,
      { token: key },
    );
    expect(daily.body.points).toEqual([{ ts: '2025-10-25T22:00:00.000Z', value: 25 * 1000, quality: 'measured', n: 100 }]);
    const avg15 = await call(
      t.base,
      'GET',
      `/sites/musterwerk/series/${id}/readings?from=2025-10-26T00:00:00Z&to=2025-10-26T00:30:00Z&resolution=15m`,
      { token: key },
    );
    expect(avg15.body.points.map((p: { value: number }) => p.value)).toEqual([250, 250]);
    // a correction inside an hour is reflected in that hour's rollup
    await ingest({ siteId: 'musterwerk', readings: [{ series: 'grid/import', ts: '2025-10-26T01:15:00Z', value: 500 }] });
    await t.app.writer.sync();
    const after = await call(
      t.base,
      'GET',
      `/sites/musterwerk/series/${id}/readings?from=2025-10-26T01:00:00Z&to=2025-10-26T02:00:00Z&resolution=1h&agg=sum`,
      { token: key },
    );
    expect(after.body.points[0].value).toBe(1250);
  });

  it('says which resolution it chose and rejects an empty range', async () => {
    const id = series['grid/import'];
    const week = await call(t.base, 'GET', `/sites/musterwerk/series/${id}/readings?from=2025-10-20T00:00:00Z&to=2025-10-27T00:00:00Z`, {
      token: key,
    });
    expect(week.body.resolution).toBe('15m');
    const bad = await call(t.base, 'GET', `/sites/musterwerk/series/${id}/readings?from=2025-10-27T00:00:00Z&to=2025-10-20T00:00:00Z`, {
      token: key,
    });
    expect(bad.status).toBe(400);
    expect(
      (await call(t.base, 'GET', `/sites/other/series/${id}/readings?from=2025-10-20T00:00:00Z&to=2025-10-27T00:00:00Z`, { token: admin }))
        .status,
    ).toBe(404);
  });
});
