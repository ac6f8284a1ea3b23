/**
 * What the live API publishes itself (other parts publish plans, commands, … on the bus):
 * readings the writer made durable, device state changes and events. Each turns the source's
 * record into the message of api/src/live/topics.ts and puts it on the bus.
 */
import type { EventBus } from '../bus/index.js';
import type { DeviceHealth } from '../devices/driver.js';
import type { EventRecord } from '../events/store.js';
import type { Reading } from '../ingest/model.js';
import type { Logger } from '../ops/logger.js';
import type { Queryable } from '../store/index.js';
import { LIVE_TOPICS, type LiveDevice, type LiveEvent, type LiveReadings } from './topics.js';

/** Publishes without letting a bus failure (e.g. the not yet built Kafka bus) become an unhandled rejection. */
export function publishLive(bus: EventBus, topic: string, message: unknown, log?: Logger): void {
  bus.publish(topic, message).catch((err: Error) => log?.debug({ err: err.message, topic }, 'live: not published'));
}

type Newest = { seriesId: number; tsMs: number; value: number };

/** Newest reading per series of a batch — one pass, no sorting (the per-batch cost of the live API). */
export function newestPerSeries(rows: readonly Reading[]): Newest[] {
  const newest = new Map<number, Newest>();
  for (const r of rows) {
    const cur = newest.get(r.seriesId);
    if (!cur || r.tsMs >= cur.tsMs) newest.set(r.seriesId, { seriesId: r.seriesId, tsMs: r.tsMs, value: r.value });
  }
  return [...newest.values()];
}

/**
 * Publishes LiveReadings for accepted batches: the newest value per series, grouped by site,
 * with the series key. Series → site is looked up once per series and cached; batches are
 * published in the order they were accepted.
 */
export class ReadingsPublisher {
  private readonly series = new Map<number, { siteId: string; key: string }>();
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly db: Queryable,
    private readonly bus: EventBus,
    private readonly log: Logger,
  ) {}

  /** The writer's onAccepted hook: cheap and synchronous; the lookup and publish happen after. */
  accepted(rows: readonly Reading[]): void {
    if (rows.length === 0) return;
    const newest = newestPerSeries(rows);
    this.chain = this.chain
      .then(() => this.publish(newest))
      .catch((err: Error) => this.log.warn({ err: err.message }, 'live: readings not published'));
  }

  /** Resolves when everything accepted so far is on the bus (tests, benchmarks). */
  idle(): Promise<void> {
    return this.chain;
  }

  private async publish(newest: Newest[]): Promise<void> {
    const unknown = newest.filter((n) => !this.series.has(n.seriesId)).map((n) => n.seriesId);
    if (unknown.length > 0) {
      const { rows } = await this.db.query<{ id: number; site_id: string; key: string }>(
        'select id, site_id, key from series where id = any($1::int[])',
        [unknown],
      );
      for (const r of rows) this.series.set(Number(r.id), { siteId: r.site_id, key: r.key });
    }
    const bySite = new Map<string, LiveReadings['readings']>();
    for (const n of newest) {
      const s = this.series.get(n.seriesId);
      if (!s) continue; // deleted meanwhile
      let list = bySite.get(s.siteId);
      if (!list) bySite.set(s.siteId, (list = []));
      list.push({ seriesId: n.seriesId, key: s.key, tsMs: n.tsMs, value: n.value });
    }
    for (const [siteId, readings] of bySite) {
      const message: LiveReadings = { siteId, readings };
      publishLive(this.bus, LIVE_TOPICS.readings, message, this.log);
    }
  }
}

/** A device's connection state changed → LiveDevice. */
export function deviceMessage(h: Pick<DeviceHealth, 'siteId' | 'deviceId' | 'state' | 'sinceMs' | 'lastValueMs'>): LiveDevice {
  return { siteId: h.siteId, deviceId: h.deviceId, state: h.state, sinceMs: h.sinceMs, lastValueMs: h.lastValueMs };
}

/** An event was created, updated or acknowledged → LiveEvent (atMs: when it last changed). */
export function eventMessage(e: EventRecord): LiveEvent {
  return {
    siteId: e.siteId,
    event: { ...e, atMs: Math.max(Date.parse(e.updatedAt), e.acknowledgedAt ? Date.parse(e.acknowledgedAt) : 0) },
  };
}
