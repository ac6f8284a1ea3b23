/**
 * Job queue for background work (imports, forecasts, backtests). In-process by default; Redis
 * (BullMQ) in server mode so several workers share the work.
 *
 * NOT YET BUILT: job definitions and the BullMQ worker arrive with the first jobs (issues #4, #6).
 * Today the redis adapter is a real connection used for the readiness check.
 */
import { Redis } from 'ioredis';
import type { Config } from '../config/index.js';
import { redactUrl } from '../config/index.js';
import type { Dependency } from '../ops/dependency.js';

export function createQueue(config: Config['queue']): Dependency {
  if (config.adapter === 'inprocess') {
    return {
      name: 'queue',
      adapter: 'inprocess',
      target: 'this process',
      async check() {
        return { state: 'up', detail: 'in-process' };
      },
    };
  }
  let redis: Redis | undefined;
  const client = () =>
    (redis ??= new Redis(config.url, {
      lazyConnect: true,
      maxRetriesPerRequest: 1,
      enableOfflineQueue: false,
      retryStrategy: (times) => Math.min(times * 200, 2000),
    }));
  return {
    name: 'queue',
    adapter: 'redis',
    target: redactUrl(config.url),
    note: 'connection and readiness only; BullMQ jobs arrive with issues #4/#6',
    async check() {
      const r = client();
      let reason = '';
      if (r.status === 'wait') {
        r.on('error', (err: Error) => void (reason = err.message));
        await r.connect().catch((err: Error) => void (reason = err.message));
      }
      if (r.status !== 'ready') return { state: 'down', detail: `redis ${r.status}${reason ? `: ${reason}` : ''}` };
      const pong = await r.ping();
      return { state: pong === 'PONG' ? 'up' : 'down', detail: `PING → ${pong}` };
    },
    async close() {
      redis?.disconnect();
    },
  };
}
