/**
 * `npm run bench:startup` — time from process start to `/ready` = 200 on embedded defaults (a new
 * data directory, then reopening it) and resident memory after 10 s idle. Uses the built service
 * (`npm run build` first). Prints `BENCH <name> <value> <unit>` lines and the hardware.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../../../api/dist/main.js', import.meta.url));
const PORT = 18000 + Math.floor(Math.random() * 1000);

/** The environment without server URLs and Luna settings: this benchmark measures the embedded defaults. */
function embeddedEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(process.env).filter(
      ([k]) => !/^(LUNA_|DATABASE_URL|MQTT_|REDIS_URL|S3_|TIKA_URL|OLLAMA_URL|OPENAI_|QDRANT_|KAFKA_)/.test(k),
    ),
  );
}

async function startOnce(dataDir: string, idleMs: number): Promise<{ readyS: number; rssMiB: number }> {
  const started = performance.now();
  const child = spawn(process.execPath, [MAIN], {
    env: { ...embeddedEnv(), LUNA_DATA_DIR: dataDir, LUNA_PORT: String(PORT), LUNA_MQTT_EMBEDDED_PORT: '0', LUNA_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`service exited with ${child.exitCode}`);
      const ok = await fetch(`http://127.0.0.1:${PORT}/ready`).then(
        (r) => r.status === 200,
        () => false,
      );
      if (ok) break;
      if (performance.now() - started > 120_000) throw new Error('not ready within 120 s');
      await new Promise((r) => setTimeout(r, 50));
    }
    const readyS = (performance.now() - started) / 1000;
    await new Promise((r) => setTimeout(r, idleMs));
    const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
    const rssKiB = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? NaN);
    return { readyS, rssMiB: rssKiB / 1024 };
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
}

const dir = mkdtempSync(join(tmpdir(), 'luna-bench-startup-'));
try {
  console.log(
    `# hardware: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}`,
  );
  const fresh = await startOnce(join(dir, 'data'), 0);
  console.log(`BENCH startup.ready.new_data_dir ${fresh.readyS.toFixed(2)} s`);
  const reopen = await startOnce(join(dir, 'data'), 10_000);
  console.log(`BENCH startup.ready.existing_data_dir ${reopen.readyS.toFixed(2)} s`);
  console.log(`BENCH idle.rss ${reopen.rssMiB.toFixed(0)} MiB`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
