/**
 * The IngestSink behind MQTT: series keys → series ids of one site (cached; a key seen for the
 * first time becomes a series, described by the mappings), readings → `writer.enqueue` (resolves
 * when committed or in the fsynced disk buffer, so the subscriber may acknowledge), rejections →
 * quarantine, counts → ingest_log as one row per `journalIntervalMs` per site (source 'mqtt').
 *
 * Rejections go to quarantine before the messages are acknowledged; while the database is
 * unreachable they stay in memory (at most 10 000) and are written with the next journal row.
 */
import { HttpError } from '../../http/errors.js';
import type { Logger } from '../../ops/logger.js';
import type { Database } from '../../store/index.js';
import { createSeries, resolveSeries } from '../../timeseries/series.js';
import { recordIngest } from '../journal.js';
import type { Reading, Rejection } from '../model.js';
import type { IngestBus } from '../bus.js';
import { describeSeries } from './describe.js';
import type { CompiledMapping, DecodeResult } from './mapping.js';
import type { IngestSink } from './subscriber.js';

export interface WriterSinkOptions {
  /** to create series for keys not known yet; without mappings unknown keys are rejected */
  mappings?: readonly CompiledMapping[];
  /** one ingest_log row per this interval (default 10 s) */
  journalIntervalMs?: number;
  /** called when a wave is durable (benchmarks, metrics) */
  onStored?: (messages: readonly DecodeResult[], readings: number) => void;
}

export interface WriterSink extends IngestSink {
  /** writes the pending journal row (and stops the timer when closing) */
  flushJournal(): Promise<void>;
  close(): Promise<void>;
}

const MAX_PENDING_REJECTIONS = 10_000;

export function writerSink(
  db: Database,
  writer: Pick<IngestBus, 'enqueue'>,
  siteId: string,
  log: Logger,
  options: WriterSinkOptions = {},
): WriterSink {
  const ids = new Map<string, number>();
  const journal = { accepted: 0, messages: 0, rejections: [] as Rejection[], dropped: 0 };
  const timer = setInterval(() => void flushJournal(), options.journalIntervalMs ?? 10_000);
  timer.unref();

  async function flushJournal(): Promise<void> {
    if (journal.accepted === 0 && journal.rejections.length === 0 && journal.messages === 0) return;
    const rec = { ...journal };
    journal.accepted = 0;
    journal.messages = 0;
    journal.rejections = [];
    journal.dropped = 0;
    try {
      await recordIngest(db, {
        siteId,
        source: 'mqtt',
        accepted: rec.accepted,
        duplicate: 0,
        rejections: rec.rejections,
        detail: { messages: rec.messages, ...(rec.dropped ? { rejectionsNotKept: rec.dropped } : {}) },
      });
    } catch (err) {
      // keep them for the next try (the readings themselves are safe in the writer)
      journal.accepted += rec.accepted;
      journal.messages += rec.messages;
      const all = [...rec.rejections, ...journal.rejections];
      journal.rejections = all.slice(0, MAX_PENDING_REJECTIONS);
      journal.dropped += rec.dropped + (all.length - journal.rejections.length);
      log.warn({ err: (err as Error).message, siteId }, 'mqtt ingest: could not write the ingest log; will retry');
    }
  }

  /** Ids for the keys, creating missing series; keys that cannot be described get a rejection. */
  async function seriesIds(keys: Set<string>, rejections: Rejection[]): Promise<void> {
    const unknown = [...keys].filter((k) => !ids.has(k));
    if (unknown.length === 0) return;
    for (const [k, s] of await resolveSeries(db, siteId, unknown)) if (typeof k === 'string') ids.set(k, s.id);
    for (const key of unknown.filter((k) => !ids.has(k))) {
      const d = options.mappings ? describeSeries(options.mappings, key) : undefined;
      if (!d) {
        rejections.push({ field: key, reason: `no series "${key}" on site ${siteId}, and the mappings do not tell its quantity` });
        continue;
      }
      try {
        const s = await createSeries(db, siteId, { key, quantity: d.quantity, semantics: d.semantics });
        ids.set(key, s.id);
        log.info({ siteId, key, quantity: d.quantity, semantics: d.semantics }, `mqtt ingest: created series ${key} on site ${siteId}`);
      } catch (err) {
        if (!(err instanceof HttpError)) throw err; // database trouble: the wave is retried
        if (err.code === 'series_exists') {
          const again = await resolveSeries(db, siteId, [key]);
          const s = again.get(key);
          if (s) ids.set(key, s.id);
          continue;
        }
        rejections.push({ field: key, reason: err.message });
      }
    }
  }

  return {
    async submit(_source, messages) {
      const rejections: Rejection[] = messages.flatMap((m) => m.rejections);
      const keys = new Set<string>();
      for (const m of messages) for (const r of m.readings) keys.add(r.seriesKey);
      const keyRejections: Rejection[] = [];
      await seriesIds(keys, keyRejections);
      const readings: Reading[] = [];
      for (const m of messages)
        for (const r of m.readings) {
          const seriesId = ids.get(r.seriesKey);
          if (seriesId === undefined) continue;
          readings.push({ seriesId, tsMs: r.tsMs, value: r.value, quality: r.quality });
        }
      if (readings.length) await writer.enqueue(readings);
      for (const k of keyRejections) {
        const n = messages.reduce((c, m) => c + m.readings.filter((r) => r.seriesKey === k.field).length, 0);
        rejections.push({ ...k, reason: `${k.reason} (${n} reading(s))` });
      }
      journal.accepted += readings.length;
      journal.messages += messages.length;
      const room = MAX_PENDING_REJECTIONS - journal.rejections.length;
      journal.rejections.push(...rejections.slice(0, Math.max(0, room)));
      journal.dropped += Math.max(0, rejections.length - Math.max(0, room));
      if (rejections.length) await flushJournal();
      options.onStored?.(messages, readings.length);
    },
    flushJournal,
    async close() {
      clearInterval(timer);
      await flushJournal();
    },
  };
}
