/**
 * Store-and-forward: accepted readings that cannot reach the database go to an on-disk buffer,
 * fsynced before the sender is told they are accepted, and are replayed in order when the
 * database returns. Bounded: when full, new readings are refused (never dropped silently).
 *
 * Format: segment files `<dir>/<seq>.jsonl`, one batch per line `[[seriesId, tsMs, value, qualityCode], …]`.
 * A torn last line (crash mid-write) was never acknowledged and is skipped on replay.
 */
import { closeSync, fdatasyncSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { Reading } from './model.js';
import { QUALITY_CODE, qualityOf } from '../timeseries/store.js';

export class BufferFullError extends Error {
  readonly retryable = true;
  constructor(maxBytes: number) {
    super(
      `The store-and-forward buffer is full (${Math.round(maxBytes / 1024 / 1024)} MiB) while the database is unreachable; try again later`,
    );
    this.name = 'BufferFullError';
  }
}

export interface BufferStats {
  segments: number;
  bytes: number;
  readings: number;
}

export class DiskBuffer {
  private seq = 0;
  private bytes = 0;
  private readings = 0;

  constructor(
    private readonly dir: string,
    private readonly maxBytes: number,
    private readonly segmentBytes = 16 * 1024 * 1024,
  ) {
    mkdirSync(dir, { recursive: true });
    for (const file of this.segments()) {
      this.bytes += statSync(join(dir, file)).size;
      this.seq = Math.max(this.seq, Number.parseInt(file, 10));
      this.readings += this.read(file).reduce((n, batch) => n + batch.length, 0);
    }
  }

  get isEmpty(): boolean {
    return this.bytes === 0;
  }

  stats(): BufferStats {
    return { segments: this.segments().length, bytes: this.bytes, readings: this.readings };
  }

  /** Appends one batch durably (write + fdatasync). Throws BufferFullError when over the bound. */
  append(rows: readonly Reading[]): void {
    if (rows.length === 0) return;
    const line = `${JSON.stringify(rows.map((r) => [r.seriesId, r.tsMs, r.value, QUALITY_CODE[r.quality]]))}\n`;
    const size = Buffer.byteLength(line);
    if (this.bytes + size > this.maxBytes) throw new BufferFullError(this.maxBytes);
    let current = this.segments().at(-1);
    if (!current || statSync(join(this.dir, current)).size + size > this.segmentBytes) current = this.nextSegment();
    const fd = openSync(join(this.dir, current), 'a');
    try {
      writeSync(fd, line);
      fdatasyncSync(fd);
    } finally {
      closeSync(fd);
    }
    this.bytes += size;
    this.readings += rows.length;
  }

  /** Oldest segment's batches, or undefined when empty. */
  oldest(): { segment: string; batches: Reading[][] } | undefined {
    const segment = this.segments()[0];
    return segment ? { segment, batches: this.read(segment) } : undefined;
  }

  /** Removes a segment after all its batches are committed to the database. */
  remove(segment: string): void {
    const file = join(this.dir, segment);
    const size = statSync(file).size;
    const count = this.read(segment).reduce((n, b) => n + b.length, 0);
    rmSync(file);
    this.bytes -= size;
    this.readings -= count;
  }

  private nextSegment(): string {
    this.seq += 1;
    return `${String(this.seq).padStart(12, '0')}.jsonl`;
  }

  private segments(): string[] {
    return readdirSync(this.dir)
      .filter((f) => /^\d{12}\.jsonl$/.test(f))
      .sort();
  }

  private read(segment: string): Reading[][] {
    const text = readFileSync(join(this.dir, segment), 'utf8');
    const batches: Reading[][] = [];
    for (const line of text.split('\n')) {
      if (!line) continue;
      try {
        const rows = JSON.parse(line) as Array<[number, number, number, number]>;
        batches.push(rows.map(([seriesId, tsMs, value, q]) => ({ seriesId, tsMs, value, quality: qualityOf(q) })));
      } catch {
        // torn write at the end of a segment: it was never acknowledged
      }
    }
    return batches;
  }
}
