import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_DATA_DIR } from '../tariffs/reference-site.js';
import { createLogger } from '../ops/logger.js';
import { call, startTestAppOn, STORES, type TestApp } from '../test/app.js';
import { openMeteoClient, OPEN_METEO_HOURLY } from './client.js';
import { parseDwdTry } from './dwd-try.js';
import type { WeatherRecord } from './model.js';
import { startWeatherService, type WeatherService } from './service.js';

// A local Open-Meteo peer (no internet here). It answers in Open-Meteo's documented JSON format
// (hourly block, *_units, unixtime) with REAL hourly values: DWD's test reference year TRY2010,
// region 7 (credit: Deutscher Wetterdienst), laid on 2023. No real Open-Meteo response is in
// ../shared/data, so the envelope is built after the API documentation.
const TRY = join(DEFAULT_DATA_DIR, 'weather', 'dwd_try2010_15regions_hourly.csv');
const haveTry = existsSync(TRY);
const ms = (s: string) => Date.parse(s);
const NOW = ms('2023-06-21T10:20:00Z');
const PASSWORD = 'Globalstrahlung-Kassel-7!';

function openMeteoJson(records: readonly WeatherRecord[], fromMs: number, toMs: number) {
  const rows = records.filter((r) => r.endMs > fromMs && r.endMs <= toMs);
  return {
    latitude: 51.3,
    longitude: 9.45,
    generationtime_ms: 0.2,
    utc_offset_seconds: 0,
    timezone: 'GMT',
    timezone_abbreviation: 'GMT',
    elevation: 231,
    hourly_units: {
      time: 'unixtime',
      temperature_2m: '°C',
      shortwave_radiation: 'W/m²',
      direct_normal_irradiance: 'W/m²',
      diffuse_radiation: 'W/m²',
      cloud_cover: '%',
      wind_speed_10m: 'm/s',
    },
    hourly: {
      time: rows.map((r) => r.endMs / 1000),
      temperature_2m: rows.map((r) => r.tempC ?? null),
      shortwave_radiation: rows.map((r) => r.ghiWPerM2 ?? null),
      direct_normal_irradiance: rows.map(() => null), // TRY has no DNI
      diffuse_radiation: rows.map((r) => r.dhiWPerM2 ?? null),
      cloud_cover: rows.map((r) => r.cloudCoverPct ?? null),
      wind_speed_10m: rows.map((r) => r.windMPerS ?? null),
    },
  };
}

describe.skipIf(!haveTry)('Open-Meteo client and weather service against a local peer', () => {
  let records: WeatherRecord[] = [];
  let server: Server;
  let base = '';
  const seen: URLSearchParams[] = [];

  beforeAll(async () => {
    records = parseDwdTry(readFileSync(TRY, 'utf8'), { year: 2023, regions: [7] }).regions.get(7)!.records;
    server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://peer');
      const q = url.searchParams;
      seen.push(q);
      const fail = (reason: string) =>
        res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: true, reason }));
      if (q.get('timeformat') !== 'unixtime' || q.get('timezone') !== 'GMT')
        return fail('this peer only serves timeformat=unixtime&timezone=GMT');
      if (q.get('latitude') === '99.0000') return fail('Latitude must be in range of -90 to 90°. Given: 99.0.');
      let fromMs: number;
      let toMs: number;
      if (url.pathname === '/v1/forecast') {
        const today = Math.floor(NOW / 86_400_000) * 86_400_000;
        fromMs = today - Number(q.get('past_days') ?? 0) * 86_400_000;
        toMs = today + Number(q.get('forecast_days') ?? 7) * 86_400_000;
      } else if (url.pathname === '/v1/archive') {
        fromMs = ms(`${q.get('start_date')}T00:00:00Z`);
        toMs = ms(`${q.get('end_date')}T00:00:00Z`) + 86_400_000;
      } else return res.writeHead(404).end();
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(openMeteoJson(records, fromMs, toMs)));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('forecast: asks for the hourly variables in unixtime/GMT, stamps the issue time, values are the real TRY hours', async () => {
    const s = await openMeteoClient({ forecastUrl: base }).forecast(51.3, 9.45, NOW, { days: 2, pastDays: 1 });
    expect(seen.at(-1)!.get('hourly')).toBe(OPEN_METEO_HOURLY.join(','));
    expect(s.records).toHaveLength(72);
    expect(s.records.every((r) => r.issuedAtMs === NOW)).toBe(true);
    const noon = s.records.find((r) => r.endMs === ms('2023-06-21T11:00:00Z'))!;
    const truth = records.find((r) => r.endMs === noon.endMs)!;
    expect(noon.ghiWPerM2).toBe(truth.ghiWPerM2);
    expect(noon.tempC).toBe(truth.tempC);
    expect(noon.dniWPerM2).toBeUndefined(); // null stays absent, never 0
  });

  it('an API error answer (HTTP 400, error/reason) is a clear parse error with the reason', async () => {
    await expect(openMeteoClient({ forecastUrl: base }).forecast(99, 9.45, NOW)).rejects.toThrow(/Latitude must be in range/);
  });

  describe.each(STORES)('weather service and GET /sites/:id/weather on $store', ({ store, skip }) => {
    let t: TestApp;
    let token = '';
    let service: WeatherService;
    beforeAll(async () => {
      if (skip) return;
      t = await startTestAppOn(store, { LUNA_ADMIN_PASSWORD: PASSWORD, LUNA_ANOMALY_SCAN: 'off', LUNA_FORECASTS: 'off' });
      token = (await call(t.base, 'POST', '/auth/login', { body: { username: 'admin', password: PASSWORD } })).body.accessToken;
      for (const id of ['kassel', 'ohne-ort'])
        expect((await call(t.base, 'POST', '/sites', { token, body: { id, name: id } })).status).toBe(201);
      await t.app.db.query(`update sites set latitude = 51.3, longitude = 9.45 where id = 'kassel'`);
      let nowMs = NOW;
      service = startWeatherService({
        db: t.app.db,
        log: createLogger('silent'),
        client: openMeteoClient({ forecastUrl: base, archiveUrl: base }),
        now: () => nowMs,
        firstDelayMs: 3_600_000,
      });
      expect(await service.tick()).toEqual({ sites: 1, failed: [] });
      nowMs = NOW + 3_600_000;
      await service.tick();
    });
    afterAll(async () => {
      if (skip) return;
      await service.stop();
      await t.close();
    });

    it.skipIf(skip)(
      'stores history (archive + past part of the forecast) and forecasts per issue time, only for sites with coordinates',
      async () => {
        const r = await call(t.base, 'GET', '/sites/kassel/weather?from=2023-06-05T00:00:00Z&to=2023-06-25T00:00:00Z', { token });
        expect(r.status).toBe(200);
        expect(r.body.forecast.issuedAt).toBe(new Date(NOW + 3_600_000).toISOString());
        expect(r.body.forecast.records.length).toBe(96); // past day + 3 days, default
        const sources = new Set(r.body.history.map((h: { source: string }) => h.source));
        expect(sources).toEqual(new Set(['openmeteo:archive', 'openmeteo:forecast-past']));
        const { rows } = await t.app.db.query<{ n: number }>(
          `select count(distinct issued_at)::int as n from weather_forecasts where site_id = 'kassel'`,
        );
        expect(rows[0]!.n).toBe(2);
        const none = await call(t.base, 'GET', '/sites/ohne-ort/weather?from=2023-06-05T00:00:00Z&to=2023-06-23T00:00:00Z', { token });
        expect(none.body).toEqual({ history: [], forecast: null });
      },
    );

    it.skipIf(skip)('a CSV upload is stored as history: good lines kept, bad lines listed with line and reason', async () => {
      const csv = [
        'timestamp,ghi [W/m2],temp [°C],wind_speed [km/h]',
        '2023-05-01T11:00:00+02:00,600,15.5,36',
        '2023-05-01T10:00:00Z,650,16,18',
        '2023-05-01T11:00:00Z,abc,16,0',
        '2023-05-01T12:00:00Z,700,17,18',
      ].join('\n');
      const up = await call(t.base, 'POST', '/sites/ohne-ort/weather', { token, raw: { body: csv, contentType: 'text/csv' } });
      expect(up.status).toBe(200);
      expect(up.body.stored).toBe(3);
      expect(up.body.errors).toEqual([expect.objectContaining({ line: 4 })]);
      const r = await call(t.base, 'GET', '/sites/ohne-ort/weather?from=2023-05-01T00:00:00Z&to=2023-05-02T00:00:00Z', { token });
      expect(r.body.history[0]).toMatchObject({
        start: '2023-05-01T08:00:00.000Z',
        end: '2023-05-01T09:00:00.000Z',
        ghiWPerM2: 600,
        windMPerS: 10,
        source: 'upload',
      });
      const bad = await call(t.base, 'POST', '/sites/ohne-ort/weather', { token, raw: { body: 'when,ghi\n1,2', contentType: 'text/csv' } });
      expect(bad.status).toBe(400);
      expect(bad.body.message).toMatch(/first column must be/);
    });

    it.skipIf(skip)('issuedBefore gives the forecast as known then', async () => {
      const r = await call(
        t.base,
        'GET',
        `/sites/kassel/weather?from=2023-06-21T00:00:00Z&to=2023-06-23T00:00:00Z&issuedBefore=${new Date(NOW + 60_000).toISOString()}`,
        { token },
      );
      expect(r.body.forecast.issuedAt).toBe(new Date(NOW).toISOString());
      const early = await call(
        t.base,
        'GET',
        `/sites/kassel/weather?from=2023-06-21T00:00:00Z&to=2023-06-23T00:00:00Z&issuedBefore=2023-06-01T00:00:00Z`,
        { token },
      );
      expect(early.body.forecast).toBeNull();
    });
  });
});
