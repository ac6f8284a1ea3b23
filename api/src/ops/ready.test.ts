/**
 * /ready in server mode: real Redis and Mosquitto when scripts/services runs them; and every
 * server adapter pointed at a closed port, which must report 'down' with the reason, not crash.
 * Prometheus (real, from scripts/services) scrapes /metrics.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../app.js';
import { parseConfig, type RawConfig } from '../config/index.js';
import { services, tempDir } from '../test/services.js';
import { createLogger } from './logger.js';

interface ReadyBody {
  status: string;
  checks: Array<{ name: string; adapter: string; target: string; state: string; detail: string }>;
}

async function withApp(raw: RawConfig, fn: (base: string, app: App) => Promise<void>): Promise<void> {
  const tmp = tempDir();
  const app = await createApp(parseConfig({ LUNA_DATA_DIR: tmp.dir, LUNA_PORT: '0', LUNA_MQTT: 'off', LUNA_DEMO: 'off', ...raw }), {
    logger: createLogger('silent'),
  });
  try {
    await fn(await app.listen(), app);
  } finally {
    await app.stop();
    tmp.remove();
  }
}

/** A port nothing listens on: bound once by us, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('readiness of server adapters', () => {
  it('reports every unreachable server as down with the reason, and answers 503', async () => {
    const closed = `127.0.0.1:${await closedPort()}`;
    await withApp(
      {
        LUNA_MQTT: 'external',
        MQTT_URL: `mqtt://${closed}`,
        REDIS_URL: `redis://${closed}`,
        S3_ENDPOINT: `http://${closed}`,
        TIKA_URL: `http://${closed}`,
        OLLAMA_URL: `http://${closed}`,
        QDRANT_URL: `http://${closed}`,
        KAFKA_BROKERS: closed,
        LUNA_READY_TIMEOUT_MS: '1500',
      },
      async (base) => {
        const res = await fetch(`${base}/ready`);
        expect(res.status).toBe(503);
        const body = (await res.json()) as ReadyBody;
        expect(body.status).toBe('not_ready');
        const byName = Object.fromEntries(body.checks.map((c) => [c.name, c]));
        expect(byName.database!.state).toBe('up');
        for (const name of ['mqtt', 'queue', 'objectStore', 'extractor', 'llm', 'vectorIndex', 'eventBus']) {
          expect(byName[name], name).toMatchObject({ state: 'down' });
          expect(byName[name]!.detail, name).toMatch(/ECONNREFUSED|connect|closed|refused/i);
        }
        expect(body.checks.map((c) => c.adapter)).toEqual(['pglite', 'external', 'redis', 's3', 'tika', 'ollama', 'qdrant', 'kafka']);
      },
    );
  });

  it.skipIf(!services.redis || !services.mqtt)('reports the real Redis and Mosquitto as up', async () => {
    await withApp({ REDIS_URL: services.redis!, LUNA_MQTT: 'external', MQTT_URL: services.mqtt! }, async (base) => {
      const body = (await (await fetch(`${base}/ready`)).json()) as ReadyBody;
      expect(body.checks.find((c) => c.name === 'queue')).toMatchObject({ adapter: 'redis', state: 'up', detail: 'PING → PONG' });
      expect(body.checks.find((c) => c.name === 'mqtt')).toMatchObject({ adapter: 'external', state: 'up', detail: 'MQTT CONNACK ok' });
      expect(body.status).toBe('ready');
    });
  });
});

describe.skipIf(!services.prometheus || !services.prometheusConfig)('Prometheus scrapes /metrics', () => {
  let original = '';
  beforeAll(() => {
    original = readFileSync(services.prometheusConfig!, 'utf8');
  });
  afterAll(async () => {
    if (!original) return; // beforeAll did not read it: leave the file alone
    writeFileSync(services.prometheusConfig!, original);
    await fetch(`${services.prometheus}/-/reload`, { method: 'POST' });
  });

  it('the real Prometheus scrapes the service and can query its HTTP metrics', async () => {
    await withApp({}, async (base) => {
      await fetch(`${base}/health`);
      const target = new URL(base).host;
      writeFileSync(
        services.prometheusConfig!,
        `${original.trimEnd()}\n  - job_name: luna-test\n    scrape_interval: 1s\n    static_configs:\n      - targets: ['${target}']\n`,
      );
      const reload = await fetch(`${services.prometheus}/-/reload`, { method: 'POST' });
      expect(reload.status).toBe(200);
      let value: string | undefined;
      for (let i = 0; i < 60 && value === undefined; i++) {
        await new Promise((r) => setTimeout(r, 500));
        const q = encodeURIComponent(`luna_http_requests_total{job="luna-test",route="/health"}`);
        const res = (await (await fetch(`${services.prometheus}/api/v1/query?query=${q}`)).json()) as {
          data: { result: Array<{ value: [number, string] }> };
        };
        value = res.data.result[0]?.value[1];
      }
      expect(Number(value)).toBeGreaterThanOrEqual(1);
      const up = (await (await fetch(`${services.prometheus}/api/v1/query?query=${encodeURIComponent('up{job="luna-test"}')}`)).json()) as {
        data: { result: Array<{ value: [number, string] }> };
      };
      expect(up.data.result[0]?.value[1]).toBe('1');
    });
  });
});
