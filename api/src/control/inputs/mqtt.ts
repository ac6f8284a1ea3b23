/**
 * Grid signals over MQTT (adapter): one topic per site, `luna/<siteId>/grid-signal`, JSON payload
 * as the REST body (validate.ts parseSignalInput) or `{"cancel":"<reference>"}` to cancel an order.
 *
 *   luna/<siteId>/grid-signal         in:  {"kind":"section14a-dimming","to":"…","maxControllablePowerW":8400,"reference":"…"}
 *   luna/<siteId>/grid-signal/ack     out: {"id":…,"reference":…,"kind":…,"duplicate":false,"change":"received"|"cancelled"}
 *   luna/<siteId>/grid-signal/error   out: {"error":"invalid_signal","errors":["to: is required …"],"topic":…,"receivedAt":…}
 *
 * Delivery: persistent session (clientId `luna-grid-signals-<instance>`, clean: false) and QoS 1, so orders
 * sent while Luna is away are delivered on reconnect. A message is acknowledged (PUBACK) only after
 * it is stored or refused for a reason that a redelivery cannot fix (bad payload, unknown site,
 * conflicting reference: logged and published on …/error, the next messages go on). When storing
 * fails for another reason (database unreachable) the message is NOT acknowledged and the
 * connection is dropped, so the broker delivers it again after the reconnect; a redelivery of a
 * stored order is harmless when it carries a reference (idempotent).
 */
import mqtt, { type MqttClient } from 'mqtt';
import type { Logger } from '../../ops/logger.js';
import type { Database } from '../../store/index.js';
import { InputError, type ControlInputsService } from './service.js';
import { parseSignalInput } from './validate.js';

export const SIGNAL_TOPIC_FILTER = 'luna/+/grid-signal';
export const signalTopic = (siteId: string): string => `luna/${siteId}/grid-signal`;

export interface MqttSignalsOptions {
  url: string;
  username?: string;
  password?: string;
  clientId?: string;
  db: Database;
  inputs: ControlInputsService;
  log: Logger;
  now?: () => number;
}

export interface MqttSignals {
  client: MqttClient;
  /** messages handled (stored, duplicate or refused), for tests and diagnostics */
  stats: { received: number; stored: number; refused: number; retried: number };
  close(): Promise<void>;
}

type Outcome =
  | { ok: true; ack: Record<string, unknown> }
  | { ok: false; error: string; errors: string[]; reference?: string }
  | { retry: true; err: Error };

export function startMqttSignals(o: MqttSignalsOptions): MqttSignals {
  const now = o.now ?? Date.now;
  const log = o.log.child({ component: 'grid-signals-mqtt' });
  const client = mqtt.connect(o.url, {
    clientId: o.clientId ?? 'luna-grid-signals',
    clean: false,
    reconnectPeriod: 1000,
    connectTimeout: 10_000,
    ...(o.username !== undefined ? { username: o.username } : {}),
    ...(o.password !== undefined ? { password: o.password } : {}),
  });
  const stats = { received: 0, stored: 0, refused: 0, retried: 0 };
  const actor = { actor: { type: 'system' as const, name: 'mqtt grid-signal' } };

  async function handle(topic: string, payload: Buffer): Promise<Outcome> {
    const m = /^luna\/([^/]+)\/grid-signal$/.exec(topic);
    if (!m) return { ok: false, error: 'bad_topic', errors: [`topic: ${topic} is not luna/<siteId>/grid-signal`] };
    const siteId = m[1]!;
    let body: unknown;
    try {
      body = JSON.parse(payload.toString('utf8'));
    } catch (err) {
      return { ok: false, error: 'invalid_json', errors: [`payload: not JSON (${(err as Error).message})`] };
    }
    const reference =
      typeof body === 'object' && body !== null && typeof (body as { reference?: unknown }).reference === 'string'
        ? (body as { reference: string }).reference
        : undefined;
    try {
      const site = await o.db.query('select 1 from sites where id = $1', [siteId]);
      if (!site.rows.length) return { ok: false, error: 'unknown_site', errors: [`siteId: no site "${siteId}" (topic ${topic})`] };
      if (typeof body === 'object' && body !== null && 'cancel' in body) {
        const ref = (body as { cancel: unknown }).cancel;
        const extra = Object.keys(body).filter((k) => k !== 'cancel');
        if (typeof ref !== 'string' || !ref.trim() || extra.length)
          return {
            ok: false,
            error: 'invalid_cancel',
            errors: [
              ...(typeof ref !== 'string' || !ref.trim() ? ['cancel: must be the reference of the order to cancel'] : []),
              ...extra.map((k) => `${k}: not allowed beside cancel`),
            ],
          };
        const s = await o.inputs.cancelSignal(siteId, { reference: ref.trim() }, actor);
        return { ok: true, ack: { id: s.id, reference: s.reference, kind: s.kind, change: 'cancelled' } };
      }
      const parsed = parseSignalInput(body, o.inputs.nowFor(siteId));
      if (!parsed.ok) return { ok: false, error: 'invalid_signal', errors: parsed.errors, ...(reference ? { reference } : {}) };
      const r = await o.inputs.receiveSignal(siteId, parsed.value, 'mqtt', actor, { fromDefaulted: parsed.fromDefaulted });
      return {
        ok: true,
        ack: { id: r.signal.id, reference: r.signal.reference, kind: r.signal.kind, duplicate: r.duplicate, change: 'received' },
      };
    } catch (err) {
      if (err instanceof InputError) return { ok: false, error: err.code, errors: err.errors, ...(reference ? { reference } : {}) };
      return { retry: true, err: err as Error };
    }
  }

  // Hold the PUBACK until the message is handled (mqtt.js sends it when this callback is called).
  client.handleMessage = (packet, callback) => {
    const topic = packet.topic;
    const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
    stats.received++;
    void handle(topic, payload).then((outcome) => {
      const siteId = /^luna\/([^/]+)\//.exec(topic)?.[1];
      if ('retry' in outcome) {
        stats.retried++;
        log.error(
          { err: outcome.err, topic },
          `grid signal on ${topic} could not be stored (${outcome.err.message}); it will be delivered again`,
        );
        client.stream.destroy(); // no PUBACK: the broker sends it again when the session resumes
        return;
      }
      if (outcome.ok) {
        stats.stored++;
        if (siteId) client.publish(`${signalTopic(siteId)}/ack`, JSON.stringify(outcome.ack), { qos: 1 });
      } else {
        stats.refused++;
        log.warn({ topic, error: outcome.error, errors: outcome.errors }, `grid signal on ${topic} refused: ${outcome.errors.join('; ')}`);
        if (siteId)
          client.publish(
            `${signalTopic(siteId)}/error`,
            JSON.stringify({ ...outcome, ok: undefined, topic, receivedAt: new Date(now()).toISOString() }),
            { qos: 1 },
          );
      }
      callback();
    });
  };

  client.on('connect', (ack) => {
    if (ack.sessionPresent) return;
    client.subscribe(SIGNAL_TOPIC_FILTER, { qos: 1 }, (err) => {
      if (err) log.error({ err }, `grid signals: subscribing to ${SIGNAL_TOPIC_FILTER} failed`);
      else log.info(`grid signals: listening on ${SIGNAL_TOPIC_FILTER} (QoS 1, persistent session)`);
    });
  });
  client.on('error', (err) => log.warn({ err: err.message }, 'grid signals: MQTT error'));

  return {
    client,
    stats,
    async close() {
      await client.endAsync();
    },
  };
}
