/**
 * Chaos: a sustained ingest while the real PostgreSQL server is stopped and started again. Every
 * reading the service accepted must be in the database exactly once afterwards. Uses its own
 * PostgreSQL instance (scripts/services with a separate state dir and port), so other tests keep theirs.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import mqtt from 'mqtt';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, startTestApp, type TestApp } from '../test/app.js';
import { services as realServices, tempDir } from '../test/services.js';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const canRun = process.getuid?.() === 0 && existsSync('/usr/lib/postgresql/15/bin/postgres');
const PORT = String(55600 + (process.pid % 300));

/** A PostgreSQL instance of this test's own (scripts/services with its own state dir and port), to stop and start at will. */
function ownPostgres(prefix: string, port: string) {
  const state = tempDir(prefix);
  const env = { ...process.env, LUNA_SERVICES_DIR: state.dir, LUNA_PG_PORT: port };
  const services = (...args: string[]) =>
    execFileSync('bash', [join(REPO, 'scripts/services'), ...args], {
      env,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 120_000,
    });
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  return {
    state,
    services,
    /** 1.5 s of normal operation, 2.5 s with the server stopped, 1.5 s after its restart. */
    async outage() {
      await sleep(1500);
      services('down', 'postgres');
      await sleep(2500);
      services('up', 'postgres');
      await sleep(1500);
    },
    remove() {
      try {
        services('down', 'postgres');
      } catch {
        /* already down */
      }
      state.remove();
    },
  };
}

describe.skipIf(!canRun)('store-and-forward while PostgreSQL is down', () => {
  const { services, outage, remove } = ownPostgres('luna-chaos-', PORT);
  let t: TestApp;
  let key = '';
  let seriesId = 0;

  beforeAll(async () => {
    const lines = services('up', 'postgres');
    const url = /^DATABASE_URL=(.+)$/m.exec(lines)![1]!;
    t = await startTestApp({ DATABASE_URL: url, LUNA_ADMIN_PASSWORD: 'Sonnenstrom-2026!', LUNA_INGEST_RATE_LIMIT: '100000' });
    const admin = (await call(t.base, 'POST', '/auth/login', { body: { username: 'admin', password: 'Sonnenstrom-2026!' } })).body
      .accessToken;
    await call(t.base, 'POST', '/sites', { token: admin, body: { id: 'musterwerk', name: 'Musterwerk' } });
    seriesId = (
      await call(t.base, 'POST', '/sites/musterwerk/series', {
        token: admin,
        body: { key: 'grid/power', quantity: 'active_power', semantics: 'instantaneous' },
      })
    ).body.id;
    key = (await call(t.base, 'POST', '/api-keys', { token: admin, body: { name: 'gateway', siteId: 'musterwerk', scopes: ['ingest'] } }))
      .body.secret;
  }, 180_000);
  afterAll(async () => {
    await t?.close();
    remove();
  });

  it('keeps ingesting during the outage and ends with every accepted reading stored exactly once', async () => {
    const start = Date.parse('2025-06-14T00:00:00Z');
    let sent = 0;
    let accepted = 0;
    let buffered = 0;
    let running = true;
    const producer = (async () => {
      while (running) {
        const readings = Array.from({ length: 200 }, (_, i) => ({ series: seriesId, ts: start + (sent + i) * 1000, value: sent + i }));
        const r = await call(t.base, 'POST', '/ingest/readings', { token: key, body: { siteId: 'musterwerk', readings } });
        expect(r.status, JSON.stringify(r.body)).toBe(200);
        expect(r.body.rejected).toEqual([]);
        accepted += r.body.accepted;
        buffered += r.body.buffered;
        sent += readings.length;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    })();
    await outage();
    running = false;
    await producer;

    expect(buffered, 'some readings went through the disk buffer').toBeGreaterThan(0);
    expect(accepted).toBe(sent);
    // replay: the writer retries every second
    for (let i = 0; i < 60 && t.app.writer.stats().buffer.readings > 0; i++) await t.app.writer.sync();
    expect(t.app.writer.stats().buffer).toMatchObject({ readings: 0, segments: 0 });
    const { rows } = await t.app.db.query<{ n: number; distinct_ts: number; sum: number }>(
      'select count(*)::int as n, count(distinct ts)::int as distinct_ts, sum(value)::float8 as sum from readings where series_id = $1',
      [seriesId],
    );
    expect(rows[0]).toEqual({ n: sent, distinct_ts: sent, sum: (sent * (sent - 1)) / 2 });
  }, 120_000);
});

describe.skipIf(!canRun || !realServices.mqtt)('store-and-forward while PostgreSQL is down, under MQTT ingest', () => {
  const { state, services, outage, remove } = ownPostgres('luna-chaos-mqtt-', String(Number(PORT) + 300));
  const prefix = `luna-chaos/${process.pid}-${Date.now()}`;
  let t: TestApp;

  beforeAll(async () => {
    const url = /^DATABASE_URL=(.+)$/m.exec(services('up', 'postgres'))![1]!;
    const mappings = join(state.dir, 'mappings.json');
    writeFileSync(
      mappings,
      JSON.stringify({
        sites: [
          {
            siteId: 'musterwerk',
            mappings: [
              {
                topic: `${prefix}/+/power`,
                format: 'json',
                series: [{ path: 'v', seriesKey: 'meter-{1}/power', unit: 'W', timestampPath: 'ts' }],
              },
            ],
          },
        ],
      }),
    );
    // the site must exist before the subscriber starts: create it with a first start, then restart with the mappings
    const first = await startTestApp({ DATABASE_URL: url, LUNA_ADMIN_PASSWORD: 'Sonnenstrom-2026!' });
    const admin = (await call(first.base, 'POST', '/auth/login', { body: { username: 'admin', password: 'Sonnenstrom-2026!' } })).body
      .accessToken;
    await call(first.base, 'POST', '/sites', { token: admin, body: { id: 'musterwerk', name: 'Musterwerk' } });
    await first.close();
    t = await startTestApp({ DATABASE_URL: url, LUNA_MQTT: 'external', MQTT_URL: realServices.mqtt!, LUNA_MQTT_MAPPINGS: mappings });
  }, 180_000);
  afterAll(async () => {
    await t?.close();
    remove();
  });

  it('every QoS 1 message published during the outage ends up in the database exactly once', async () => {
    const publisher = await mqtt.connectAsync(realServices.mqtt!, { clientId: `luna-chaos-pub-${process.pid}`, clean: true });
    const start = Date.parse('2025-06-14T00:00:00Z');
    let published = 0;
    let running = true;
    const producer = (async () => {
      while (running) {
        const sends = [];
        for (let i = 0; i < 100; i++, published++) {
          const meter = published % 10;
          sends.push(
            publisher.publishAsync(`${prefix}/${meter}/power`, JSON.stringify({ v: published, ts: start + published * 1000 }), { qos: 1 }),
          );
        }
        await Promise.all(sends);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    await outage();
    running = false;
    await producer;
    await publisher.endAsync();

    let stored = 0;
    for (let i = 0; i < 120 && stored < published; i++) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      await t.app.writer.sync().catch(() => undefined);
      const { rows } = await t.app.db.query<{ n: number }>('select count(*)::int as n from readings');
      stored = rows[0]!.n;
    }
    const { rows } = await t.app.db.query<{ n: number; distinct_ts: number; sum: number }>(
      'select count(*)::int as n, count(distinct ts)::int as distinct_ts, sum(value)::float8 as sum from readings',
    );
    expect(rows[0]).toEqual({ n: published, distinct_ts: published, sum: (published * (published - 1)) / 2 });
    expect(t.app.writer.stats().buffer.readings).toBe(0);
    // the outage really hit the ingest path: readings went through the disk buffer
    const buffered = (await t.app.metrics.ingestReadings.get()).values.find((v) => v.labels.outcome === 'buffered')?.value ?? 0;
    expect(buffered).toBeGreaterThan(0);
  }, 180_000);
});
