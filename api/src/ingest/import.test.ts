/** CSV import over HTTP on the real service: preview, import, re-import, rejected rows, rollups over the DST day. */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it as itBase } from 'vitest';
import { call, STORES, startTestAppOn, type TestApp } from '../test/app.js';

const ADMIN_PASSWORD = 'Sonnenstrom-2026!';
const fixture = (name: string) => readFileSync(new URL(`./csv/fixtures/${name}`, import.meta.url));

describe.each(STORES)('CSV import over HTTP on $store', ({ store, skip }) => {
  const it = skip ? itBase.skip : itBase;
  let t: TestApp;
  let engineer = '';
  let viewer = '';

  const upload = async (name: string, token = engineer) => {
    const res = await fetch(`${t.base}/sites/musterwerk/imports/preview?filename=${encodeURIComponent(name)}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv' },
      body: fixture(name),
    });
    return { status: res.status, body: (await res.json()) as any }; // eslint-disable-line @typescript-eslint/no-explicit-any
  };

  beforeAll(async () => {
    if (skip) return;
    t = await startTestAppOn(store, { LUNA_ADMIN_PASSWORD: ADMIN_PASSWORD });
    const admin = (await call(t.base, 'POST', '/auth/login', { body: { username: 'admin', password: ADMIN_PASSWORD } })).body.accessToken;
    await call(t.base, 'POST', '/sites', { token: admin, body: { id: 'musterwerk', name: 'Musterwerk', timeZone: 'Europe/Berlin' } });
    for (const [username, role] of [
      ['ingenieurin', 'engineer'],
      ['zuschauer', 'viewer'],
    ]) {
      await call(t.base, 'POST', '/users', {
        token: admin,
        body: { username, password: 'Lastgang-Leistungspreis-15', roles: [{ siteId: 'musterwerk', role }] },
      });
    }
    engineer = (await call(t.base, 'POST', '/auth/login', { body: { username: 'ingenieurin', password: 'Lastgang-Leistungspreis-15' } }))
      .body.accessToken;
    viewer = (await call(t.base, 'POST', '/auth/login', { body: { username: 'zuschauer', password: 'Lastgang-Leistungspreis-15' } })).body
      .accessToken;
  });
  afterAll(async () => {
    if (skip) return;
    await t.close();
  });

  it('previews a German Lastgang with the mapping it detected, writing nothing', async () => {
    const p = await upload('a_lastgang_autumn_2025-10-26_utf8bom.csv');
    expect(p.status).toBe(200);
    expect(p.body).toMatchObject({ encoding: 'utf-8', rowCount: 100, rejectionCount: 0 });
    expect(p.body.mapping.values).toEqual([
      expect.objectContaining({ column: 3, unit: 'kWh', canonicalUnit: 'Wh', quantity: 'energy_import', semantics: 'interval' }),
    ]);
    expect(p.body.sample[0]).toEqual({
      line: 7,
      ts: '2025-10-25T22:00:00.000Z',
      values: [{ column: 3, value: 4212, quality: 'measured' }],
    });
    expect(p.body.suggestedSeries).toEqual([
      { column: 3, key: 'wirkarbeit-bezug', quantity: 'energy_import', semantics: 'interval', unit: 'Wh' },
    ]);
    const n = await t.app.db.query<{ n: number }>('select count(*)::int as n from readings');
    expect(n.rows[0]!.n).toBe(0);
  });

  it('imports the mapped column into a new series, and a second import changes nothing', async () => {
    const p = await upload('a_lastgang_autumn_2025-10-26_utf8bom.csv');
    const body = {
      uploadId: p.body.uploadId,
      filename: 'a_lastgang_autumn_2025-10-26_utf8bom.csv',
      columns: [{ column: 3, key: 'netz/bezug', create: { quantity: 'energy_import', semantics: 'interval', intervalS: 900 } }],
    };
    const first = await call(t.base, 'POST', '/sites/musterwerk/imports', { token: engineer, body });
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body).toEqual({ rows: 100, accepted: 100, updated: 0, duplicate: 0, buffered: 0, rejected: [] });
    const again = await call(t.base, 'POST', '/sites/musterwerk/imports', { token: engineer, body });
    expect(again.body).toEqual({ rows: 100, accepted: 0, updated: 0, duplicate: 100, buffered: 0, rejected: [] });

    await t.app.writer.sync();
    const series = (await call(t.base, 'GET', '/sites/musterwerk/series', { token: viewer })).body.find(
      (s: { key: string }) => s.key === 'netz/bezug',
    );
    const day = await call(
      t.base,
      'GET',
      `/sites/musterwerk/series/${series.id}/readings?from=2025-10-25T22:00:00Z&to=2025-10-26T23:00:00Z&resolution=1d&agg=sum`,
      { token: viewer },
    );
    expect(day.body.points).toHaveLength(1);
    expect(day.body.points[0]).toMatchObject({ ts: '2025-10-25T22:00:00.000Z', n: 100 });
    const sumWh = await t.app.db.query<{ s: number }>('select sum(value) as s from readings where series_id = $1', [series.id]);
    expect(day.body.points[0].value).toBeCloseTo(sumWh.rows[0]!.s, 6);
  });

  it('reports bad rows by line and field and keeps the good ones', async () => {
    const p = await upload('e_text_in_number.csv');
    expect(p.body.rejectionCount).toBe(4);
    const r = await call(t.base, 'POST', '/sites/musterwerk/imports', {
      token: engineer,
      body: {
        uploadId: p.body.uploadId,
        filename: 'e_text_in_number.csv',
        columns: [{ column: 2, key: 'netz/leistung', create: { quantity: 'active_power', semantics: 'instantaneous' } }],
      },
    });
    expect(r.body).toMatchObject({ rows: 3, accepted: 3 });
    expect(r.body.rejected).toEqual([
      { line: 3, field: 'Wirkleistung [kW]', reason: '"abc" in column "Wirkleistung [kW]" is not a number' },
      { line: 5, field: 'Wirkleistung [kW]', reason: '"-" in column "Wirkleistung [kW]" is not a number' },
      { line: 6, field: 'Wirkleistung [kW]', reason: 'empty value in column "Wirkleistung [kW]"' },
      { line: 7, field: 'Wirkleistung [kW]', reason: '"12.5" in column "Wirkleistung [kW]" is not a number' },
    ]);
    const q = await t.app.db.query<{ line: number; reason: string }>(
      `select line, reason from quarantine where source like 'csv:e_text_in_number.csv%' order by line`,
    );
    expect(q.rows.map((x) => x.line)).toEqual([3, 5, 6, 7]);
  });

  it('refuses a unit that does not fit the series, an unknown upload, and viewers', async () => {
    const p = await upload('e_text_in_number.csv');
    const wrong = await call(t.base, 'POST', '/sites/musterwerk/imports', {
      token: engineer,
      body: { uploadId: p.body.uploadId, filename: 'e_text_in_number.csv', columns: [{ column: 2, key: 'netz/bezug' }] },
    });
    expect(wrong.status).toBe(400);
    expect(wrong.body.message).toBe('Column 2 is in W but series netz/bezug is measured in Wh');
    const unknown = await call(t.base, 'POST', '/sites/musterwerk/imports', {
      token: engineer,
      body: { uploadId: 'f'.repeat(64), filename: 'x.csv', columns: [{ column: 2, key: 'x' }] },
    });
    expect(unknown.status).toBe(404);
    expect((await upload('e_text_in_number.csv', viewer)).status).toBe(403);
  });
});
