/**
 * The one writer of readings. Sources hand it normalised readings; it batches them into few
 * statements, reports per-call counts where a caller needs them (REST, CSV), and guarantees that
 * an accepted reading is never lost: if the database is unreachable the batch goes to the fsynced
 * disk buffer first and is replayed in order when the database is back. Rollups are refreshed in
 * the background from the ranges written.
 */
import type { Logger } from '../ops/logger.js';
import type { Database } from '../store/index.js';
import { markDirty, refreshRollups, writeReadings, type DirtyRanges, type WriteCounts } from '../timeseries/store.js';
import { BufferFullError, type DiskBuffer } from './buffer.js';
import type { Reading } from './model.js';
import { isConnectionError } from '../store/errors.js';

export { isConnectionError };

export interface WriterOptions {
  /** flush when this many readings wait (default 20 000) */
  maxBatchRows: number;
  /** flush at the latest after this long (default 50 ms) */
  flushIntervalMs: number;
  /** enqueue() waits while more than this many readings wait (backpressure; default 200 000) */
  maxPendingRows: number;
  /** how often to try the database again while the buffer holds data (default 1 000 ms) */
  replayIntervalMs: number;
  /** how often to refresh rollups of what was written (default 2 000 ms) */
  rollupIntervalMs: number;
}

export const DEFAULT_WRITER_OPTIONS: WriterOptions = {
  maxBatchRows: 20_000,
  flushIntervalMs: 50,
  maxPendingRows: 200_000,
  replayIntervalMs: 1_000,
  rollupIntervalMs: 2_000,
};

export interface WriteResult extends WriteCounts {
  /** readings accepted into the disk buffer because the database was unreachable (counts above are then 0) */
  buffered: number;
}

export interface WriterHooks {
  onWritten?: (counts: WriteCounts, ms: number) => void;
  onBuffered?: (rows: number) => void;
  onBufferChange?: (readings: number) => void;
  /** readings now durable in the database (after each flush and buffer replay), e.g. for the live API; keep it cheap */
  onAccepted?: (rows: readonly Reading[]) => void;
}

interface Item {
  rows: Reading[];
  counted: boolean;
  resolve: (r: WriteResult) => void;
  reject: (e: unknown) => void;
}

export class ReadingWriter {
  private queue: Item[] = [];
  private pendingRows = 0;
  private lock: Promise<void> = Promise.resolve();
  private flushTimer: NodeJS.Timeout | undefined;
  private readonly replayTimer: NodeJS.Timeout;
  private readonly rollupTimer: NodeJS.Timeout;
  private dirty: DirtyRanges = new Map();
  private rollupRun: Promise<void> | undefined;
  private roomWaiters: Array<() => void> = [];
  private closed = false;
  private readonly opts: WriterOptions;

  constructor(
    private readonly db: Database,
    private readonly buffer: DiskBuffer,
    private readonly log: Logger,
    options: Partial<WriterOptions> = {},
    private readonly hooks: WriterHooks = {},
  ) {
    this.opts = { ...DEFAULT_WRITER_OPTIONS, ...options };
    this.replayTimer = setInterval(() => void this.replay(), this.opts.replayIntervalMs);
    this.rollupTimer = setInterval(() => void this.refreshRollups(), this.opts.rollupIntervalMs);
    this.replayTimer.unref();
    this.rollupTimer.unref();
    if (!buffer.isEmpty) log.warn({ buffer: buffer.stats() }, 'store-and-forward buffer holds readings from an earlier run; replaying');
  }

  /** Writes in its own statement and reports exact counts (REST, CSV imports). */
  write(rows: Reading[]): Promise<WriteResult> {
    return this.add(rows, true);
  }

  /** Merged with other small writes (MQTT, devices); resolves once durable. Waits when too much is pending. */
  async enqueue(rows: Reading[]): Promise<void> {
    while (this.pendingRows > this.opts.maxPendingRows && !this.closed) {
      await new Promise<void>((resolve) => this.roomWaiters.push(resolve));
    }
    await this.add(rows, false);
  }

  stats() {
    return { pendingRows: this.pendingRows, buffer: this.buffer.stats() };
  }

  /** Writes everything waiting now. */
  flush(): Promise<void> {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    return this.locked(() => this.flushNow());
  }

  /** Writes everything waiting, replays the buffer if the database is back, and brings rollups up to date. */
  async sync(): Promise<void> {
    await this.flush();
    await this.replay();
    await this.rollupRun;
    await this.refreshRollups();
  }

  /** Flushes, replays what it can, refreshes rollups; then stops the timers. Buffered data stays on disk for the next start. */
  async close(): Promise<void> {
    this.closed = true;
    await this.flush();
    await this.replay();
    await this.rollupRun;
    await this.refreshRollups();
    clearInterval(this.replayTimer);
    clearInterval(this.rollupTimer);
    for (const wake of this.roomWaiters.splice(0)) wake();
  }

  private add(rows: Reading[], counted: boolean): Promise<WriteResult> {
    if (this.closed) return Promise.reject(new Error('the writer is stopping; readings were not accepted'));
    return new Promise<WriteResult>((resolve, reject) => {
      this.queue.push({ rows, counted, resolve, reject });
      this.pendingRows += rows.length;
      if (this.pendingRows >= this.opts.maxBatchRows) void this.flush();
      else this.flushTimer ??= setTimeout(() => void this.flush(), this.opts.flushIntervalMs);
    });
  }

  private locked<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.lock.then(fn, fn);
    this.lock = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  private release(items: Item[]): void {
    this.pendingRows -= items.reduce((n, i) => n + i.rows.length, 0);
    if (this.pendingRows <= this.opts.maxPendingRows) for (const wake of this.roomWaiters.splice(0)) wake();
  }

  private async flushNow(): Promise<void> {
    const items = this.queue.splice(0);
    if (items.length === 0) return;
    try {
      if (!this.buffer.isEmpty) {
        // Keep order: while older readings wait on disk, newer ones queue behind them.
        this.toBuffer(items);
        return;
      }
      const started = performance.now();
      const results = await this.db.transaction(async (tx) => {
        const merged = items.filter((i) => !i.counted).flatMap((i) => i.rows);
        const mergedCounts = merged.length ? await writeReadings(tx, merged) : undefined;
        const counted: WriteCounts[] = [];
        for (const item of items.filter((i) => i.counted)) counted.push(await writeReadings(tx, item.rows));
        return { mergedCounts, counted };
      });
      const ms = performance.now() - started;
      for (const item of items) markDirty(this.dirty, item.rows);
      let c = 0;
      for (const item of items) {
        const counts = item.counted ? results.counted[c++]! : { inserted: 0, updated: 0, unchanged: 0 };
        item.resolve({ ...counts, buffered: 0 });
      }
      const total = [...results.counted, ...(results.mergedCounts ? [results.mergedCounts] : [])].reduce(
        (a, b) => ({ inserted: a.inserted + b.inserted, updated: a.updated + b.updated, unchanged: a.unchanged + b.unchanged }),
        { inserted: 0, updated: 0, unchanged: 0 },
      );
      this.hooks.onWritten?.(total, ms);
      if (this.hooks.onAccepted) this.hooks.onAccepted(items.length === 1 ? items[0]!.rows : items.flatMap((i) => i.rows));
    } catch (err) {
      if (isConnectionError(err)) {
        this.log.warn({ err: (err as Error).message }, 'database unreachable: readings go to the store-and-forward buffer');
        this.toBuffer(items);
      } else {
        for (const item of items) item.reject(err);
      }
    } finally {
      this.release(items);
    }
  }

  private toBuffer(items: Item[]): void {
    for (const item of items) {
      try {
        this.buffer.append(item.rows);
        this.hooks.onBuffered?.(item.rows.length);
        item.resolve({ inserted: 0, updated: 0, unchanged: 0, buffered: item.rows.length });
      } catch (err) {
        item.reject(err instanceof BufferFullError ? err : new Error(`could not write the disk buffer: ${(err as Error).message}`));
      }
    }
    this.hooks.onBufferChange?.(this.buffer.stats().readings);
  }

  /** Moves buffered batches to the database, oldest first, a segment per transaction. */
  private replay(): Promise<void> {
    if (this.buffer.isEmpty) return Promise.resolve();
    return this.locked(async () => {
      try {
        for (let next = this.buffer.oldest(); next; next = this.buffer.oldest()) {
          const { segment, batches } = next;
          await this.db.transaction(async (tx) => {
            for (const batch of batches) await writeReadings(tx, batch);
          });
          for (const batch of batches) markDirty(this.dirty, batch);
          if (this.hooks.onAccepted) this.hooks.onAccepted(batches.flat());
          this.buffer.remove(segment);
          this.log.info({ segment, readings: batches.reduce((n, b) => n + b.length, 0) }, 'replayed buffered readings');
        }
      } catch (err) {
        if (!isConnectionError(err)) this.log.error({ err }, 'replaying the store-and-forward buffer failed');
      } finally {
        this.hooks.onBufferChange?.(this.buffer.stats().readings);
      }
    });
  }

  /** One rollup refresh at a time; close() and sync() wait for the one in flight. */
  private refreshRollups(): Promise<void> {
    this.rollupRun ??= this.refreshRollupsNow().finally(() => (this.rollupRun = undefined));
    return this.rollupRun;
  }

  private async refreshRollupsNow(): Promise<void> {
    if (this.dirty.size === 0) return;
    const dirty = this.dirty;
    this.dirty = new Map();
    try {
      await refreshRollups(this.db, dirty);
    } catch (err) {
      // keep the ranges for the next try
      for (const [id, r] of dirty) {
        const cur = this.dirty.get(id);
        this.dirty.set(id, cur ? { fromMs: Math.min(cur.fromMs, r.fromMs), toMs: Math.max(cur.toMs, r.toMs) } : r);
      }
      if (!isConnectionError(err)) this.log.error({ err }, 'refreshing rollups failed');
    }
  }
}
