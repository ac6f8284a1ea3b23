/**
 * The live hub: takes every live.* message from the event bus, gives it the next cursor of its
 * site in the journal, and fans it out to the sockets of that site that subscribed to its topic.
 * Each message is serialised once; a socket that does not read fast enough (more than
 * `maxBufferedBytes` queued) is closed with 1013 and never holds up the others. Sockets are
 * pinged every `heartbeatMs`; one that did not answer the previous ping is terminated.
 */
import { randomBytes } from 'node:crypto';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { EventBus } from '../bus/index.js';
import type { Logger } from '../ops/logger.js';
import { Journal, type JournalEntry, type JournalLimits } from './journal.js';
import { CLOSE, TOPIC_NAMES, parseClientMessage, topicName, type TopicName } from './protocol.js';
import { LIVE_TOPICS } from './topics.js';

/** The part of a `ws` WebSocket the hub uses (tests and the benchmark pass real ones). */
export interface LiveSocket {
  readonly readyState: number;
  readonly bufferedAmount: number;
  /** text frame; a Buffer (UTF-8) with binary: false is sent as text without another encoding */
  send(data: string | Buffer, options?: { binary?: boolean }): void;
  ping(): void;
  close(code?: number, reason?: string): void;
  terminate(): void;
  on(event: 'message', fn: (data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean) => void): unknown;
  on(event: 'pong' | 'close', fn: () => void): unknown;
}

export interface LiveHubOptions {
  bus: EventBus;
  log: Logger;
  registry?: Registry;
  journal?: Partial<JournalLimits>;
  /** drop a socket with more than this many bytes queued (default 1 MiB) */
  maxBufferedBytes?: number;
  /** ping and heartbeat interval (default 30 s) */
  heartbeatMs?: number;
  now?: () => number;
}

const OPEN = 1;

/** A close reason fits in 123 bytes of UTF-8 (RFC 6455 §5.5). */
export function closeReason(reason: string): string {
  let r = reason;
  while (Buffer.byteLength(r) > 123) r = r.slice(0, -1);
  return r;
}

export class LiveClient {
  topics = new Set<TopicName>();
  /** true once the client subscribed: before that it gets nothing but hello and answers */
  streaming = false;
  alive = true;
  closed = false;
  /** bytes the last catch-up queued at once; allowed on top of the limit until the queue falls below it */
  graceBytes = 0;
  constructor(
    readonly socket: LiveSocket,
    readonly siteId: string,
  ) {}
}

export interface LiveMetrics {
  clients: Gauge;
  sent: Counter;
  dropped: Counter<'reason'>;
}

function createLiveMetrics(registry: Registry | undefined): LiveMetrics {
  const registers = registry ? [registry] : [];
  return {
    clients: new Gauge({ name: 'luna_ws_clients', help: 'Open live WebSocket connections (GET /sites/:siteId/live)', registers }),
    sent: new Counter({
      name: 'luna_ws_messages_sent_total',
      help: 'Messages sent to live WebSocket clients (catch-up and live)',
      registers,
    }),
    dropped: new Counter({
      name: 'luna_ws_dropped_clients_total',
      help: 'Live WebSocket clients closed by the service: slow (send queue over the limit), heartbeat (no pong), auth (session ended or role changed)',
      labelNames: ['reason'],
      registers,
    }),
  };
}

export class LiveHub {
  readonly epoch = randomBytes(6).toString('hex');
  readonly journal: Journal;
  readonly metrics: LiveMetrics;
  readonly maxBufferedBytes: number;
  readonly heartbeatMs: number;
  private readonly clients = new Map<string, Set<LiveClient>>();
  private readonly unsubscribe: Array<() => void>;
  private readonly heartbeat: NodeJS.Timeout;
  private readonly now: () => number;
  private readonly log: Logger;
  private badMessages = 0;

  constructor(o: LiveHubOptions) {
    this.journal = new Journal({ maxEntries: o.journal?.maxEntries ?? 10_000, maxAgeMs: o.journal?.maxAgeMs ?? 15 * 60_000 });
    this.metrics = createLiveMetrics(o.registry);
    this.maxBufferedBytes = o.maxBufferedBytes ?? 1024 * 1024;
    this.heartbeatMs = o.heartbeatMs ?? 30_000;
    this.now = o.now ?? Date.now;
    this.log = o.log;
    this.unsubscribe = [];
    try {
      for (const t of Object.values(LIVE_TOPICS))
        this.unsubscribe.push(
          o.bus.subscribe(t, (m) => {
            this.publish(t, m);
          }),
        );
    } catch (err) {
      // the Kafka bus is not built yet (issue #4): the socket works, but nothing is published
      this.log.warn({ err: (err as Error).message }, 'live: cannot subscribe to the event bus; live sockets get no messages');
    }
    this.heartbeat = setInterval(() => this.beat(), this.heartbeatMs);
    this.heartbeat.unref();
  }

  /** Number of open sockets (all sites, or one). */
  count(siteId?: string): number {
    if (siteId !== undefined) return this.clients.get(siteId)?.size ?? 0;
    let n = 0;
    for (const s of this.clients.values()) n += s.size;
    return n;
  }

  /** Journals a bus message and sends it to the site's subscribers. Messages without a siteId are refused (logged). */
  publish(busTopic: string, message: unknown): JournalEntry | undefined {
    const topic = topicName(busTopic);
    const siteId = (message as { siteId?: unknown } | null)?.siteId;
    if (!topic || typeof siteId !== 'string') {
      if (this.badMessages++ % 1000 === 0)
        this.log.warn({ topic: busTopic, seen: this.badMessages }, `live: a ${busTopic} message without a siteId was not forwarded`);
      return undefined;
    }
    const atMs = this.now();
    let data: string;
    try {
      data = JSON.stringify(message);
    } catch (err) {
      this.log.warn({ topic: busTopic, err: (err as Error).message }, 'live: a message that cannot be serialised was not forwarded');
      return undefined;
    }
    const entry = this.journal
      .site(siteId)
      .append(topic, atMs, (cursor) => `{"type":"msg","cursor":${cursor},"topic":"${topic}","atMs":${atMs},"data":${data}}`);
    const clients = this.clients.get(siteId);
    if (clients) {
      // encoded once for all sockets (ws would otherwise turn the string into bytes for each)
      let bytes: Buffer | undefined;
      for (const c of clients) if (c.streaming && c.topics.has(topic)) this.send(c, (bytes ??= Buffer.from(entry.wire)));
    }
    return entry;
  }

  /** Takes over an open socket for a site that the caller was allowed to read. */
  attach(socket: LiveSocket, siteId: string): LiveClient {
    const client = new LiveClient(socket, siteId);
    let set = this.clients.get(siteId);
    if (!set) this.clients.set(siteId, (set = new Set()));
    set.add(client);
    this.metrics.clients.inc();
    socket.on('pong', () => (client.alive = true));
    socket.on('close', () => this.detach(client));
    socket.on('message', (data, isBinary) => {
      if (isBinary) return this.reply(client, { type: 'error', code: 'bad_message', message: 'send JSON text frames' });
      this.onMessage(
        client,
        Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data as ArrayBuffer).toString('utf8'),
      );
    });
    const j = this.journal.site(siteId);
    this.reply(client, {
      type: 'hello',
      siteId,
      epoch: this.epoch,
      cursor: j.head,
      oldest: j.oldest,
      topics: TOPIC_NAMES,
      heartbeatS: this.heartbeatMs / 1000,
    });
    return client;
  }

  /** Closes a socket on the service's initiative and counts why. */
  drop(client: LiveClient, code: number, reason: string, metric: 'slow' | 'heartbeat' | 'auth'): void {
    if (client.closed) return;
    this.detach(client);
    this.metrics.dropped.inc({ reason: metric });
    this.log.info({ siteId: client.siteId, code, reason }, `live: closed a client of site ${client.siteId}: ${reason}`);
    if (metric === 'heartbeat') return client.socket.terminate();
    client.socket.close(code, closeReason(reason));
    // a client that does not read will not read the close frame either
    setTimeout(() => client.socket.terminate(), 2_000).unref();
  }

  /** Stops listening to the bus and closes every socket (service shutdown). */
  close(): void {
    clearInterval(this.heartbeat);
    for (const u of this.unsubscribe) u();
    for (const set of this.clients.values())
      for (const c of [...set]) {
        this.detach(c);
        c.socket.close(CLOSE.goingAway, 'the service is stopping');
        setTimeout(() => c.socket.terminate(), 1_000).unref();
      }
  }

  private detach(client: LiveClient): void {
    if (client.closed) return;
    client.closed = true;
    const set = this.clients.get(client.siteId);
    if (set?.delete(client)) this.metrics.clients.dec();
    if (set?.size === 0) this.clients.delete(client.siteId);
  }

  private onMessage(client: LiveClient, text: string): void {
    const parsed = parseClientMessage(text);
    if (!parsed.ok) return this.reply(client, { type: 'error', code: parsed.code, message: parsed.message });
    const m = parsed.message;
    if (m.kind === 'ping') return this.reply(client, { type: 'pong', id: m.id ?? null });
    if (m.unknown.length > 0)
      this.reply(client, {
        type: 'error',
        code: 'unknown_topic',
        message: `unknown topic(s) ${m.unknown.join(', ')} left out; known: ${TOPIC_NAMES.join(', ')}`,
      });
    // Catch-up and the switch to live happen in one synchronous step: no message can fall between.
    client.topics = new Set(m.topics);
    client.streaming = true;
    const j = this.journal.site(client.siteId);
    if (m.cursor !== undefined) {
      const restarted = (m.epoch !== undefined && m.epoch !== this.epoch) || m.cursor > j.head;
      const wants = (t: string) => client.topics.has(t as TopicName);
      const catchup = j.since(restarted ? 0 : m.cursor, this.now(), wants);
      if (restarted) this.reply(client, { type: 'gap', reason: 'restarted', from: 1, to: j.oldest - 1, epoch: this.epoch });
      else if (catchup.gap) this.reply(client, { type: 'gap', reason: 'expired', ...catchup.gap });
      // the catch-up is bounded by the journal; it may queue more than the limit at once
      for (const e of catchup.entries) if (!this.send(client, e.wire, true)) return;
      client.graceBytes = client.socket.bufferedAmount;
    }
    this.reply(client, { type: 'live', cursor: j.head, topics: [...client.topics] });
  }

  private reply(client: LiveClient, message: Record<string, unknown>): void {
    this.send(client, JSON.stringify(message));
  }

  /** Sends one frame, or drops a client whose queue is over the limit. false when the client is gone. */
  private send(client: LiveClient, wire: string | Buffer, catchup = false): boolean {
    if (client.closed || client.socket.readyState !== OPEN) return false;
    const queued = client.socket.bufferedAmount;
    if (catchup) {
      /* counted after the catch-up (graceBytes) */
    } else if (queued <= this.maxBufferedBytes) client.graceBytes = 0;
    else if (queued > this.maxBufferedBytes + client.graceBytes) {
      this.drop(
        client,
        CLOSE.slowConsumer,
        `slow consumer: ${queued} bytes queued (limit ${this.maxBufferedBytes}); reconnect with your cursor`,
        'slow',
      );
      return false;
    }
    client.socket.send(wire, { binary: false });
    this.metrics.sent.inc();
    return true;
  }

  private beat(): void {
    for (const [siteId, set] of this.clients) {
      const heartbeat = JSON.stringify({ type: 'heartbeat', cursor: this.journal.site(siteId).head });
      for (const c of [...set]) {
        if (!c.alive) {
          this.drop(c, CLOSE.heartbeat, `no pong within ${this.heartbeatMs} ms`, 'heartbeat');
          continue;
        }
        c.alive = false;
        try {
          c.socket.ping();
        } catch {
          /* closing already */
        }
        this.send(c, heartbeat);
      }
    }
  }
}
