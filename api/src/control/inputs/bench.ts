/**
 * `npm run bench:signals`: how long an override or a grid signal takes until the control agents
 * can see it (ControlInputs reads the in-memory cache, so "in force" = stored, audited and cached).
 *
 *   overrides.set_to_in_force      setOverride() call → overrides() returns it (PGlite transaction + audit)
 *   signals.receive_to_in_force    receiveSignal() call → signals() returns it
 *   signals.mqtt_<broker>_to_in_force  MQTT publish (QoS 1) → signals() returns it; embedded aedes, and
 *                                      Mosquitto when MQTT_URL is set (scripts/services)
 *
 * No target in the issue for this part (an input must act within one agent tick, default 5 s);
 * wall-clock figures, one machine, one run, noisy on a shared machine.
 */
import { join } from 'node:path';
import { Writable } from 'node:stream';
import mqtt from 'mqtt';
import { SYSTEM } from '../../audit/index.js';
import { embeddedBroker } from '../../mqtt/index.js';
import { createLogger } from '../../ops/logger.js';
import { DEMO_SITE_ENERGY } from '../../site-energy/model.js';
import { migrate, openPglite } from '../../store/index.js';
import { tempDir } from '../../test/services.js';
import { startMqttSignals } from './mqtt.js';
import { ControlInputsService } from './service.js';

const ROUNDS = Number(process.env.BENCH_SIGNALS_ROUNDS ?? 300);
const quiet = createLogger('fatal', new Writable({ write: (_c, _e, done) => done() }));
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};
const report = (name: string, xs: number[]) => {
  console.log(`BENCH ${name}_p50_ms ${pct(xs, 50).toFixed(2)} ms`);
  console.log(`BENCH ${name}_p99_ms ${pct(xs, 99).toFixed(2)} ms`);
};

const tmp = tempDir('luna-bench-signals-');
const db = await openPglite(join(tmp.dir, 'pglite'));
await migrate(db);
await db.query("insert into sites (id, name) values ('bench', 'Bench')");
const svc = new ControlInputsService({ db, log: quiet, sweepMs: 0, siteEnergyOf: async () => DEMO_SITE_ENERGY });
await svc.start();
const actor = { actor: SYSTEM };

const overrideMs: number[] = [];
for (let i = 0; i < ROUNDS; i++) {
  const t0 = performance.now();
  const o = await svc.setOverride('bench', 'battery', { setpointW: (i % 100) * 1000, expiresInS: 600 }, actor);
  if (svc.overrides('bench', Date.now())[0]?.id !== o.id) throw new Error('override not in force');
  overrideMs.push(performance.now() - t0);
}
report('overrides.set_to_in_force', overrideMs);

const receiveMs: number[] = [];
for (let i = 0; i < ROUNDS; i++) {
  const now = Date.now();
  const t0 = performance.now();
  const r = await svc.receiveSignal(
    'bench',
    { kind: 'section14a-dimming', fromMs: now, toMs: now + 600_000, maxControllablePowerW: 4200, reference: `api-${i}` },
    'api',
    actor,
  );
  if (!svc.signals('bench', Date.now()).some((s) => s.id === r.signal.id)) throw new Error('signal not in force');
  receiveMs.push(performance.now() - t0);
}
report('signals.receive_to_in_force', receiveMs);

// MQTT_URL set (scripts/services): the real Mosquitto as well
const brokers: Array<{ name: string; url: string; close?: () => Promise<void> }> = [];
const embedded = embeddedBroker({ adapter: 'embedded', host: '127.0.0.1', port: 0 });
await embedded.start();
brokers.push({ name: 'aedes', url: embedded.clientUrl!, close: () => embedded.close!() });
if (process.env.MQTT_URL) brokers.push({ name: 'mosquitto', url: process.env.MQTT_URL });
for (const broker of brokers) await mqttRound(broker.name, broker.url);
for (const b of brokers) await b.close?.();

async function mqttRound(name: string, url: string): Promise<void> {
  const clientId = `luna-grid-signals-bench-${process.pid}`;
  const sub = startMqttSignals({ url, clientId, db, inputs: svc, log: quiet });
  while (!sub.client.connected) await new Promise((r) => setTimeout(r, 20));
  await new Promise((r) => setTimeout(r, 300)); // subscription confirmed
  const pub = await mqtt.connectAsync(url, { reconnectPeriod: 0 });
  // event-driven: the change listener resolves once the signal is in the cache (a polling loop here
  // would itself delay the I/O it waits for: it measured ~50 ms instead of ~2 ms)
  let waiting: { reference: string; resolve: () => void } | undefined;
  const off = svc.onSignalChange((siteId) => {
    const w = waiting;
    if (w && svc.signals(siteId, Date.now()).some((x) => x.reference === w.reference)) {
      waiting = undefined;
      w.resolve();
    }
  });
  const mqttMs: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const reference = `mqtt-${name}-${i}`;
    const body = JSON.stringify({
      kind: 'redispatch-curtailment',
      to: new Date(Date.now() + 600_000).toISOString(),
      maxPvPowerW: 1000 * i,
      reference,
    });
    const inForce = new Promise<void>((resolve) => (waiting = { reference, resolve }));
    const t0 = performance.now();
    void pub.publishAsync('luna/bench/grid-signal', body, { qos: 1 });
    await inForce;
    mqttMs.push(performance.now() - t0);
  }
  report(`signals.mqtt_${name}_to_in_force`, mqttMs);
  off();
  await pub.endAsync();
  await sub.close();
  // leave no persistent session behind on the broker
  const clean = await mqtt.connectAsync(url, { clientId, clean: true, reconnectPeriod: 0 });
  await clean.endAsync();
}

await svc.stop();
await db.close();
tmp.remove();
