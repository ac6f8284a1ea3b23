/**
 * The DeviceSink behind every driver: series keys → series ids of the device's site (a key seen
 * for the first time becomes a series with the point's quantity and semantics), readings →
 * `bus.enqueue` (resolves when committed or in the fsynced disk buffer), rejections → quarantine
 * with one ingest_log row per `journalIntervalMs` per site (source 'device').
 *
 * A device that keeps sending the same bad value would fill quarantine every poll: the same
 * (device, point, reason) is quarantined at most once per `repeatQuarantineMs` (default 10 min);
 * repeats are counted in the journal row's detail.
 */
import { HttpError } from '../http/errors.js';
import type { IngestBus } from '../ingest/bus.js';
import { recordIngest } from '../ingest/journal.js';
import type { Reading, Rejection } from '../ingest/model.js';
import type { Logger } from '../ops/logger.js';
import type { Database } from '../store/index.js';
import { createSeries, resolveSeries } from '../timeseries/series.js';
import type { DeviceBatch, DeviceSink } from './driver.js';

export interface DeviceWriterSinkOptions {
  journalIntervalMs?: number;
  repeatQuarantineMs?: number;
  now?: () => number;
}

export interface DeviceWriterSink extends DeviceSink {
  flushJournal(): Promise<void>;
  close(): Promise<void>;
}

interface Journal {
  accepted: number;
  batches: number;
  rejections: Rejection[];
  repeats: number;
}

export function deviceWriterSink(
  db: Database,
  bus: Pick<IngestBus, 'enqueue'>,
  log: Logger,
  options: DeviceWriterSinkOptions = {},
): DeviceWriterSink {
  const now = options.now ?? Date.now;
  const repeatMs = options.repeatQuarantineMs ?? 600_000;
  const ids = new Map<string, number>(); // `${siteId}\u0000${key}` → series id
  const journals = new Map<string, Journal>();
  const lastQuarantined = new Map<string, number>();
  const timer = setInterval(() => void flushJournal(), options.journalIntervalMs ?? 10_000);
  timer.unref();

  function journal(siteId: string): Journal {
    let j = journals.get(siteId);
    if (!j) journals.set(siteId, (j = { accepted: 0, batches: 0, rejections: [], repeats: 0 }));
    return j;
  }

  async function flushJournal(): Promise<void> {
    for (const [siteId, j] of journals) {
      if (j.accepted === 0 && j.rejections.length === 0 && j.repeats === 0) continue;
      const rec = { ...j };
      journals.set(siteId, { accepted: 0, batches: 0, rejections: [], repeats: 0 });
      try {
        await recordIngest(db, {
          siteId,
          source: 'device',
          accepted: rec.accepted,
          duplicate: 0,
          rejections: rec.rejections,
          detail: { batches: rec.batches, ...(rec.repeats ? { repeatedRejectionsNotQuarantined: rec.repeats } : {}) },
        });
      } catch (err) {
        const back = journal(siteId);
        back.accepted += rec.accepted;
        back.batches += rec.batches;
        back.rejections = [...rec.rejections, ...back.rejections].slice(0, 10_000);
        back.repeats += rec.repeats;
        log.warn({ err: (err as Error).message, siteId }, 'device ingest: could not write the ingest log; will retry');
      }
    }
  }

  async function seriesIds(batch: DeviceBatch, rejections: Rejection[]): Promise<void> {
    const wanted = new Map(batch.readings.map((r) => [r.seriesKey, r]));
    const unknown = [...wanted.keys()].filter((k) => !ids.has(`${batch.siteId}\u0000${k}`));
    if (unknown.length === 0) return;
    for (const [k, s] of await resolveSeries(db, batch.siteId, unknown))
      if (typeof k === 'string') ids.set(`${batch.siteId}\u0000${k}`, s.id);
    for (const key of unknown.filter((k) => !ids.has(`${batch.siteId}\u0000${k}`))) {
      const r = wanted.get(key)!;
      try {
        const s = await createSeries(db, batch.siteId, { key, quantity: r.quantity, semantics: r.semantics });
        ids.set(`${batch.siteId}\u0000${key}`, s.id);
        log.info(
          { siteId: batch.siteId, device: batch.deviceId, key, quantity: r.quantity },
          `device ingest: created series ${key} on site ${batch.siteId}`,
        );
      } catch (err) {
        if (!(err instanceof HttpError)) throw err; // database trouble: the driver logs it, the next poll retries
        if (err.code === 'series_exists') {
          const again = await resolveSeries(db, batch.siteId, [key]);
          const s = again.get(key);
          if (s) ids.set(`${batch.siteId}\u0000${key}`, s.id);
          continue;
        }
        rejections.push({ field: key, reason: `device ${batch.deviceId}: ${err.message}` });
      }
    }
  }

  return {
    async submit(batch) {
      const rejections: Rejection[] = [];
      await seriesIds(batch, rejections);
      const readings: Reading[] = [];
      for (const r of batch.readings) {
        const seriesId = ids.get(`${batch.siteId}\u0000${r.seriesKey}`);
        if (seriesId !== undefined) readings.push({ seriesId, tsMs: r.tsMs, value: r.value, quality: r.quality });
      }
      if (readings.length) await bus.enqueue(readings);
      const j = journal(batch.siteId);
      j.accepted += readings.length;
      j.batches++;
      const t = now();
      for (const rej of [...batch.rejections, ...rejections]) {
        const k = `${batch.deviceId}\u0000${rej.field ?? ''}\u0000${rej.reason.replace(/-?\d+(\.\d+)?/g, '#')}`;
        const last = lastQuarantined.get(k);
        if (last !== undefined && t - last < repeatMs) {
          j.repeats++;
          continue;
        }
        lastQuarantined.set(k, t);
        if (j.rejections.length < 10_000) j.rejections.push(rej);
      }
    },
    flushJournal,
    async close() {
      clearInterval(timer);
      await flushJournal();
    },
  };
}
