/**
 * Traces over OTLP/HTTP to a local receiver that decodes the export requests as the protocol
 * defines them (ExportTraceServiceRequest in OTLP/JSON: resourceSpans → scopeSpans → spans, hex
 * trace and span ids, gzip when the exporter compresses): one ingest request with the writer's
 * transaction as its child, and one /rag/ask with the rag.ask span and its database statements.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, startTestApp, type TestApp } from '../test/app.js';
import { createTelemetry, NO_TELEMETRY, tracesUrl } from './index.js';

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes?: Array<{ key: string; value: Record<string, unknown> }>;
  status?: { code?: number };
}
interface ExportRequest {
  resourceSpans: Array<{
    resource: { attributes: Array<{ key: string; value: { stringValue?: string } }> };
    scopeSpans: Array<{ scope: { name: string }; spans: OtlpSpan[] }>;
  }>;
}

/** An OTLP/HTTP trace receiver: POST /v1/traces, JSON body (optionally gzip), answers an empty ExportTraceServiceResponse. */
async function otlpReceiver(): Promise<{
  url: string;
  spans: OtlpSpan[];
  requests: ExportRequest[];
  paths: string[];
  close: () => Promise<void>;
}> {
  const spans: OtlpSpan[] = [];
  const requests: ExportRequest[] = [];
  const paths: string[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      paths.push(`${req.method} ${req.url} ${req.headers['content-type']}`);
      let body = Buffer.concat(chunks);
      if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
      if (req.method !== 'POST' || req.url !== '/v1/traces' || !String(req.headers['content-type']).startsWith('application/json')) {
        res.writeHead(415).end();
        return;
      }
      const request = JSON.parse(body.toString('utf8')) as ExportRequest;
      requests.push(request);
      for (const rs of request.resourceSpans) for (const ss of rs.scopeSpans) spans.push(...ss.spans);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    spans,
    requests,
    paths,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Flushes, then waits until the receiver has the spans (an export the batch timer started may still be in flight). */
const exported = async (done: () => boolean) => {
  for (let i = 0; i < 100 && !done(); i++) {
    await t.app.telemetry.flush();
    if (!done()) await new Promise((r) => setTimeout(r, 100));
  }
};
let t: TestApp;

const attr = (s: OtlpSpan, key: string) => s.attributes?.find((a) => a.key === key)?.value;

describe('telemetry configuration', () => {
  it('is off without an OTLP URL; the endpoint gets /v1/traces appended once', () => {
    expect(createTelemetry({ version: '1' })).toBe(NO_TELEMETRY);
    expect(tracesUrl('http://collector:4318')).toBe('http://collector:4318/v1/traces');
    expect(tracesUrl('http://collector:4318/')).toBe('http://collector:4318/v1/traces');
    expect(tracesUrl('http://collector:4318/v1/traces')).toBe('http://collector:4318/v1/traces');
  });
});

describe('traces over OTLP/HTTP', () => {
  let rx: Awaited<ReturnType<typeof otlpReceiver>>;
  let admin = '';

  beforeAll(async () => {
    rx = await otlpReceiver();
    t = await startTestApp({
      LUNA_ADMIN_PASSWORD: 'Spuren-Suche-2026!',
      LUNA_OTLP_URL: rx.url,
      LUNA_ANOMALY_SCAN: 'off',
      LUNA_FORECASTS: 'off',
    });
    t.app.alerts.service.stopTriggers();
    admin = (await call(t.base, 'POST', '/auth/login', { body: { username: 'admin', password: 'Spuren-Suche-2026!' } })).body.accessToken;
    await call(t.base, 'POST', '/sites', { token: admin, body: { id: 'werk', name: 'Werk' } });
  });
  afterAll(async () => {
    await t?.close();
    await rx?.close();
  });

  it('one ingest request: the HTTP server span and the writer transaction as its child, exported with the service resource', async () => {
    const series = await call(t.base, 'POST', '/sites/werk/series', {
      token: admin,
      body: { key: 'grid/power', quantity: 'active_power', semantics: 'instantaneous' },
    });
    const r = await call(t.base, 'POST', '/ingest/readings', {
      token: admin,
      body: { siteId: 'werk', readings: [{ series: series.body.id, ts: '2026-11-27T08:00:00Z', value: 412_000 }] },
    });
    expect(r.status).toBe(200);
    await exported(() => rx.spans.some((s) => s.name === 'writer.flush') && rx.spans.some((s) => s.name === 'POST /ingest/readings'));

    expect(rx.paths.every((p) => p.startsWith('POST /v1/traces application/json'))).toBe(true);
    const resource = rx.requests[0]!.resourceSpans[0]!.resource.attributes;
    expect(resource).toContainEqual({ key: 'service.name', value: { stringValue: 'luna-iems' } });
    const http = rx.spans.find((s) => s.name === 'POST /ingest/readings');
    expect(http, rx.spans.map((s) => s.name).join(', ')).toBeDefined();
    expect(http!.kind).toBe(2); // SPAN_KIND_SERVER
    expect(http!.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(http!.spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(attr(http!, 'http.response.status_code')).toEqual({ intValue: 200 });
    const flush = rx.spans.find((s) => s.name === 'writer.flush' && s.traceId === http!.traceId);
    expect(flush, 'writer.flush in the same trace').toBeDefined();
    expect(flush!.parentSpanId).toBe(http!.spanId);
    expect(BigInt(flush!.startTimeUnixNano)).toBeGreaterThanOrEqual(BigInt(http!.startTimeUnixNano));
    expect(BigInt(flush!.endTimeUnixNano)).toBeLessThanOrEqual(BigInt(http!.endTimeUnixNano));
  });

  it('one /rag/ask under a caller’s traceparent: request → rag.ask → database statements', async () => {
    const doc = await call(t.base, 'POST', '/ingest/doc?filename=betrieb.md&type=note', {
      token: admin,
      raw: { body: '# Lastspitzen\n\nDie Lastspitze im Viertelstundenmittel bestimmt den Leistungspreis.', contentType: 'text/markdown' },
    });
    expect(doc.status, JSON.stringify(doc.body)).toBeLessThan(300);
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const callerSpan = '00f067aa0ba902b7';
    const r = await call(t.base, 'POST', '/rag/ask', {
      token: admin,
      body: { question: 'Was bestimmt den Leistungspreis?' },
      headers: { traceparent: `00-${traceId}-${callerSpan}-01` },
    });
    expect(r.status).toBe(200);
    await exported(() => rx.spans.some((s) => s.name === 'POST /rag/ask'));

    const http = rx.spans.find((s) => s.name === 'POST /rag/ask');
    expect(http).toMatchObject({ traceId, parentSpanId: callerSpan });
    const ask = rx.spans.find((s) => s.name === 'rag.ask' && s.traceId === traceId);
    expect(ask?.parentSpanId).toBe(http!.spanId);
    const queries = rx.spans.filter((s) => s.name === 'knowledge.query' && s.parentSpanId === ask!.spanId);
    expect(queries.length).toBeGreaterThan(0);
    expect(queries.every((q) => q.traceId === traceId)).toBe(true);
    const metrics = await call(t.base, 'GET', '/metrics');
    expect(metrics.body).toMatch(/luna_rag_answer_seconds_count\{service="luna-iems"\} 1/);
  });
});
