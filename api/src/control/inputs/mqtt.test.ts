/**
 * Grid signals over MQTT against the real Mosquitto (MQTT_URL from scripts/services; skipped
 * without it): orders sent while Luna is away arrive after it reconnects (persistent session,
 * QoS 1), and an order that could not be stored (database failure) is not acknowledged, so the
 * broker delivers it again and it is stored once.
 */
import { join } from 'node:path';
import { Writable } from 'node:stream';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../ops/logger.js';
import { migrate, openPglite, type Database } from '../../store/index.js';
import { services, tempDir } from '../../test/services.js';
import { startMqttSignals, type MqttSignals } from './mqtt.js';
import { ControlInputsService } from './service.js';

const quiet = createLogger('fatal', new Writable({ write: (_c, _e, done) => done() }));
const SITE = `mq-${process.pid}`;
const CLIENT_ID = `luna-grid-signals-test-${process.pid}`;
const order = (reference: string) =>
  JSON.stringify({
    kind: 'section14a-dimming',
    to: new Date(Date.now() + 3_600_000).toISOString(),
    maxControllablePowerW: 4200,
    reference,
  });

async function until<T>(what: string, fn: () => T | undefined | false, timeoutMs = 10_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe.skipIf(!services.mqtt)('grid signals over MQTT (Mosquitto)', () => {
  const tmp = tempDir();
  let db: Database;
  let svc: ControlInputsService;
  let sub: MqttSignals | undefined;
  let pub: MqttClient;
  let failNextTransaction = false;

  const start = async () => {
    // a database whose next transaction fails like an unreachable server would
    const flaky = new Proxy(db, {
      get(target, prop, receiver) {
        if (prop === 'transaction' && failNextTransaction)
          return async () => {
            failNextTransaction = false;
            throw new Error('connect ECONNREFUSED 127.0.0.1:5432 (test)');
          };
        const v = Reflect.get(target, prop, receiver) as unknown;
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
    svc = new ControlInputsService({ db: flaky, log: quiet, sweepMs: 0 });
    await svc.start();
    sub = startMqttSignals({ url: services.mqtt!, clientId: CLIENT_ID, db: flaky, inputs: svc, log: quiet });
    await until('subscribed', () => sub!.client.connected);
    // the first connection subscribes; wait until the broker confirmed it
    await new Promise((r) => setTimeout(r, 300));
  };

  beforeAll(async () => {
    db = await openPglite(join(tmp.dir, 'pglite'));
    await migrate(db);
    await db.query('insert into sites (id, name) values ($1, $1)', [SITE]);
    // a fresh session on the broker for this test's client id
    const clean = await mqtt.connectAsync(services.mqtt!, { clientId: CLIENT_ID, clean: true, reconnectPeriod: 0 });
    await clean.endAsync();
    await start();
    pub = await mqtt.connectAsync(services.mqtt!, { reconnectPeriod: 0 });
  }, 60_000);

  afterAll(async () => {
    await pub?.endAsync();
    await sub?.close();
    const clean = await mqtt.connectAsync(services.mqtt!, { clientId: CLIENT_ID, clean: true, reconnectPeriod: 0 });
    await clean.endAsync();
    await db?.close();
    tmp.remove();
  });

  it('stores an order sent on luna/<siteId>/grid-signal', async () => {
    await pub.publishAsync(`luna/${SITE}/grid-signal`, order('A-1'), { qos: 1 });
    const s = await until('stored', () => svc.signals(SITE, Date.now()).find((x) => x.reference === 'A-1'));
    expect(s).toMatchObject({ source: 'mqtt', kind: 'section14a-dimming', maxControllablePowerW: 4200 });
  });

  it('an order sent while Luna is away arrives after the reconnect', async () => {
    await sub!.close();
    sub = undefined;
    await pub.publishAsync(`luna/${SITE}/grid-signal`, order('A-2'), { qos: 1 });
    await start();
    const s = await until('stored after restart', () => svc.signals(SITE, Date.now()).find((x) => x.reference === 'A-2'));
    expect(s.source).toBe('mqtt');
  });

  it('an order that could not be stored is delivered again and stored once', async () => {
    failNextTransaction = true;
    await pub.publishAsync(`luna/${SITE}/grid-signal`, order('A-3'), { qos: 1 });
    const s = await until('stored after redelivery', () => svc.signals(SITE, Date.now()).find((x) => x.reference === 'A-3'), 15_000);
    expect(sub!.stats.retried).toBe(1);
    expect(failNextTransaction).toBe(false);
    const rows = await db.query<{ n: number }>("select count(*)::int as n from grid_signals where reference = 'A-3'");
    expect(rows.rows[0]!.n).toBe(1);
    expect(s.source).toBe('mqtt');
  });
});
