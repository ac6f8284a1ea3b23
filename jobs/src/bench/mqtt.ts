/**
 * `npm run bench:mqtt` — MQTT ingest end to end: Mosquitto → Luna (deferred PUBACKs, writer) →
 * PostgreSQL. Starts the app in-process on a fresh database with a 'json' mapping for 200
 * series, publishes N QoS 1 messages `{"v": <publish ms>, "ts": <unique reading time>}` from a
 * second client (at most 2 000 unacknowledged by the broker), and measures publish → durable per
 * message (the sink reports each wave when writer.enqueue resolved) and the overall rate
 * (first publish → last reading committed, checked by counting rows).
 * Prints `BENCH mqtt.throughput`, `BENCH mqtt.latency.p50`, `BENCH mqtt.latency.p99`.
 *   --messages=100000   --window=2000
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import pg from 'pg';
import { createApp } from '../../../api/src/app.js';
import { parseConfig } from '../../../api/src/config/index.js';
import { createLogger } from '../../../api/src/ops/logger.js';
import { migrate, openPostgres } from '../../../api/src/store/index.js';

const arg = (name: string, fallback: number) => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);
const MESSAGES = arg('messages', 100_000);
const WINDOW = arg('window', 2_000);
const SERIES = 200;

const mqttUrl = process.env.MQTT_URL;
const dbUrl = process.env.DATABASE_URL;
if (!mqttUrl || !dbUrl) {
  console.log('# MQTT_URL and DATABASE_URL needed (set -a; . .services/env; set +a, after scripts/services up): not measured');
  process.exit(0);
}

console.log(
  `# hardware: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}`,
);
const run = randomBytes(4).toString('hex');
const siteId = `bench-${run}`;
const name = `luna_bench_mqtt_${run}`;
const admin = new pg.Client({ connectionString: dbUrl });
await admin.connect();
await admin.query(`create database ${name}`);
const url = new URL(dbUrl);
url.pathname = `/${name}`;
const tmp = mkdtempSync(join(tmpdir(), 'luna-bench-mqtt-'));
try {
  const setup = await openPostgres(url.toString());
  await migrate(setup);
  await setup.query(`insert into sites (id, name) values ($1, 'Bench')`, [siteId]);
  await setup.close();

  const prefix = `luna-bench/${run}`;
  const mappingsFile = join(tmp, 'mappings.json');
  writeFileSync(
    mappingsFile,
    JSON.stringify({
      sites: [
        {
          siteId,
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

  const latencies: number[] = [];
  let durable = 0;
  let lastDurableMs = 0;
  const app = await createApp(
    parseConfig({
      LUNA_DATA_DIR: tmp,
      LUNA_PORT: '0',
      LUNA_LOG_LEVEL: 'warn',
      LUNA_MQTT: 'external',
      MQTT_URL: mqttUrl,
      DATABASE_URL: url.toString(),
      LUNA_MQTT_MAPPINGS: mappingsFile,
      LUNA_DEMO: 'off',
    }),
    {
      logger: createLogger('warn'),
      onMqttStored: (_site, messages) => {
        const now = Date.now();
        for (const m of messages) for (const r of m.readings) latencies.push(now - r.value);
        durable += messages.length;
        lastDurableMs = now;
      },
    },
  );
  const sub = app.mqttIngest!.subscribers.get(siteId)!;
  await sub.whenSubscribed();

  // The first message of each series creates the series; do that before timing.
  const publisher = await mqtt.connectAsync(mqttUrl, { clientId: `luna-bench-pub-${run}`, reconnectPeriod: 0 });
  const base = Date.UTC(2026, 0, 1);
  const payload = (i: number) => JSON.stringify({ v: Date.now(), ts: base + Math.floor(i / SERIES) * 1000 });
  await Promise.all(Array.from({ length: SERIES }, (_, i) => publisher.publishAsync(`${prefix}/m${i}/power`, payload(i), { qos: 1 })));
  while (durable < SERIES) await new Promise((r) => setTimeout(r, 10));
  latencies.length = 0;

  const t0 = Date.now();
  let inFlight = 0;
  let wake: (() => void) | undefined;
  for (let i = SERIES; i < SERIES + MESSAGES; i++) {
    while (inFlight >= WINDOW) await new Promise<void>((r) => (wake = r));
    inFlight++;
    void publisher.publishAsync(`${prefix}/m${i % SERIES}/power`, payload(i), { qos: 1 }).then(() => {
      inFlight--;
      wake?.();
      wake = undefined;
    });
  }
  const published = Date.now();
  while (durable < SERIES + MESSAGES) await new Promise((r) => setTimeout(r, 5));
  const { rows } = await app.db.query<{ n: number }>('select count(*)::int as n from readings');
  if (rows[0]!.n !== SERIES + MESSAGES) throw new Error(`expected ${SERIES + MESSAGES} readings, found ${rows[0]!.n}`);
  const seconds = (lastDurableMs - t0) / 1000;
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))]!;
  console.log(
    `# ${MESSAGES} QoS 1 messages, ${SERIES} series, publisher window ${WINDOW}; published in ${((published - t0) / 1000).toFixed(2)} s`,
  );
  console.log(
    `# subscriber: ${sub.stats.waves} submit waves, peak ${sub.stats.peakUnacked} unacknowledged, ${sub.stats.submitFailures} submit failures, ${sub.stats.reconnects} reconnects`,
  );
  console.log(`BENCH mqtt.throughput ${Math.round(MESSAGES / seconds)} messages/s`);
  console.log(`BENCH mqtt.latency.p50 ${pct(50)} ms`);
  console.log(`BENCH mqtt.latency.p99 ${pct(99)} ms`);
  await publisher.endAsync();
  await app.stop();
  // remove the persistent session from the broker
  const c = await mqtt.connectAsync(mqttUrl, { clientId: `luna-ingest-${siteId}`, clean: true, reconnectPeriod: 0 });
  await c.endAsync();
} finally {
  await admin.query(`drop database if exists ${name} with (force)`);
  await admin.end();
  rmSync(tmp, { recursive: true, force: true });
}
