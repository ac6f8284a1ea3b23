/** Builds an in-process service for tests: temp data dir, free port, captured logs; no demo site unless LUNA_DEMO is passed. */
import { Writable } from 'node:stream';
import { createApp, type App } from '../app.js';
import { parseConfig, type RawConfig } from '../config/index.js';
import { createLogger } from '../ops/logger.js';
import { freshPostgresDatabase, services, tempDir } from './services.js';

export interface TestApp {
  app: App;
  base: string;
  logs: () => Array<Record<string, unknown>>;
  close: () => Promise<void>;
}

export async function startTestApp(raw: RawConfig = {}): Promise<TestApp> {
  const tmp = tempDir();
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  const app = await createApp(parseConfig({ LUNA_DATA_DIR: tmp.dir, LUNA_PORT: '0', LUNA_MQTT: 'off', LUNA_DEMO: 'off', ...raw }), {
    logger: createLogger('info', sink),
  });
  const base = await app.listen();
  return {
    app,
    base,
    logs: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>),
    async close() {
      await app.stop();
      tmp.remove();
    },
  };
}

/** fetch with JSON in and out. */
export async function call(
  base: string,
  method: string,
  path: string,
  opts: { token?: string; body?: unknown; raw?: { body: string | Uint8Array; contentType: string }; headers?: Record<string, string> } = {},
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read arbitrary JSON
): Promise<{ status: number; body: any; headers: Headers }> {
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  if (opts.raw) headers['content-type'] = opts.raw.contentType;
  const payload = opts.raw
    ? (opts.raw.body as string | Uint8Array<ArrayBuffer>)
    : opts.body !== undefined
      ? JSON.stringify(opts.body)
      : undefined;
  const res = await fetch(`${base}${path}`, { method, headers, ...(payload !== undefined ? { body: payload } : {}) });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    /* not JSON (e.g. /metrics) */
  }
  return { status: res.status, body, headers: res.headers };
}

/** The two stores every storage-facing suite runs on; PostgreSQL only when scripts/services set DATABASE_URL. */
export const STORES = [
  { store: 'pglite', skip: false },
  { store: 'postgres', skip: !services.postgres },
] as const;

/** startTestApp on the given store: a fresh PostgreSQL database for 'postgres', dropped again by close(). */
export async function startTestAppOn(store: 'pglite' | 'postgres', raw: RawConfig = {}): Promise<TestApp> {
  if (store === 'pglite') return startTestApp(raw);
  const fresh = await freshPostgresDatabase(services.postgres!);
  const t = await startTestApp({ ...raw, DATABASE_URL: fresh.url });
  return {
    ...t,
    async close() {
      await t.close();
      await fresh.drop();
    },
  };
}
