/**
 * `npm run bench:ingest` — sustained ingest through the real writer (batching, idempotent upsert,
 * background rollups) into PGlite and, when DATABASE_URL is set, into PostgreSQL.
 * 200 series × 15-minute readings, handed over in chunks of 1 000 as sources do.
 * Prints `BENCH ingest.<store> <readings/s> readings/s` and the hardware.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../../../api/src/ops/logger.js';
import { migrate, type Database } from '../../../api/src/store/index.js';
import { onEachStore, printHardware } from './stores.js';
import { DiskBuffer } from '../../../api/src/ingest/buffer.js';
import { ReadingWriter } from '../../../api/src/ingest/writer.js';
import type { Reading } from '../../../api/src/ingest/model.js';

const SERIES = 200;
const arg = (name: string, fallback: number) => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);
const STEPS = arg('steps', 2_500); // per series → 500 000 readings by default
const CHUNK = 1_000;

async function prepare(db: Database): Promise<number[]> {
  await migrate(db);
  await db.query(`insert into sites (id, name) values ('bench', 'Bench') on conflict do nothing`);
  const ids: number[] = [];
  for (let i = 0; i < SERIES; i++) {
    const { rows } = await db.query<{ id: number }>(
      `insert into series (site_id, key, name, quantity, unit, semantics, interval_s) values ('bench', $1, $1, 'active_power', 'W', 'instantaneous', 900) returning id`,
      [`meter-${i}/power`],
    );
    ids.push(rows[0]!.id);
  }
  return ids;
}

async function run(name: string, db: Database): Promise<void> {
  const ids = await prepare(db);
  const dir = mkdtempSync(join(tmpdir(), 'luna-bench-buffer-'));
  const writer = new ReadingWriter(db, new DiskBuffer(dir, 1 << 30), createLogger('warn'), {
    rollupIntervalMs: Number(process.env.BENCH_ROLLUP_MS ?? 2000),
    maxBatchRows: Number(process.env.BENCH_BATCH ?? 20000),
  });
  const start = Date.parse('2023-01-01T00:00:00Z');
  let chunk: Reading[] = [];
  const pending: Array<Promise<void>> = [];
  const t0 = performance.now();
  for (let step = 0; step < STEPS; step++) {
    for (const seriesId of ids) {
      chunk.push({ seriesId, tsMs: start + step * 900_000, value: 1000 + ((step * 7919 + seriesId) % 5000), quality: 'measured' });
      if (chunk.length === CHUNK) {
        pending.push(writer.enqueue(chunk));
        chunk = [];
      }
    }
  }
  if (chunk.length) pending.push(writer.enqueue(chunk));
  await Promise.all(pending);
  await writer.flush();
  const seconds = (performance.now() - t0) / 1000;
  const total = STEPS * SERIES;
  const { rows } = await db.query<{ n: number }>('select count(*)::int as n from readings');
  if (rows[0]!.n !== total) throw new Error(`expected ${total} readings stored, found ${rows[0]!.n}`);
  console.log(`BENCH ingest.${name} ${Math.round(total / seconds)} readings/s`);
  const r0 = performance.now();
  await writer.sync();
  console.log(`BENCH ingest.${name}.rollup_refresh ${Math.round(total / ((performance.now() - r0) / 1000))} readings/s`);
  await writer.close();
  rmSync(dir, { recursive: true, force: true });
}

printHardware();
console.log(`# ${SERIES} series × ${STEPS} steps = ${SERIES * STEPS} readings, chunks of ${CHUNK}`);
await onEachStore(run);
