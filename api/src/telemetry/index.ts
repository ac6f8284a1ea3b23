/**
 * OpenTelemetry traces, off by default: with LUNA_OTLP_URL set, spans go over OTLP/HTTP (JSON) to
 * `<url>/v1/traces` in batches. Spans: one per HTTP request (server kind, W3C `traceparent` honoured),
 * the writer's database transaction (child of the request that queued the first reading of the
 * batch), database statements of the knowledge layer, and `rag.ask` (child of its request).
 *
 * No OpenTelemetry globals are set: each service instance has its own provider and its own
 * AsyncLocalStorage context, so several instances (tests) can share one process.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  defaultTextMapGetter,
  type Attributes,
  type Context,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Database, Queryable } from '../store/index.js';

export interface TelemetryOptions {
  /** OTLP/HTTP endpoint base, e.g. http://collector:4318 (traces go to /v1/traces); undefined = off */
  otlpUrl?: string | undefined;
  serviceName?: string;
  version: string;
  /** batch export delay, ms (default 1000) */
  exportDelayMs?: number;
}

export interface Telemetry {
  readonly enabled: boolean;
  /** Runs fn inside a new span, child of the current one; the span ends (with error status on a throw) when fn settles. */
  span<T>(name: string, attributes: Attributes, fn: () => Promise<T>): Promise<T>;
  /** Starts and ends a span per HTTP request of the server (Fastify hooks). */
  instrumentHttp(server: FastifyInstance): void;
  /** A Database whose transactions (and, with statements: true, queries) are spans. */
  traceDb(db: Database, component: string, o?: { statements?: boolean; transactionSpan?: string }): Database;
  /** Exports every finished span now. */
  flush(): Promise<void>;
  shutdown(): Promise<void>;
}

/** Tracing that records nothing: every call is a pass-through. */
export const NO_TELEMETRY: Telemetry = {
  enabled: false,
  span: (_n, _a, fn) => fn(),
  instrumentHttp: () => undefined,
  traceDb: (db) => db,
  flush: async () => undefined,
  shutdown: async () => undefined,
};

/** The trace endpoint for an OTLP base URL (OTEL_EXPORTER_OTLP_ENDPOINT style: the signal path is appended). */
export function tracesUrl(otlpUrl: string): string {
  return otlpUrl.replace(/\/+$/, '').endsWith('/v1/traces') ? otlpUrl : `${otlpUrl.replace(/\/+$/, '')}/v1/traces`;
}

export function createTelemetry(o: TelemetryOptions): Telemetry {
  if (!o.otlpUrl) return NO_TELEMETRY;
  const exporter = new OTLPTraceExporter({ url: tracesUrl(o.otlpUrl) });
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': o.serviceName ?? 'luna-iems', 'service.version': o.version }),
    spanProcessors: [new BatchSpanProcessor(exporter, { scheduledDelayMillis: o.exportDelayMs ?? 1000 })],
  });
  const tracer: Tracer = provider.getTracer('luna-iems', o.version);
  const als = new AsyncLocalStorage<Context>();
  const propagator = new W3CTraceContextPropagator();
  const active = (): Context => als.getStore() ?? ROOT_CONTEXT;
  const requestSpans = new WeakMap<FastifyRequest, Span>();

  async function span<T>(name: string, attributes: Attributes, fn: () => Promise<T>): Promise<T> {
    const s = tracer.startSpan(name, { attributes }, active());
    return als.run(trace.setSpan(active(), s), async () => {
      try {
        return await fn();
      } catch (err) {
        s.recordException(err as Error);
        s.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message });
        throw err;
      } finally {
        s.end();
      }
    });
  }

  return {
    enabled: true,
    span,
    instrumentHttp(server) {
      server.addHook('onRequest', (req, _reply, done) => {
        const parent = propagator.extract(ROOT_CONTEXT, req.headers, defaultTextMapGetter);
        const s = tracer.startSpan(
          `${req.method} ${req.routeOptions.url ?? 'unmatched'}`,
          {
            kind: SpanKind.SERVER,
            attributes: { 'http.request.method': req.method, 'url.path': req.url.split('?')[0] ?? req.url, 'luna.request_id': req.id },
          },
          parent,
        );
        requestSpans.set(req, s);
        // the rest of the request (guard, handler) runs in the span's context
        als.enterWith(trace.setSpan(parent, s));
        done();
      });
      server.addHook('onResponse', (req, reply, done) => {
        const s = requestSpans.get(req);
        if (s) {
          s.setAttribute('http.response.status_code', reply.statusCode);
          if (req.routeOptions.url) s.setAttribute('http.route', req.routeOptions.url);
          if (reply.statusCode >= 500) s.setStatus({ code: SpanStatusCode.ERROR });
          s.end();
          requestSpans.delete(req);
        }
        done();
      });
    },
    traceDb(db, component, opts = {}) {
      const txName = opts.transactionSpan ?? `${component}.transaction`;
      const traced = (q: Queryable): Queryable => ({
        query: opts.statements
          ? <Row = Record<string, unknown>>(sql: string, params?: unknown[]) =>
              span(`${component}.query`, { 'db.system': 'postgresql', 'db.query.text': sql.slice(0, 300) }, () => q.query<Row>(sql, params))
          : <Row = Record<string, unknown>>(sql: string, params?: unknown[]) => q.query<Row>(sql, params),
        exec: (sql) => q.exec(sql),
        ...(q.copyIn ? { copyIn: q.copyIn.bind(q) } : {}),
      });
      const wrapped: Database = {
        ...traced(db),
        adapter: db.adapter,
        target: db.target,
        transaction: (fn) =>
          span(txName, { 'db.system': 'postgresql', 'luna.component': component }, () => db.transaction((tx) => fn(traced(tx)))),
        close: () => db.close(),
      };
      return wrapped;
    },
    flush: () => provider.forceFlush(),
    shutdown: () => provider.shutdown(),
  };
}

/** Runs fn and observes its duration in seconds (also when it throws). */
export async function observeSeconds<T>(histogram: { observe(v: number): void }, fn: () => Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    return await fn();
  } finally {
    histogram.observe((performance.now() - started) / 1000);
  }
}
