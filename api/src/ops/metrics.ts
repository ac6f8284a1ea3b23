/** Prometheus metrics: process metrics, HTTP requests, and dependency state. One registry per service instance. */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface Metrics {
  registry: Registry;
  httpRequests: Counter<'method' | 'route' | 'status'>;
  httpDuration: Histogram<'method' | 'route'>;
  dependencyUp: Gauge<'name' | 'adapter'>;
  ingestReadings: Counter<'outcome'>;
  writeDuration: Histogram;
  bufferReadings: Gauge;
  /** POST /rag/ask: retrieval + answer, seconds */
  ragAnswerSeconds: Histogram;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  registry.setDefaultLabels({ service: 'luna-iems' });
  collectDefaultMetrics({ register: registry, prefix: 'luna_' });
  return {
    registry,
    httpRequests: new Counter({
      name: 'luna_http_requests_total',
      help: 'HTTP requests by method, route template and status code',
      labelNames: ['method', 'route', 'status'],
      registers: [registry],
    }),
    httpDuration: new Histogram({
      name: 'luna_http_request_duration_seconds',
      help: 'HTTP request duration in seconds by method and route template',
      labelNames: ['method', 'route'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    dependencyUp: new Gauge({
      name: 'luna_dependency_up',
      help: '1 when the dependency answered its last readiness check, 0 when down (disabled adapters are not exported)',
      labelNames: ['name', 'adapter'],
      registers: [registry],
    }),
    ingestReadings: new Counter({
      name: 'luna_ingest_readings_total',
      help: 'Readings handled by the writer: inserted, updated, unchanged (duplicate), buffered (to disk while the database was unreachable)',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    writeDuration: new Histogram({
      name: 'luna_ingest_write_duration_seconds',
      help: 'Duration of one writer transaction in seconds',
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    bufferReadings: new Gauge({
      name: 'luna_ingest_buffer_readings',
      help: 'Readings waiting in the on-disk store-and-forward buffer',
      registers: [registry],
    }),
    ragAnswerSeconds: new Histogram({
      name: 'luna_rag_answer_seconds',
      help: 'Duration of one knowledge question (POST /rag/ask: retrieval and answer) in seconds',
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
  };
}
