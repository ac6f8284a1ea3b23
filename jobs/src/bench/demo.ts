/**
 * `npm run bench:demo` — the demo site's time to first data on the embedded defaults (PGlite,
 * embedded MQTT, LUNA_DEMO=simulator, 5 s interval): the service is created in-process and the
 * store is polled every 20 ms for live readings of the demo site (stamped at or after the start).
 * Measured from the createApp call (and, for the first run, from process start: module loading
 * included) to the first stored live reading of any series, and to the moment every live path has
 * delivered (MQTT meters: grid/power, load/power; SunSpec inverters: pv/power, battery/power,
 * battery/soc), and from createApp's return (what the demo itself adds). Two runs: a new data directory (PGlite creates its database, ~7 s on its own)
 * and the same directory reopened.
 * Prints `BENCH demo.time_to_first_data.* <s> s`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createApp } from '../../../api/src/app.js';
import { parseConfig } from '../../../api/src/config/index.js';
import { createLogger } from '../../../api/src/ops/logger.js';

const PATHS = ['grid/power', 'load/power', 'pv/power', 'battery/power', 'battery/soc'] as const;

/** Log lines (pino JSON) with their time, to split createApp into the store's start and the demo's start. */
function capture(): { stream: Writable; timeOf: (prefix: string) => number | undefined } {
  const lines: Array<{ time: string; msg: string }> = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(l) as { time: string; msg: string });
      done();
    },
  });
  return {
    stream,
    timeOf: (prefix) => {
      const t = lines.find((l) => String(l.msg).startsWith(prefix))?.time;
      return t === undefined ? undefined : Date.parse(t);
    },
  };
}

async function once(
  dataDir: string,
): Promise<{ createdS: number; firstS: number; allS: number; firstKey: string; demoStartS: number | undefined }> {
  const log = capture();
  const t0 = performance.now();
  const since = new Date(Date.now()).toISOString();
  const app = await createApp(
    parseConfig({ LUNA_DATA_DIR: dataDir, LUNA_PORT: '0', LUNA_MQTT_EMBEDDED_PORT: '0', LUNA_DEMO: 'simulator' }),
    { logger: createLogger('info', log.stream) },
  );
  const createdS = (performance.now() - t0) / 1000;
  // the demo starts after the devices layer; its log line comes when it is running
  const before = log.timeOf('database extensions');
  const demoUp = log.timeOf('demo site: Musterwerk 2023 on the site simulator');
  const demoStartS = before !== undefined && demoUp !== undefined ? (demoUp - before) / 1000 : undefined;
  try {
    let firstS: number | undefined;
    let firstKey = '';
    const seen = new Set<string>();
    for (;;) {
      const rows = await app.db.query<{ key: string }>(
        `select distinct s.key from readings r join series s on s.id = r.series_id where s.site_id = 'demo' and r.ts >= $1`,
        [since],
      );
      for (const { key } of rows.rows) {
        if (firstS === undefined) {
          firstS = (performance.now() - t0) / 1000;
          firstKey = key;
        }
        seen.add(key);
      }
      if (PATHS.every((k) => seen.has(k)))
        return { createdS, firstS: firstS!, allS: (performance.now() - t0) / 1000, firstKey, demoStartS };
      if (performance.now() - t0 > 120_000) throw new Error(`not all demo paths delivered within 120 s (have ${[...seen].join(', ')})`);
      await new Promise((r) => setTimeout(r, 20));
    }
  } finally {
    await app.stop();
  }
}

const dir = mkdtempSync(join(tmpdir(), 'luna-bench-demo-'));
try {
  console.log(
    `# hardware: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}`,
  );
  const sinceProcessStart = performance.now() / 1000; // performance.now() counts from process start
  const fresh = await once(join(dir, 'data'));
  console.log(
    `# new data directory: createApp returned after ${fresh.createdS.toFixed(2)} s, of which ≤ ${fresh.demoStartS?.toFixed(2)} s between the store being ready and the demo running (writer, MQTT ingest, devices, demo backfill and simulator); first live series ${fresh.firstKey}`,
  );
  console.log(`BENCH demo.time_to_first_data.from_process_start ${(sinceProcessStart + fresh.firstS).toFixed(2)} s`);
  console.log(`BENCH demo.time_to_first_data.new_data_dir ${fresh.firstS.toFixed(2)} s`);
  console.log(`BENCH demo.time_to_all_paths.new_data_dir ${fresh.allS.toFixed(2)} s`);
  console.log(`BENCH demo.time_to_first_data.after_app_created ${(fresh.firstS - fresh.createdS).toFixed(2)} s`);
  const reopen = await once(join(dir, 'data'));
  console.log(
    `# existing data directory: createApp returned after ${reopen.createdS.toFixed(2)} s, of which ≤ ${reopen.demoStartS?.toFixed(2)} s between the store being ready and the demo running; first live series ${reopen.firstKey}`,
  );
  console.log(`BENCH demo.time_to_first_data.existing_data_dir ${reopen.firstS.toFixed(2)} s`);
  console.log(`BENCH demo.time_to_all_paths.existing_data_dir ${reopen.allS.toFixed(2)} s`);
  console.log(`BENCH demo.time_to_all_paths.after_app_created.existing_data_dir ${(reopen.allS - reopen.createdS).toFixed(2)} s`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
