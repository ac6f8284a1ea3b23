/**
 * The subscriber against real brokers: an embedded aedes started here (always runs) and the
 * Mosquitto from `scripts/services` (skipped without MQTT_URL). Every test uses its own topic
 * prefix and client ids; persistent sessions are removed afterwards (clean reconnect).
 */
import { randomBytes } from 'node:crypto';
import { createServer, type AddressInfo } from 'node:net';
import { Aedes } from 'aedes';
import mqtt from 'mqtt';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Rejection } from '../model.js';
import { services } from '../../test/services.js';
import { compileMappings, decodeMessage, type CompiledMapping, type KeyedReading } from './mapping.js';
import { startMqttSubscriber, type IngestSink, type MqttSubscriber, type SubscriberOptions } from './subscriber.js';

const NOW = Date.UTC(2025, 5, 14, 10, 0, 5);

interface Submission {
  source: string;
  readings: KeyedReading[];
  rejections: Rejection[];
}

/**
 * Records submissions one entry per message (a call carries a wave of messages); the first
 * `failures` calls reject as if the database were down.
 */
function recordingSink(failures = 0, delayMs = 2): IngestSink & { calls: Submission[]; stored: Submission[]; waves: number[] } {
  const calls: Submission[] = [];
  const stored: Submission[] = [];
  const waves: number[] = [];
  let left = failures;
  return {
    calls,
    stored,
    waves,
    async submit(source, messages) {
      const each = messages.map((m) => ({ source, readings: m.readings, rejections: m.rejections }));
      calls.push(...each);
      waves.push(messages.length);
      await new Promise((r) => setTimeout(r, delayMs)); // a real sink is asynchronous
      if (left-- > 0) throw new Error('database unavailable');
      stored.push(...each);
    },
  };
}

async function waitFor(what: string, cond: () => boolean, timeoutMs = 15_000): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

function unique(): string {
  return randomBytes(5).toString('hex');
}

function compile(prefix: string): CompiledMapping[] {
  const c = compileMappings([
    { topic: `${prefix}/meter/+/power`, format: 'number', series: { seriesKey: 'meter/{1}/power', unit: 'kW' } },
    { topic: `${prefix}/tele/+/SENSOR`, format: 'tasmota', series: { prefix: 'tasmota/{1}' } },
  ]);
  if (!c.ok) throw new Error(c.errors.join('; '));
  return c.mappings;
}

function brokerSuite(name: string, url: () => string, protocolVersions: readonly (4 | 5)[]): void {
  for (const protocolVersion of protocolVersions) {
    describe(`${name}, MQTT ${protocolVersion === 5 ? '5' : '3.1.1'}`, () => {
      let prefix: string;
      let clientId: string;
      let mappings: CompiledMapping[];
      const open: MqttSubscriber[] = [];
      let publisher: mqtt.MqttClient;

      const start = (sink: IngestSink, extra: Partial<SubscriberOptions> = {}): MqttSubscriber => {
        const s = startMqttSubscriber({
          url: url(),
          clientId,
          mappings,
          sink,
          protocolVersion,
          now: () => NOW,
          backoff: { initialMs: 50, maxMs: 400 },
          ...extra,
        });
        open.push(s);
        return s;
      };
      const publish = (topic: string, payload: string) => publisher.publishAsync(`${prefix}/${topic}`, payload, { qos: 1 });
      const expected = (topic: string, payload: string) => {
        const d = decodeMessage(mappings, `${prefix}/${topic}`, payload, NOW);
        return { source: `mqtt:${clientId}`, readings: d.readings, rejections: d.rejections };
      };

      beforeAll(async () => {
        publisher = await mqtt.connectAsync(url(), { clientId: `luna-test-pub-${unique()}`, reconnectPeriod: 0 });
      });
      afterAll(async () => {
        await publisher.endAsync();
      });
      beforeEach(() => {
        prefix = `luna-test/${unique()}`;
        clientId = `luna-test-ingest-${unique()}`;
        mappings = compile(prefix);
      });
      afterEach(async () => {
        for (const s of open.splice(0)) await s.close();
        // remove the persistent session from the broker
        const c = await mqtt.connectAsync(url(), { clientId, clean: true, reconnectPeriod: 0, protocolVersion });
        await c.endAsync();
      });

      it('delivers every QoS 1 message to the sink exactly once, exactly as decoded', async () => {
        const sink = recordingSink();
        const sub = start(sink);
        await sub.whenSubscribed();
        const n = 100;
        for (let i = 0; i < n; i++) await publish(`meter/m${i % 5}/power`, `${i / 10}`);
        await waitFor(`${n} submissions`, () => sink.stored.length >= n);
        await new Promise((r) => setTimeout(r, 100)); // nothing more arrives
        expect(sink.stored).toEqual(Array.from({ length: n }, (_, i) => expected(`meter/m${i % 5}/power`, `${i / 10}`)));
        expect(sink.stored[7]!.readings).toEqual([{ seriesKey: 'meter/m2/power', tsMs: NOW, value: 700, quality: 'measured' }]);
        expect(sub.stats).toMatchObject({ received: n, decoded: n, rejected: 0, submitted: n, submitFailures: 0, connected: true });
      });

      it('does not acknowledge a failed submit: the broker redelivers after the reconnect, then it is stored once, in order', async () => {
        const sink = recordingSink(1);
        const sub = start(sink);
        await sub.whenSubscribed();
        await publish('meter/a/power', '1.5');
        await publish('meter/b/power', '2.5');
        await waitFor('both stored', () => sink.stored.length >= 2);
        await new Promise((r) => setTimeout(r, 200));
        expect(sink.calls[0]).toEqual(expected('meter/a/power', '1.5')); // the failed attempt
        expect(sink.stored).toEqual([expected('meter/a/power', '1.5'), expected('meter/b/power', '2.5')]);
        expect(sub.stats.submitFailures).toBe(1);
        expect(sub.stats.reconnects).toBeGreaterThanOrEqual(1);
        expect(sub.stats.submitted).toBe(2);
      });

      it('delivers again a message whose submit never finished when the process went away', async () => {
        const hanging: IngestSink & { calls: number } = {
          calls: 0,
          submit() {
            this.calls++;
            return new Promise<void>(() => {}); // the process "dies" before the writer answers
          },
        };
        const sub1 = start(hanging);
        await sub1.whenSubscribed();
        await publish('meter/d/power', '0.25');
        await waitFor('the first submit', () => hanging.calls === 1);
        await sub1.close();
        const sink = recordingSink();
        start(sink);
        await waitFor('the redelivery', () => sink.stored.length >= 1);
        expect(sink.stored).toEqual([expected('meter/d/power', '0.25')]);
      });

      it('receives what was published while it was away (persistent session, QoS 1)', async () => {
        const first = recordingSink();
        const sub1 = start(first);
        await sub1.whenSubscribed();
        await sub1.close();
        for (let i = 0; i < 5; i++) await publish('meter/away/power', `${i}`);
        const second = recordingSink();
        const sub2 = start(second);
        await waitFor('5 queued messages', () => second.stored.length >= 5);
        expect(first.calls).toEqual([]);
        expect(second.stored).toEqual(Array.from({ length: 5 }, (_, i) => expected('meter/away/power', `${i}`)));
        expect(sub2.stats.submitted).toBe(5);
      });

      it('ignores a retained (old) value, takes the live ones', async () => {
        await publisher.publishAsync(`${prefix}/meter/r/power`, '9', { qos: 1, retain: true });
        const sink = recordingSink();
        const sub = start(sink);
        await sub.whenSubscribed();
        await publish('meter/r/power', '1');
        await waitFor('the live message', () => sink.stored.length >= 1);
        await new Promise((r) => setTimeout(r, 100));
        expect(sink.stored).toEqual([expected('meter/r/power', '1')]);
        expect(sub.stats).toMatchObject({ received: 2, ignored: 1, submitted: 1 });
        await publisher.publishAsync(`${prefix}/meter/r/power`, '', { qos: 1, retain: true }); // clear it
      });

      it('reads on while earlier messages are being stored: 5 000 messages in few submits, in order, each once', async () => {
        // One at a time (PUBACK before reading the next message) this sink would need 5 000 × 20 ms.
        const sink = recordingSink(0, 20);
        const sub = start(sink);
        await sub.whenSubscribed();
        const n = 5000;
        await Promise.all(Array.from({ length: n }, (_, i) => publish(`meter/m${i % 7}/power`, `${i}`)));
        await waitFor(`${n} stored`, () => sink.stored.length >= n);
        await waitFor('all acknowledged', () => sub.stats.unacked === 0);
        expect(sink.stored.map((s) => s.readings[0]!.value)).toEqual(Array.from({ length: n }, (_, i) => i * 1000));
        expect(sink.waves.length).toBeLessThan(n / 10);
        expect(sub.stats.peakUnacked).toBeGreaterThan(10);
        expect(sub.stats).toMatchObject({ received: n, submitted: n, submitFailures: 0, reconnects: 0 });
      });

      it('stops reading at maxUnacked until the held messages are stored (backpressure)', async () => {
        let open = false;
        const waiting: (() => void)[] = [];
        const stored: number[] = [];
        const gated: IngestSink = {
          async submit(_source, messages) {
            if (!open) await new Promise<void>((r) => waiting.push(r));
            stored.push(...messages.map((m) => m.readings[0]!.value));
          },
        };
        const sub = start(gated, { maxUnacked: 10 });
        await sub.whenSubscribed();
        await Promise.all(Array.from({ length: 50 }, (_, i) => publish('meter/bp/power', `${i}`)));
        await waitFor('10 held', () => sub.stats.received >= 10);
        await new Promise((r) => setTimeout(r, 200)); // nothing more is read meanwhile
        expect(sub.stats).toMatchObject({ received: 10, unacked: 10, submitted: 0 });
        open = true;
        for (const wake of waiting.splice(0)) wake();
        await waitFor('50 stored', () => stored.length >= 50);
        expect(stored).toEqual(Array.from({ length: 50 }, (_, i) => i * 1000));
        expect(sub.stats.peakUnacked).toBe(10);
      });

      it('rejects a malformed message and still processes the next valid one', async () => {
        const sink = recordingSink();
        const sub = start(sink);
        await sub.whenSubscribed();
        await publish('meter/x/power', 'abc');
        await publish('tele/pow-1/SENSOR', '{"Time":"2025-06-14T12:00:00","ENERGY":{"Total":"oops","Power":230}}');
        await publish('meter/x/power', '2');
        await waitFor('3 submissions', () => sink.stored.length >= 3);
        expect(sink.stored.map((s) => [s.readings, s.rejections.map((r) => r.reason)])).toEqual([
          [[], ['payload "abc" is not a number']],
          [
            [{ seriesKey: 'tasmota/pow-1/active_power', tsMs: NOW, value: 230, quality: 'measured' }],
            ['"oops" at ENERGY.Total is not a number'],
          ],
          [[{ seriesKey: 'meter/x/power', tsMs: NOW, value: 2000, quality: 'measured' }], []],
        ]);
        expect(sink.stored[0]!.rejections[0]).toMatchObject({ field: `${prefix}/meter/x/power`, raw: 'abc' });
        expect(sub.stats).toMatchObject({ received: 3, decoded: 2, rejected: 2, submitted: 2 });
      });
    });
  }
}

// ---- embedded aedes (MQTT 3.1.1 only): always runs --------------------------------------------

let aedesUrl = '';
let aedes: Aedes | undefined;
let server: ReturnType<typeof createServer> | undefined;

describe('MQTT ingest subscriber', () => {
  beforeAll(async () => {
    aedes = await Aedes.createBroker();
    const srv = createServer(aedes.handle);
    server = srv;
    await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', () => resolve()));
    aedesUrl = `mqtt://127.0.0.1:${(srv.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => (aedes ? aedes.close(() => resolve()) : resolve()));
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  });

  brokerSuite('embedded aedes', () => aedesUrl, [4]);
});

// ---- Mosquitto from scripts/services: skipped (reported) without MQTT_URL -----------------------

describe.skipIf(!services.mqtt)('MQTT ingest subscriber against Mosquitto', () => {
  brokerSuite('Mosquitto', () => services.mqtt!, [4, 5]);
});

describe('startMqttSubscriber options', () => {
  it('refuses a submit timeout that would outlast the keepalive', () => {
    expect(() =>
      startMqttSubscriber({
        url: 'mqtt://127.0.0.1:1',
        clientId: 'x',
        mappings: compile('x'),
        sink: recordingSink(),
        keepaliveSeconds: 10,
        submitTimeoutMs: 10_000,
      }),
    ).toThrow(/submitTimeoutMs \(10000\) must be below the keepalive \(10 s\)/);
  });
});
