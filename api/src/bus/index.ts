/**
 * Event bus: fan-out of domain events (readings accepted, plan changed, command sent) between
 * parts of the service. In-process by default; Kafka/Redpanda in server mode.
 */
import { EventEmitter } from 'node:events';
import type { Config } from '../config/index.js';
import { tcpProbe, type Dependency } from '../ops/dependency.js';

export interface EventBus extends Dependency {
  publish(topic: string, message: unknown): Promise<void>;
  /** Returns a function that unsubscribes. */
  subscribe(topic: string, handler: (message: unknown) => void | Promise<void>): () => void;
}

export function inProcessBus(): EventBus {
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0);
  return {
    name: 'eventBus',
    adapter: 'inprocess',
    target: 'this process',
    async publish(topic, message) {
      emitter.emit(topic, message);
    },
    subscribe(topic, handler) {
      const listener = (m: unknown) => void handler(m);
      emitter.on(topic, listener);
      return () => emitter.off(topic, listener);
    },
    async check() {
      return { state: 'up', detail: 'in-process' };
    },
  };
}

/**
 * NOT YET BUILT: the Kafka producer/consumer arrives with the ingest issue (#4). Until then the
 * kafka adapter reports broker reachability in /ready and refuses to publish rather than drop.
 */
export function kafkaBus(config: Extract<Config['eventBus'], { adapter: 'kafka' }>): EventBus {
  return {
    name: 'eventBus',
    adapter: 'kafka',
    target: config.brokers.join(','),
    note: 'reachability check only; Kafka producer/consumer not built yet (issue #4)',
    async publish() {
      throw new Error('Kafka event bus is not implemented yet; use LUNA_EVENT_BUS=inprocess');
    },
    subscribe() {
      throw new Error('Kafka event bus is not implemented yet; use LUNA_EVENT_BUS=inprocess');
    },
    async check(timeoutMs) {
      const results = await Promise.all(
        config.brokers.map((b) => {
          const i = b.lastIndexOf(':');
          return tcpProbe(b.slice(0, i), Number(b.slice(i + 1)), timeoutMs);
        }),
      );
      const up = results.filter((r) => r.state === 'up').length;
      return up > 0
        ? { state: 'up', detail: `${up}/${results.length} brokers reachable` }
        : { state: 'down', detail: results.map((r) => r.detail).join('; ') };
    },
  };
}

export function createEventBus(config: Config['eventBus']): EventBus {
  return config.adapter === 'kafka' ? kafkaBus(config) : inProcessBus();
}
