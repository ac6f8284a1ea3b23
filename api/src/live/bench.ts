/**
 * `npm run bench:ws` — fan-out of the live WebSocket API: the real service (createApp, guard,
 * PGlite) publishes LiveReadings messages (10 series each, ~0.6 kB) on its bus at a fixed rate;
 * N clients in a worker thread (its own event loop, so the clients' JSON parsing does not run on
 * the service's) hold sockets to GET /sites/:siteId/live, subscribe to readings and record the
 * delivery latency of every message (publish → parsed by the client).
 *
 *   BENCH ws.fanout.<N>c <n> messages/s        messages delivered to all clients per second
 *   BENCH ws.latency_p50.<N>c <n> ms           publish → client, median over all deliveries
 *   BENCH ws.latency_p99.<N>c <n> ms
 *   BENCH ws.delivered.<N>c <n> %              delivered / (published × clients)
 *   BENCH ws.connect.<N>c <n> ms               time to open and authorise the N sockets
 *
 *   --clients=10,100,500 --rate=100 (messages/s published) --seconds=5
 */
import { createRequire } from 'node:module';
import { cpus } from 'node:os';
import { Worker } from 'node:worker_threads';
import { call, startTestApp } from '../test/app.js';
import { LIVE_TOPICS, type LiveReadings } from './topics.js';

const arg = (name: string, fallback: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback;
const CLIENTS = arg('clients', '10,100,500').split(',').map(Number);
const RATE = Number(arg('rate', '100'));
const SECONDS = Number(arg('seconds', '5'));
const SITE = 'benchwerk';
const PASSWORD = 'Bench-Sonnenstrom-2026!';

/** The clients, as plain JS for the worker (no TypeScript loader needed there). */
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const WebSocket = require(workerData.wsPath);
const { url, token, clients, expected } = workerData;
const now = () => performance.timeOrigin + performance.now();
const latencies = [];
let received = 0;
const sockets = [];
const started = now();
let opened = 0;
let done = false;
function finish() {
  if (done) return;
  done = true;
  for (const s of sockets) s.terminate();
  parentPort.postMessage({ type: 'done', received, latencies: Float64Array.from(latencies) });
}
for (let i = 0; i < clients; i++) {
  const ws = new WebSocket(url, { headers: { authorization: 'Bearer ' + token } });
  sockets.push(ws);
  ws.on('error', (err) => parentPort.postMessage({ type: 'error', message: String(err) }));
  ws.on('message', (data) => {
    const f = JSON.parse(data.toString());
    if (f.type === 'hello') ws.send(JSON.stringify({ subscribe: ['readings'] }));
    else if (f.type === 'live') {
      if (++opened === clients) parentPort.postMessage({ type: 'ready', connectMs: now() - started });
    } else if (f.type === 'msg') {
      latencies.push(now() - f.data.publishedAtMs);
      if (++received === expected) finish();
    }
  });
}
parentPort.on('message', (m) => { if (m === 'finish') finish(); });
`;

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function main(): Promise<void> {
  const t = await startTestApp({ LUNA_ADMIN_PASSWORD: PASSWORD, LUNA_LOG_LEVEL: 'warn' });
  try {
    const login = await call(t.base, 'POST', '/auth/login', { body: { username: 'admin', password: PASSWORD } });
    const token = login.body.accessToken as string;
    await call(t.base, 'POST', '/sites', { token, body: { id: SITE, name: 'Bench' } });
    const url = `${t.base.replace(/^http/, 'ws')}/sites/${SITE}/live`;
    const wsPath = createRequire(import.meta.url).resolve('ws');
    console.log(`# ${cpus().length} CPU(s); publishing ${RATE} messages/s for ${SECONDS} s to ${CLIENTS.join(' / ')} clients`);

    for (const clients of CLIENTS) {
      const total = Math.round(RATE * SECONDS);
      const worker = new Worker(WORKER, { eval: true, workerData: { url, token, clients, expected: total * clients, wsPath } });
      const errors: string[] = [];
      const result = new Promise<{ received: number; latencies: Float64Array }>((resolve, reject) => {
        worker.on('message', (m: { type: string; message?: string; received?: number; latencies?: Float64Array }) => {
          if (m.type === 'error') errors.push(m.message!);
          if (m.type === 'done') resolve({ received: m.received!, latencies: m.latencies! });
        });
        worker.on('error', reject);
      });
      const connectMs = await new Promise<number>((resolve, reject) => {
        worker.on('message', (m: { type: string; connectMs?: number }) => m.type === 'ready' && resolve(m.connectMs!));
        worker.on('error', reject);
        setTimeout(() => reject(new Error(`clients not connected within 600 s: ${errors.slice(0, 3).join('; ')}`)), 600_000).unref();
      });

      // publish at RATE: every 10 ms whatever is due
      const startedAt = performance.now();
      let published = 0;
      await new Promise<void>((resolve) => {
        const timer = setInterval(() => {
          const due = Math.min(total, Math.floor(((performance.now() - startedAt) / 1000) * RATE));
          for (; published < due; published++) {
            const message: LiveReadings & { publishedAtMs: number } = {
              siteId: SITE,
              publishedAtMs: performance.timeOrigin + performance.now(),
              readings: Array.from({ length: 10 }, (_, i) => ({
                seriesId: i + 1,
                key: `meter/${i}/power`,
                tsMs: Date.now(),
                value: 1000 + published + i,
              })),
            };
            void t.app.bus.publish(LIVE_TOPICS.readings, message);
          }
          if (published >= total) {
            clearInterval(timer);
            resolve();
          }
        }, 10);
      });
      const publishMs = performance.now() - startedAt;
      // let the last deliveries arrive (at most 10 s), then collect
      const late = setTimeout(() => worker.postMessage('finish'), 10_000);
      const { received, latencies } = await result;
      clearTimeout(late);
      const elapsedS = (performance.now() - startedAt) / 1000;
      await worker.terminate();
      latencies.sort();
      console.log(`BENCH ws.fanout.${clients}c ${Math.round(received / elapsedS)} messages/s`);
      console.log(`BENCH ws.latency_p50.${clients}c ${percentile(latencies, 50).toFixed(2)} ms`);
      console.log(`BENCH ws.latency_p99.${clients}c ${percentile(latencies, 99).toFixed(2)} ms`);
      console.log(`BENCH ws.delivered.${clients}c ${((100 * received) / (total * clients)).toFixed(2)} %`);
      console.log(`BENCH ws.connect.${clients}c ${connectMs.toFixed(0)} ms`);
      console.log(
        `# ${clients} clients: published ${published} in ${(publishMs / 1000).toFixed(2)} s, dropped by the service so far: ${await dropped(t.base)}${errors.length ? `, client errors: ${errors.length}` : ''}`,
      );
      // the sockets were terminated by the worker; wait until the hub has seen them go
      for (let i = 0; i < 100 && t.app.live.count() > 0; i++) await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    await t.close();
  }
}

async function dropped(base: string): Promise<string> {
  const text = (await call(base, 'GET', '/metrics')).body as string;
  return (
    text
      .split('\n')
      .filter((l) => l.startsWith('luna_ws_dropped_clients_total{'))
      .map((l) => l.replace(/^luna_ws_dropped_clients_total/, ''))
      .join(' ') || '0'
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
