/**
 * The service as a user starts it: a real process. Startup failures must end in one actionable
 * line and a non-zero exit; SIGTERM must stop it cleanly.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from './test/services.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const MAIN = join(REPO, 'api/src/main.ts');

/** Environment with every Luna/adapter variable removed, so the host's settings cannot leak in. */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!/^(LUNA_|DATABASE_URL|MQTT_|REDIS_URL|S3_|TIKA_URL|OLLAMA_URL|OPENAI_|QDRANT_|KAFKA_|PROMETHEUS_)/.test(k)) env[k] = v;
  }
  return { ...env, LUNA_PORT: '0', LUNA_MQTT_EMBEDDED_PORT: '0', ...extra };
}

function start(
  env: NodeJS.ProcessEnv,
  uid?: number,
): { child: ChildProcess; out: () => string; err: () => string; exit: Promise<number | null> } {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
    cwd: REPO,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(uid !== undefined ? { uid, gid: uid } : {}),
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, out: () => out, err: () => err, exit };
}

/** True when every folder up to dir can be entered by other users (so "nobody" can run the checkout). */
function traversableByOthers(dir: string): boolean {
  for (let d = dir; ; d = dirname(d)) {
    if ((statSync(d).mode & 0o005) !== 0o005) return false;
    if (dirname(d) === d) return true;
  }
}

/** stderr without Node's own deprecation/experimental warnings. */
const ownLines = (stderr: string) =>
  stderr.split('\n').filter((l) => l.trim() !== '' && !/^\(node:\d+\)|--trace-warnings|^\(Use `node/.test(l));

describe('starting the service', () => {
  const tmp = tempDir();
  afterAll(() => tmp.remove());

  it('stops on a bad configuration value with one line naming the variable', async () => {
    const p = start(cleanEnv({ LUNA_DATA_DIR: tmp.dir, LUNA_PORT: 'eighty', LUNA_MQTT: 'sometimes' }));
    expect(await p.exit).toBe(78);
    expect(ownLines(p.err())).toEqual([
      'luna-iems: Invalid configuration: LUNA_MQTT must be one of embedded, external, off (got "sometimes"); LUNA_PORT must be a number (got "eighty")',
    ]);
  });

  it('stops when the database cannot be reached, without printing the password', async () => {
    const p = start(cleanEnv({ LUNA_DATA_DIR: tmp.dir, DATABASE_URL: 'postgres://luna:s3cret@127.0.0.1:1/luna' }));
    expect(await p.exit).toBe(69);
    const lines = ownLines(p.err());
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^luna-iems: Cannot reach PostgreSQL at postgres:\/\/luna:\*\*\*@127\.0\.0\.1:1\/luna \(ECONNREFUSED.*\) — check DATABASE_URL and that the server runs/,
    );
    expect(p.err()).not.toContain('s3cret');
  });

  it('stops when the data directory is not writable', async (ctx) => {
    const locked = join(tmp.dir, 'locked');
    mkdirSync(locked);
    const isRoot = process.getuid?.() === 0;
    if (isRoot && !traversableByOthers(REPO)) ctx.skip('running as root in a checkout that user "nobody" cannot read');
    // root ignores permission bits, so as root the service runs as "nobody" against a root-only directory
    chmodSync(locked, isRoot ? 0o700 : 0o500);
    const p = start(cleanEnv({ LUNA_DATA_DIR: join(locked, 'data'), HOME: '/tmp' }), isRoot ? 65534 : undefined);
    expect(await p.exit).toBe(69);
    const lines = ownLines(p.err());
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^luna-iems: Data directory .*locked\/data\/pglite is not usable \(EACCES\): give the user running Luna write access or point LUNA_DATA_DIR at another directory$/,
    );
  });

  it('starts on embedded defaults, becomes ready, and shuts down cleanly on SIGTERM', async () => {
    const p = start(cleanEnv({ LUNA_DATA_DIR: join(tmp.dir, 'ok') }));
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setInterval(() => {
        const m = /"url":"(http:\/\/[^"]+)"/.exec(p.out());
        if (m) {
          clearInterval(timer);
          resolve(m[1]!);
        }
      }, 100);
      void p.exit.then((code) => {
        clearInterval(timer);
        reject(new Error(`exited with ${code}: ${p.err()}`));
      });
    });
    const ready = await fetch(`${url}/ready`);
    expect(ready.status).toBe(200);
    const lines = p
      .out()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { msg: string });
    const adapterLines = lines
      .map((l) => l.msg)
      .filter((m) => /^(database|mqtt|queue|objectStore|extractor|llm|vectorIndex|eventBus): /.test(m));
    expect(adapterLines.map((m) => m.split(':')[0])).toEqual([
      'database',
      'mqtt',
      'queue',
      'objectStore',
      'extractor',
      'llm',
      'vectorIndex',
      'eventBus',
    ]);
    p.child.kill('SIGTERM');
    expect(await p.exit).toBe(0);
    expect(p.out()).toContain('"msg":"stopped cleanly"');
  });
});
