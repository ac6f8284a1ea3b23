/**
 * `npm run bench:query` — read latency on a year of 15-minute data for 200 series (7 million
 * readings), on PGlite and, when DATABASE_URL is set, on PostgreSQL:
 *   query.daily_one_series   one series, one year, daily aggregates (target < 20 ms)
 *   query.monthly_all_series monthly totals of all 200 series for the year (target < 250 ms)
 *   query.raw_one_day        one series, one day of raw 15-minute readings
 * Each figure is the median of 20 runs after 3 warm-ups. Loading uses the real writer and rollups.
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
import { periodTotals, queryReadings } from '../../../api/src/timeseries/store.js';

const SERIES = Number(process.env.BENCH_SERIES ?? 200);
const YEAR_FROM = Date.parse('2023-01-01T00:00:00+01:00');
const YEAR_TO = Date.parse('2024-01-01T00:00:00+01:00');
const STEPS = (YEAR_TO - YEAR_FROM) / 900_000;

async function load(db: Database): Promise<number[]> {
  await migrate(db);
  await db.query(`insert into sites (id, name, time_zone) values ('bench', 'Bench', 'Europe/Berlin') on conflict do nothing`);
  const ids: number[] = [];
  for (let i = 0; i < SERIES; i++) {
    const { rows } = await db.query<{ id: number }>(
      `insert into series (site_id, key, name, quantity, unit, semantics, interval_s) values ('bench', $1, $1, 'energy_import', 'Wh', 'interval', 900) returning id`,
      [`meter-${i}/import`],
    );
    ids.push(rows[0]!.id);
  }
  const dir = mkdtempSync(join(tmpdir(), 'luna-bench-buffer-'));
  const writer = new ReadingWriter(db, new DiskBuffer(dir, 1 << 30), createLogger('warn'), { rollupIntervalMs: 3_600_000 });
  const t0 = performance.now();
  for (const id of ids) {
    const rows: Reading[] = [];
    for (let s = 0; s < STEPS; s++)
      rows.push({ seriesId: id, tsMs: YEAR_FROM + s * 900_000, value: 50 + ((s * 31 + id) % 200), quality: 'measured' });
    await writer.enqueue(rows);
  }
  await writer.sync();
  await writer.close();
  rmSync(dir, { recursive: true, force: true });
  console.log(`# loaded ${SERIES} series × ${STEPS} readings with rollups in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return ids;
}

async function median(fn: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < 3; i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < 20; i++) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return times[10]!;
}

async function run(name: string, db: Database): Promise<void> {
  const ids = await load(db);
  const one = ids[Math.floor(ids.length / 2)]!;
  const daily = await queryReadings(db, one, YEAR_FROM, YEAR_TO, '1d', 'sum');
  if (daily.length !== 365) throw new Error(`expected 365 local days, got ${daily.length}`);
  const monthly = await periodTotals(db, 'bench', YEAR_FROM, YEAR_TO, 'month');
  if (monthly.length !== 12 * SERIES) throw new Error(`expected ${12 * SERIES} monthly totals, got ${monthly.length}`);
  console.log(
    `BENCH query.${name}.daily_one_series ${(await median(() => queryReadings(db, one, YEAR_FROM, YEAR_TO, '1d', 'sum'))).toFixed(1)} ms`,
  );
  console.log(
    `BENCH query.${name}.monthly_all_series ${(await median(() => periodTotals(db, 'bench', YEAR_FROM, YEAR_TO, 'month'))).toFixed(1)} ms`,
  );
  const day = Date.parse('2023-06-14T00:00:00+02:00');
  console.log(
    `BENCH query.${name}.raw_one_day ${(await median(() => queryReadings(db, one, day, day + 86_400_000, 'raw', 'avg'))).toFixed(1)} ms`,
  );
}

printHardware();
await onEachStore(run, process.argv.find((a) => a.startsWith('--only='))?.split('=')[1]);
