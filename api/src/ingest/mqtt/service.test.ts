/** Mapping file loading, series descriptions, and MQTT ingest through the app into PostgreSQL. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgres, migrate } from '../../store/index.js';
import { startTestApp, type TestApp } from '../../test/app.js';
import { freshPostgresDatabase, services, tempDir } from '../../test/services.js';
import { describeSeries } from './describe.js';
import { compileMappings } from './mapping.js';
import { loadMappingsFile } from './service.js';

const tmp = tempDir();
afterAll(() => tmp.remove());
const file = (name: string, content: string) => {
  const p = join(tmp.dir, name);
  writeFileSync(p, content);
  return p;
};

describe('loadMappingsFile', () => {
  const good = { topic: 'meter/+/power', format: 'number', series: { seriesKey: 'meter/{1}/power', unit: 'kW' } };
  it.each([
    ['not JSON', '{', /^LUNA_MQTT_MAPPINGS \S+: is not JSON/],
    ['no sites', '{"sites":[]}', /^LUNA_MQTT_MAPPINGS \S+ at sites: /],
    [
      'a bad unit in the second mapping',
      JSON.stringify({ sites: [{ siteId: 'musterwerk', mappings: [good, { ...good, series: { seriesKey: 'x', unit: 'kWx' } }] }] }),
      /^LUNA_MQTT_MAPPINGS \S+ site 0 \(musterwerk\) mapping 1: series\.unit: unknown unit "kWx"$/,
    ],
  ])('refuses %s in one line', (_name, content, message) => {
    const p = file('bad.json', content);
    expect(() => loadMappingsFile(p)).toThrow(message);
  });
  it('reads sites and compiles their mappings', () => {
    const p = file('good.json', JSON.stringify({ sites: [{ siteId: 'musterwerk', mappings: [good] }] }));
    expect(loadMappingsFile(p).map((s) => [s.siteId, s.mappings.length])).toEqual([['musterwerk', 1]]);
  });
});

describe('describeSeries', () => {
  const c = compileMappings([
    { topic: 'meter/+/power', format: 'number', series: { seriesKey: 'meter/{1}/power', unit: 'kW' } },
    { topic: 'meter/+/energy', format: 'json', series: [{ path: 'e', seriesKey: 'meter/{1}/energy_export', unit: 'kWh' }] },
    { topic: 'tele/+/SENSOR', format: 'tasmota', series: { prefix: 'tasmota/{1}' } },
    { topic: 'solar/+/+/+', format: 'opendtu', series: { prefix: 'opendtu/{1}' } },
  ]);
  if (!c.ok) throw new Error(c.errors.join('; '));
  it.each([
    ['meter/m1/power', { quantity: 'active_power', semantics: 'instantaneous' }],
    ['meter/m1/energy_export', { quantity: 'energy_export', semantics: 'cumulative' }],
    ['tasmota/plug/energy_import', { quantity: 'energy_import', semantics: 'cumulative' }],
    ['tasmota/plug/voltage', { quantity: 'voltage', semantics: 'instantaneous' }],
    ['opendtu/114/ac/energy_today', { quantity: 'energy', semantics: 'cumulative' }],
    ['other/x/power', undefined],
  ])('%s', (key, expected) => {
    expect(describeSeries(c.mappings, key)).toEqual(expected);
  });
});

describe.skipIf(!services.postgres || !services.mqtt)('MQTT ingest in the app (Mosquitto → PostgreSQL)', () => {
  let t: TestApp;
  let drop: () => Promise<void>;
  const run = Math.random().toString(36).slice(2, 8);
  const siteId = `mqtt-${run}`;
  beforeAll(async () => {
    const fresh = await freshPostgresDatabase(services.postgres!);
    drop = fresh.drop;
    const db = await openPostgres(fresh.url);
    await migrate(db);
    await db.query(`insert into sites (id, name) values ($1, 'MQTT test')`, [siteId]);
    await db.close();
    const mappings = file(
      'app.json',
      JSON.stringify({
        sites: [
          {
            siteId,
            mappings: [{ topic: `luna-test/${run}/+/power`, format: 'number', series: { seriesKey: 'meter/{1}/power', unit: 'kW' } }],
          },
        ],
      }),
    );
    t = await startTestApp({ DATABASE_URL: fresh.url, LUNA_MQTT: 'external', MQTT_URL: services.mqtt!, LUNA_MQTT_MAPPINGS: mappings });
  });
  afterAll(async () => {
    await t?.close();
    const c = await mqtt.connectAsync(services.mqtt!, { clientId: `luna-ingest-${siteId}`, clean: true, reconnectPeriod: 0 });
    await c.endAsync();
    await drop?.();
  });

  it('creates the series, stores every reading, journals counts and rejections, and logs the subscription', async () => {
    const sub = t.app.mqttIngest!.subscribers.get(siteId)!;
    await sub.whenSubscribed();
    const pub = await mqtt.connectAsync(services.mqtt!, { reconnectPeriod: 0 });
    await Promise.all(Array.from({ length: 300 }, (_, i) => pub.publishAsync(`luna-test/${run}/m${i % 3}/power`, `${i}`, { qos: 1 })));
    await pub.publishAsync(`luna-test/${run}/m0/power`, 'abc', { qos: 1 });
    await pub.endAsync();
    const start = Date.now();
    while (sub.stats.received < 301 || sub.stats.unacked > 0) {
      if (Date.now() - start > 15_000) throw new Error('timed out');
      await new Promise((r) => setTimeout(r, 20));
    }
    // receive time stamps: messages of one series in the same millisecond are one reading (idempotent)
    const { rows } = await t.app.db.query<{ key: string; quantity: string; semantics: string }>(
      'select key, quantity, semantics from series where site_id = $1 order by key',
      [siteId],
    );
    expect(rows).toEqual(
      ['m0', 'm1', 'm2'].map((m) => ({ key: `meter/${m}/power`, quantity: 'active_power', semantics: 'instantaneous' })),
    );
    expect(sub.stats).toMatchObject({ received: 301, submitted: 300, rejected: 1, submitFailures: 0 });
    const q = await t.app.db.query<{ reason: string }>('select reason from quarantine where site_id = $1', [siteId]);
    expect(q.rows.map((r) => r.reason)).toEqual(['payload "abc" is not a number']);
    expect(t.logs().some((l) => String(l.msg).startsWith(`mqtt ingest: site ${siteId}, 1 mapping, topics luna-test/${run}/+/power`))).toBe(
      true,
    );
  });
});
