/**
 * MQTT ingest subscriber — the adapter at the edge: connects to a broker (the embedded aedes or
 * an external Mosquitto), decodes messages with the mappings (mapping.ts, pure) and hands the
 * results to an IngestSink.
 *
 * Delivery: at least once, in broker order.
 *  - Persistent session: fixed clientId, `clean: false` (MQTT 5: plus a session expiry interval),
 *    subscriptions with QoS 1, so the broker queues messages while we are away.
 *  - A QoS 1 message is acknowledged (PUBACK) only after `sink.submit` resolved. mqtt.js calls
 *    `client.handleMessage(packet, callback)` for every PUBLISH and sends the PUBACK only when the
 *    callback is called without error; it processes the next incoming packet only then. So
 *    exactly one submit is in flight per subscriber — backpressure reaches the broker through
 *    TCP and the broker's in-flight window. (`customHandleAcks` exists too, but only for MQTT 5
 *    — aedes speaks 3.1.1 — and its only choices are PUBACK now or PUBACK with an error code,
 *    which also ends the broker's delivery; it cannot hold a message back.)
 *  - When submit fails (or exceeds submitTimeoutMs), the message is not acknowledged and the
 *    connection is dropped: MQTT brokers resend unacknowledged messages only when the session
 *    resumes, so we reconnect (with backoff) and get it again, before anything newer.
 *  - A submit that succeeded but whose PUBACK was lost (connection died in between) is delivered
 *    again: the writer must treat (series, ts) duplicates as idempotent.
 * Reconnects: exponential backoff, initialMs doubling to maxMs, reset after a connection that
 * stayed up stableMs or submitted something.
 */
import mqtt, { type IClientOptions, type IPublishPacket, type MqttClient } from 'mqtt';
import type { Rejection } from '../model.js';
import { decodeMessage, subscriptionTopics, type CompiledMapping, type KeyedReading } from './mapping.js';

export type { KeyedReading } from './mapping.js';

/** Where decoded messages go. */
export interface IngestSink {
  /**
   * Resolves once the readings and rejections are stored. Rejecting means "not stored, retry":
   * the message stays unacknowledged and the broker delivers it again after the reconnect.
   * One call per MQTT message; called again for a redelivered message.
   */
  submit(source: string, readings: KeyedReading[], rejections: Rejection[]): Promise<void>;
}

export interface SubscriberLog {
  info(msg: string, detail?: Record<string, unknown>): void;
  warn(msg: string, detail?: Record<string, unknown>): void;
}

export interface SubscriberOptions {
  /** mqtt://host:port (or mqtts://, ws://) */
  url: string;
  /** fixed per installation: the broker keeps the session (subscriptions, queued messages) under it */
  clientId: string;
  mappings: readonly CompiledMapping[];
  sink: IngestSink;
  /** passed to sink.submit; default `mqtt:<clientId>` */
  source?: string;
  username?: string;
  password?: string;
  /** 4 = MQTT 3.1.1 (default; aedes and Mosquitto), 5 = MQTT 5 (Mosquitto, not aedes) */
  protocolVersion?: 4 | 5;
  /** MQTT 5 only: how long the broker keeps the session while we are away; default 7 days */
  sessionExpirySeconds?: number;
  keepaliveSeconds?: number;
  connectTimeoutMs?: number;
  /** a submit still pending after this is treated as failed; must stay below the keepalive (default 30 s) */
  submitTimeoutMs?: number;
  backoff?: { initialMs?: number; maxMs?: number; stableMs?: number };
  /**
   * Retained messages (sent by the broker because a subscription was made, not because a device
   * just published) are acknowledged and ignored by default: most formats are stamped with the
   * receive time, which would give an old value a new timestamp.
   */
  acceptRetained?: boolean;
  /** receive clock, epoch ms */
  now?: () => number;
  log?: SubscriberLog;
}

export interface SubscriberStats {
  /** PUBLISH packets received (redeliveries count again) */
  received: number;
  /** retained messages, and messages matching no mapping or yielding nothing (device status topics): acknowledged without submit */
  ignored: number;
  /** readings decoded */
  decoded: number;
  /** rejections produced */
  rejected: number;
  /** readings handed to the sink whose submit resolved */
  submitted: number;
  /** submits that failed or timed out (message left unacknowledged) */
  submitFailures: number;
  /** connection attempts after the first */
  reconnects: number;
  connected: boolean;
}

export interface MqttSubscriber {
  readonly stats: Readonly<SubscriberStats>;
  /** Resolves when the current (or next) connection has its subscriptions acknowledged. */
  whenSubscribed(): Promise<void>;
  /** Stops reconnecting and closes the connection; a pending submit is left unacknowledged. */
  close(): Promise<void>;
}

const noLog: SubscriberLog = { info: () => {}, warn: () => {} };

/** Delay before reconnect attempt n (0-based): initial·2ⁿ, at most max. */
export function backoffDelayMs(attempt: number, initialMs: number, maxMs: number): number {
  return Math.min(maxMs, initialMs * 2 ** Math.min(attempt, 30));
}

export function startMqttSubscriber(options: SubscriberOptions): MqttSubscriber {
  const protocolVersion = options.protocolVersion ?? 4;
  const keepaliveSeconds = options.keepaliveSeconds ?? 60;
  const submitTimeoutMs = options.submitTimeoutMs ?? 30_000;
  if (submitTimeoutMs >= keepaliveSeconds * 1000)
    throw new Error(
      `submitTimeoutMs (${submitTimeoutMs}) must be below the keepalive (${keepaliveSeconds} s): no packet is read while a submit is pending`,
    );
  const initialMs = options.backoff?.initialMs ?? 500;
  const maxMs = options.backoff?.maxMs ?? 30_000;
  const stableMs = options.backoff?.stableMs ?? 10_000;
  const now = options.now ?? Date.now;
  const log = options.log ?? noLog;
  const source = options.source ?? `mqtt:${options.clientId}`;
  const topics = subscriptionTopics(options.mappings);
  if (topics.length === 0) throw new Error('MQTT subscriber needs at least one mapping');

  const stats: SubscriberStats = {
    received: 0,
    ignored: 0,
    decoded: 0,
    rejected: 0,
    submitted: 0,
    submitFailures: 0,
    reconnects: 0,
    connected: false,
  };
  let live: MqttClient | undefined;
  let attempt = 0;
  let attempts = 0;
  let closed = false;
  let timer: NodeJS.Timeout | undefined;
  let subscribedWaiters: { resolve: () => void; reject: (e: Error) => void }[] = [];
  let subscribed = false;

  const clientOptions: IClientOptions = {
    clientId: options.clientId,
    clean: false,
    protocolVersion,
    reconnectPeriod: 0, // reconnects are ours (backoff), one client object per connection
    keepalive: keepaliveSeconds,
    connectTimeout: options.connectTimeoutMs ?? 10_000,
    ...(protocolVersion === 5 ? { properties: { sessionExpiryInterval: options.sessionExpirySeconds ?? 7 * 86400 } } : {}),
    ...(options.username !== undefined ? { username: options.username } : {}),
    ...(options.password !== undefined ? { password: options.password } : {}),
  };

  function connect(): void {
    timer = undefined;
    if (closed) return;
    if (attempts++ > 0) stats.reconnects++;
    const client = mqtt.connect(options.url, clientOptions);
    live = client;
    let connectedAt: number | undefined;
    let submittedHere = false;
    let ended = false;

    const drop = (why: string): void => {
      if (ended) return;
      ended = true;
      if (live === client) {
        live = undefined;
        stats.connected = false;
        subscribed = false;
      }
      client.end(true);
      if (closed) return;
      const wasGood = submittedHere || (connectedAt !== undefined && Date.now() - connectedAt >= stableMs);
      if (wasGood) attempt = 0;
      const delay = backoffDelayMs(attempt++, initialMs, maxMs);
      log.warn('mqtt ingest: connection lost, reconnecting', { url: options.url, reason: why, delayMs: delay });
      timer = setTimeout(connect, delay);
    };

    client.handleMessage = (packet: IPublishPacket, callback: (err?: Error) => void): void => {
      if (live !== client) return callback(new Error('connection dropped; the broker redelivers'));
      stats.received++;
      if (packet.retain && !options.acceptRetained) {
        stats.ignored++;
        return callback();
      }
      const decoded = decodeMessage(options.mappings, packet.topic, packet.payload as Uint8Array, now());
      stats.decoded += decoded.readings.length;
      stats.rejected += decoded.rejections.length;
      if (decoded.readings.length === 0 && decoded.rejections.length === 0) {
        stats.ignored++;
        return callback();
      }
      withTimeout(options.sink.submit(source, decoded.readings, decoded.rejections), submitTimeoutMs).then(
        () => {
          if (live !== client) return callback(new Error('connection lost before PUBACK; the broker redelivers'));
          stats.submitted += decoded.readings.length;
          submittedHere = true;
          callback();
        },
        (err: unknown) => {
          stats.submitFailures++;
          const reason = err instanceof Error ? err.message : String(err);
          log.warn('mqtt ingest: submit failed, message left unacknowledged', { topic: packet.topic, reason });
          drop(`submit failed: ${reason}`);
          callback(new Error(`submit failed: ${reason}`));
        },
      );
    };

    client.on('connect', (connack) => {
      connectedAt = Date.now();
      stats.connected = true;
      log.info('mqtt ingest: connected', { url: options.url, sessionPresent: connack.sessionPresent });
      // Subscribing again on a resumed session is harmless (and picks up added mappings);
      // MQTT 5 retain handling 1 avoids resending retained messages for existing subscriptions.
      const subs = Object.fromEntries(topics.map((t) => [t, protocolVersion === 5 ? { qos: 1 as const, rh: 1 } : { qos: 1 as const }]));
      client.subscribe(subs, (err, granted) => {
        const refused = granted?.filter((g) => g.qos === 128) ?? [];
        if (err || refused.length) {
          const why = err ? err.message : `broker refused ${refused.map((g) => g.topic).join(', ')}`;
          log.warn('mqtt ingest: subscribe failed', { reason: why });
          for (const w of subscribedWaiters) w.reject(new Error(`MQTT subscribe failed: ${why}`));
          subscribedWaiters = [];
          return drop(`subscribe failed: ${why}`);
        }
        if (live !== client) return;
        subscribed = true;
        for (const w of subscribedWaiters) w.resolve();
        subscribedWaiters = [];
      });
    });
    client.on('error', (err) => log.warn('mqtt ingest: client error', { url: options.url, reason: err.message }));
    client.on('close', () => drop('connection closed'));
  }

  connect();

  return {
    stats,
    whenSubscribed() {
      if (subscribed) return Promise.resolve();
      if (closed) return Promise.reject(new Error('subscriber closed'));
      return new Promise((resolve, reject) => subscribedWaiters.push({ resolve, reject }));
    },
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
      for (const w of subscribedWaiters) w.reject(new Error('subscriber closed'));
      subscribedWaiters = [];
      const client = live;
      live = undefined;
      stats.connected = false;
      subscribed = false;
      // force: no DISCONNECT handshake waiting for in-flight work; the session stays on the broker
      if (client) await client.endAsync(true);
    },
  };
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let t: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    t = setTimeout(() => reject(new Error(`sink did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(t));
}
