/** The service on embedded defaults, in-process: health, readiness, metrics, docs, errors, shutdown. */
import { afterAll, beforeAll, describe, expect, it as itBase } from 'vitest';
import { parseConfig } from './config/index.js';
import { createApp, type App } from './app.js';
import { createLogger } from './ops/index.js';
import { freshPostgresDatabase, services, tempDir } from './test/services.js';

const stores = [
  { store: 'pglite', skip: false },
  { store: 'postgres', skip: !services.postgres },
] as const;

describe.each(stores)('service on embedded defaults with the $store store', ({ store, skip }) => {
  const tmp = tempDir();
  let app: App;
  let base: string;
  let dropDatabase: () => Promise<void> = async () => undefined;

  beforeAll(async () => {
    if (skip) return;
    const raw: Record<string, string> = { LUNA_DATA_DIR: tmp.dir, LUNA_PORT: '0', LUNA_MQTT_EMBEDDED_PORT: '0', LUNA_DEMO: 'off' };
    if (store === 'postgres') {
      const fresh = await freshPostgresDatabase(services.postgres!);
      raw.DATABASE_URL = fresh.url;
      dropDatabase = fresh.drop;
    }
    app = await createApp(parseConfig(raw), { logger: createLogger('silent') });
    base = await app.listen();
  });
  afterAll(async () => {
    if (skip) return;
    await app.stop();
    await dropDatabase();
    tmp.remove();
  });
  const it = skip ? itBase.skip : itBase;

  it('answers liveness', async () => {
    const res = await fetch(`${base}/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('is ready with every embedded adapter up and the unconfigured ones disabled', async () => {
    const res = await fetch(`${base}/ready`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      status: string;
      checks: Array<{ name: string; adapter: string; state: string }>;
      extensions: { timescaledb: boolean; vector: boolean };
    };
    expect(body.status).toBe('ready');
    expect(body.checks.map((c) => [c.name, c.adapter, c.state])).toEqual([
      ['database', store, 'up'],
      ['mqtt', 'embedded', 'up'],
      ['queue', 'inprocess', 'up'],
      ['objectStore', 'local', 'up'],
      ['extractor', 'builtin', 'up'],
      ['llm', 'none', 'disabled'],
      ['vectorIndex', 'none', 'disabled'],
      ['eventBus', 'inprocess', 'up'],
    ]);
    const { rows } = await app.db.query<{ name: string }>(`select extname as name from pg_extension`);
    const installed = new Set(rows.map((r) => r.name));
    expect(body.extensions).toEqual({ timescaledb: installed.has('timescaledb'), vector: installed.has('vector') });
    if (store === 'pglite') expect(body.extensions.vector).toBe(true);
  });

  it('exposes Prometheus metrics with process, HTTP and dependency series', async () => {
    await fetch(`${base}/health`);
    await fetch(`${base}/ready`);
    const res = await fetch(`${base}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await res.text();
    expect(text).toMatch(/^luna_process_resident_memory_bytes\{service="luna-iems"\} \d+/m);
    expect(text).toMatch(/^luna_http_requests_total\{method="GET",route="\/health",status="200",service="luna-iems"\} [1-9]/m);
    // a histogram sample exists for the route (its duration is not asserted: tests don't time things)
    expect(text).toMatch(/^luna_http_request_duration_seconds_count\{service="luna-iems",method="GET",route="\/health"\} [1-9]/m);
    expect(text).toMatch(new RegExp(`^luna_dependency_up\\{name="database",adapter="${store}",service="luna-iems"\\} 1$`, 'm'));
  });

  it('serves the OpenAPI document and interactive docs', async () => {
    const doc = (await (await fetch(`${base}/docs/json`)).json()) as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/health', '/metrics', '/ready', '/auth/login', '/audit']));
    const ui = await fetch(`${base}/docs/`);
    expect(ui.status).toBe(200);
    expect(await ui.text()).toContain('swagger');
  });

  it('serves the dashboard at /', async () => {
    const res = await fetch(`${base}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    expect(await res.text()).toContain('Luna-IEMS');
  });

  it('answers unknown routes with a JSON error and the request id', async () => {
    const res = await fetch(`${base}/no/such/thing?x=1`, { headers: { 'x-request-id': 'trace-42' } });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: 'not_found', message: 'No route GET /no/such/thing', requestId: 'trace-42' });
  });

  it('reports a dependency that goes down and recovers', async () => {
    await app.mqtt.close!();
    const down = await fetch(`${base}/ready`);
    expect(down.status).toBe(503);
    const body = (await down.json()) as { status: string; checks: Array<{ name: string; state: string }> };
    expect(body.status).toBe('not_ready');
    expect(body.checks.find((c) => c.name === 'mqtt')?.state).toBe('down');
    await app.mqtt.start();
    expect((await fetch(`${base}/ready`)).status).toBe(200);
  });

  it('stores and returns objects in the local object store', async () => {
    await app.objects.put('docs/2026/test.txt', new TextEncoder().encode('Lastgang'));
    expect(new TextDecoder().decode(await app.objects.get('docs/2026/test.txt'))).toBe('Lastgang');
    expect(await app.objects.get('docs/missing.txt')).toBeUndefined();
    await expect(app.objects.put('../escape.txt', new Uint8Array())).rejects.toThrow(/Invalid object key/);
  });
});
