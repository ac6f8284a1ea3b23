/**
 * MQTT ingest subscriber — the adapter at the edge: connects to a broker (the embedded aedes or
 * an external Mosquitto), decodes messages with the mappings (mapping.ts, pure) and hands the
 * results to an IngestSink.
 *
 * Delivery: at least once, in broker order.
 *  - Persistent session: fixed clientId, `clean: false` (MQTT 5: plus a session expiry interval),
 *    subscriptions with QoS 1, so the broker queues messages while we are away.
 *  - A QoS 1 message is acknowledged (PUBACK) only after `sink.submit` for it resolved — but the
 *    next message is read at once (DEFERRED ACKS). mqtt.js reads the next packet only after
 *    `handleMessage`'s callback led to the PUBACK being written, so we call back at once and
 *    hold the PUBACK itself: `client._sendPacket` (private; checked at start, see
 *    `assertMqttInternals`) is wrapped so that a PUBACK of a held message completes for mqtt.js
 *    but is written only when the message is durable. PUBACKs go out in receive order (MQTT
 *    3.1.1 §4.6), messages that need no submit (retained, unmapped) wait behind older ones.
 *  - Group commit: messages that arrive while a submit wave is in flight form the next wave;
 *    a wave is one `sink.submit` (all or nothing), and the next wave starts when the previous
 *    one resolved. So after a failure nothing newer is stored before the redelivery.
 *  - Backpressure: at most `maxUnacked` messages (default 50 000) are held; then the callback is
 *    withheld, mqtt.js stops reading, and TCP plus the broker's in-flight window hold the rest.
 *  - When a submit fails (or a wave exceeds submitTimeoutMs), nothing of it or later is
 *    acknowledged and the connection is dropped: MQTT brokers resend unacknowledged messages
 *    only when the session resumes, so we reconnect (with backoff) and get them again.
 *  - A message whose submit succeeded but whose PUBACK was not sent (connection died, wave
 *    partly failed) is delivered again: the writer treats (series, ts) duplicates as idempotent.
 * Reconnects: exponential backoff, initialMs doubling to maxMs, reset after a connection that
 * stayed up stableMs or submitted something.
 */
import mqtt, { type IClientOptions, type IPublishPacket, type MqttClient } from 'mqtt';
import { decodeMessage, subscriptionTopics, type CompiledMapping, type DecodeResult } from './mapping.js';

export type { DecodeResult, KeyedReading } from './mapping.js';

/** Where decoded messages go. */
export interface IngestSink {
  /**
   * Resolves once the readings and rejections of all these messages are stored (one call per
   * wave of messages, in receive order; one wave in flight per subscriber). Rejecting means
   * "not stored, retry": none of the messages is acknowledged and the broker delivers them
   * again after the reconnect — so a sink should store a call's readings all or none (the
   * writer's enqueue does). Called again for redelivered messages.
   */
  submit(source: string, messages: readonly DecodeResult[]): Promise<void>;
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
  /** a submit wave still pending after this is treated as failed; must stay below the keepalive (default 30 s) */
  submitTimeoutMs?: number;
  /** QoS 1 messages received but not yet acknowledged; at this many no further packet is read (default 50 000) */
  maxUnacked?: number;
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
  /** QoS 1 messages received and not yet acknowledged (on the current connection) */
  unacked: number;
  /** the most messages held unacknowledged at once */
  peakUnacked: number;
  /** submit waves started (a wave: the messages that arrived while the previous one was in flight) */
  waves: number;
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
      `submitTimeoutMs (${submitTimeoutMs}) must be below the keepalive (${keepaliveSeconds} s): at the maxUnacked bound no packet is read while a submit is pending`,
    );
  const initialMs = options.backoff?.initialMs ?? 500;
  const maxMs = options.backoff?.maxMs ?? 30_000;
  const stableMs = options.backoff?.stableMs ?? 10_000;
  const now = options.now ?? Date.now;
  const log = options.log ?? noLog;
  const source = options.source ?? `mqtt:${options.clientId}`;
  const maxUnacked = options.maxUnacked ?? 50_000;
  if (!Number.isInteger(maxUnacked) || maxUnacked < 2) throw new Error(`maxUnacked (${maxUnacked}) must be an integer ≥ 2`);
  assertMqttInternals();
  const topics = subscriptionTopics(options.mappings);
  if (topics.length === 0) throw new Error('MQTT subscriber needs at least one mapping');

  const stats: SubscriberStats = {
    received: 0,
    ignored: 0,
    decoded: 0,
    rejected: 0,
    submitted: 0,
    submitFailures: 0,
    unacked: 0,
    peakUnacked: 0,
    waves: 0,
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
      stats.unacked = 0;
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

    // ---- deferred PUBACKs: see the header comment -------------------------------------------
    /** QoS 1 messages in receive order, from `head`; each is acknowledged when it and all before it are done */
    const held: Held[] = [];
    let head = 0;
    /** held messages whose PUBACK mqtt.js has asked to send, by packet id */
    const byId = new Map<number, Held>();
    let nextWave: { held: Held | undefined; message: DecodeResult }[] = [];
    let waveRunning = false;
    let waveScheduled = false;
    /** the handleMessage callback withheld at the maxUnacked bound */
    let withheld: (() => void) | undefined;

    const internals = client as unknown as MqttInternals;
    const sendPacket = internals._sendPacket.bind(client);
    internals._sendPacket = (packet, cb, ...rest) => {
      const h = packet.cmd === 'puback' && packet.messageId !== undefined ? byId.get(packet.messageId) : undefined;
      if (!h || h.ack) return sendPacket(packet, cb, ...rest);
      h.ack = packet;
      cb?.(); // mqtt.js goes on reading; the PUBACK itself waits in `held`
      pumpAcks();
    };

    const pumpAcks = (): void => {
      if (ended) return;
      while (head < held.length && held[head]!.done && held[head]!.ack) {
        const h = held[head]!;
        held[head++] = undefined as unknown as Held;
        if (byId.get(h.messageId) === h) byId.delete(h.messageId);
        sendPacket(h.ack!);
      }
      if (head > 1024 && head * 2 > held.length) {
        held.splice(0, head);
        head = 0;
      }
      stats.unacked = held.length - head;
      if (withheld && stats.unacked < maxUnacked) {
        const cb = withheld;
        withheld = undefined;
        cb();
      }
    };

    const scheduleWave = (): void => {
      if (waveRunning || waveScheduled || nextWave.length === 0) return;
      waveScheduled = true;
      setImmediate(runWave); // messages of the same network read join the wave
    };

    const runWave = (): void => {
      waveScheduled = false;
      if (ended || waveRunning || nextWave.length === 0) return;
      const wave = nextWave;
      nextWave = [];
      waveRunning = true;
      stats.waves++;
      withTimeout(
        options.sink.submit(
          source,
          wave.map((m) => m.message),
        ),
        submitTimeoutMs,
      ).then(
        () => {
          waveRunning = false;
          if (ended) return; // dropped meanwhile: not acknowledged, the broker redelivers
          for (const m of wave) {
            stats.submitted += m.message.readings.length;
            if (m.held) m.held.done = true;
          }
          submittedHere = true;
          pumpAcks();
          scheduleWave();
        },
        (err: unknown) => {
          waveRunning = false;
          stats.submitFailures++;
          const reason = err instanceof Error ? err.message : String(err);
          log.warn('mqtt ingest: submit failed, messages left unacknowledged', { messages: wave.length, reason });
          drop(`submit failed: ${reason}`);
        },
      );
    };

    client.handleMessage = (packet: IPublishPacket, callback: (err?: Error) => void): void => {
      if (live !== client || ended) return callback(new Error('connection dropped; the broker redelivers'));
      stats.received++;
      let h: Held | undefined;
      if (packet.qos === 1 && packet.messageId !== undefined) {
        h = { messageId: packet.messageId, done: false };
        held.push(h);
        byId.set(h.messageId, h);
        stats.unacked = held.length - head;
        if (stats.unacked > stats.peakUnacked) stats.peakUnacked = stats.unacked;
      }
      const decoded =
        packet.retain && !options.acceptRetained
          ? undefined
          : decodeMessage(options.mappings, packet.topic, packet.payload as Uint8Array, now());
      if (decoded) {
        stats.decoded += decoded.readings.length;
        stats.rejected += decoded.rejections.length;
      }
      if (!decoded || (decoded.readings.length === 0 && decoded.rejections.length === 0)) {
        stats.ignored++;
        if (h) h.done = true;
      } else {
        nextWave.push({ held: h, message: { readings: decoded.readings, rejections: decoded.rejections } });
        scheduleWave();
      }
      if (stats.unacked < maxUnacked) callback();
      else withheld = () => callback(); // backpressure: mqtt.js reads nothing more until acks drain
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

interface Held {
  messageId: number;
  /** stored (or needs no storing): may be acknowledged once everything before it is */
  done: boolean;
  /** the PUBACK mqtt.js asked to send */
  ack?: MqttPacketOut;
}

interface MqttPacketOut {
  cmd: string;
  messageId?: number;
}

/** The private part of mqtt.js's MqttClient (5.x) that deferred PUBACKs rely on. */
interface MqttInternals {
  _sendPacket(packet: MqttPacketOut, cb?: (err?: Error) => void, ...rest: unknown[]): void;
}

/**
 * Deferred PUBACKs wrap mqtt.js's private `MqttClient.prototype._sendPacket(packet, cb)`, which
 * `handlers/publish.js` calls with `{ cmd: 'puback', messageId }` after handleMessage's callback
 * (checked with mqtt 5.16). If a new mqtt.js drops it, fail at start instead of acknowledging early.
 */
export function assertMqttInternals(): void {
  const proto = (mqtt as unknown as { MqttClient?: { prototype: Partial<MqttInternals> } }).MqttClient?.prototype;
  if (typeof proto?._sendPacket !== 'function' || proto._sendPacket.length < 2)
    throw new Error(
      'mqtt.js no longer has MqttClient.prototype._sendPacket(packet, cb): MQTT ingest defers PUBACKs through it (written for mqtt 5.16); pin mqtt or adapt subscriber.ts',
    );
}
