/**
 * A PROTOCOL-FAITHFUL LOCAL PEER of Qdrant's REST API for tests — NOT a real Qdrant. In-memory
 * collections with exact cosine search; request and response JSON as Qdrant's
 * (`{"result": …, "status": "ok", "time": …}`, errors as `{"status": {"error": "…"}}`), for the
 * calls the client makes: /readyz, collections list/get/create/delete, payload index, points
 * upsert/query/search/scroll/delete, `api-key` header. `legacy: true` behaves like Qdrant < 1.10
 * (no /points/query).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

interface Point {
  id: string | number;
  vector: number[];
  payload: Record<string, unknown>;
}
interface Collection {
  size: number;
  distance: string;
  points: Map<string, Point>;
  indexes: Record<string, string>;
}
type Condition = { key: string; match: { value?: unknown; any?: unknown[] } };
interface Filter {
  must?: Condition[];
  must_not?: Condition[];
}

export interface QdrantPeer {
  url: string;
  collections: Map<string, Collection>;
  requests: Array<{ method: string; path: string; body: unknown }>;
  options: { apiKey?: string; legacy?: boolean };
  close(): Promise<void>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function cosine(a: number[], b: number[]): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}

function matches(p: Point, filter: Filter | undefined): boolean {
  const test = (c: Condition) => {
    const v = p.payload[c.key];
    if (c.match.any) return c.match.any.includes(v);
    return v === c.match.value;
  };
  return (filter?.must ?? []).every(test) && !(filter?.must_not ?? []).some(test);
}

export async function startQdrantPeer(options: { apiKey?: string; legacy?: boolean } = {}): Promise<QdrantPeer> {
  const collections = new Map<string, Collection>();
  const requests: QdrantPeer['requests'] = [];
  const started = performance.now();
  const ok = (res: ServerResponse, result: unknown) => send(res, 200, { result, status: 'ok', time: (performance.now() - started) / 1e6 });
  const fail = (res: ServerResponse, status: number, error: string) => send(res, status, { status: { error }, time: 0 });

  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://peer');
      const raw = await readBody(req);
      let body: Record<string, unknown> = {};
      try {
        body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
      } catch {
        return fail(res, 400, 'Format error in JSON body: expected value at line 1 column 1');
      }
      requests.push({ method: req.method ?? 'GET', path: url.pathname, body });
      if (url.pathname === '/readyz') return send(res, 200, 'all shards are ready');
      if (options.apiKey && req.headers['api-key'] !== options.apiKey)
        return send(res, 401, 'Must provide an API key or an Authorization bearer token');
      const m = /^\/collections(?:\/([^/]+)(\/.*)?)?$/.exec(url.pathname);
      if (!m) return send(res, 404, '');
      const [, name, rest = ''] = m;
      const route = `${req.method} ${rest}`;
      if (!name) {
        if (req.method === 'GET') return ok(res, { collections: [...collections.keys()].map((n) => ({ name: n })) });
        return send(res, 404, '');
      }
      const col = collections.get(name);
      if (route === 'PUT ') {
        if (col) return fail(res, 409, `Wrong input: Collection \`${name}\` already exists!`);
        const vectors = body.vectors as { size?: unknown; distance?: unknown } | undefined;
        if (typeof vectors?.size !== 'number' || !['Cosine', 'Dot', 'Euclid', 'Manhattan'].includes(String(vectors.distance)))
          return fail(res, 422, 'Format error in JSON body: missing field `vectors.size` or invalid `distance`');
        collections.set(name, { size: vectors.size, distance: String(vectors.distance), points: new Map(), indexes: {} });
        return ok(res, true);
      }
      if (!col) return fail(res, 404, `Not found: Collection \`${name}\` doesn't exist!`);
      switch (route) {
        case 'GET ':
          return ok(res, {
            status: 'green',
            optimizer_status: 'ok',
            indexed_vectors_count: 0,
            points_count: col.points.size,
            segments_count: 1,
            config: { params: { vectors: { size: col.size, distance: col.distance }, shard_number: 1, replication_factor: 1 } },
            payload_schema: Object.fromEntries(Object.entries(col.indexes).map(([k, v]) => [k, { data_type: v, points: col.points.size }])),
          });
        case 'DELETE ':
          collections.delete(name);
          return ok(res, true);
        case 'PUT /index':
          col.indexes[String(body.field_name)] = String(body.field_schema);
          return ok(res, { operation_id: 1, status: 'completed' });
        case 'PUT /points': {
          const points = body.points as Point[] | undefined;
          if (!Array.isArray(points)) return fail(res, 422, 'Format error in JSON body: missing field `points`');
          for (const p of points) {
            if (!(typeof p.id === 'number' ? Number.isInteger(p.id) && p.id >= 0 : typeof p.id === 'string' && UUID.test(p.id)))
              return fail(
                res,
                400,
                `Format error in JSON body: value ${String(p.id)} is not a valid point ID, valid values are either an unsigned integer or a UUID`,
              );
            if (!Array.isArray(p.vector) || p.vector.length !== col.size)
              return fail(
                res,
                400,
                `Wrong input: Vector dimension error: expected dim: ${col.size}, got ${Array.isArray(p.vector) ? p.vector.length : 0}`,
              );
          }
          for (const p of points) col.points.set(String(p.id), { id: p.id, vector: p.vector, payload: p.payload ?? {} });
          return ok(res, { operation_id: 2, status: 'completed' });
        }
        case 'POST /points/query':
        case 'POST /points/search': {
          if (route === 'POST /points/query' && options.legacy) return send(res, 404, '');
          const vector = (route === 'POST /points/query' ? body.query : body.vector) as number[] | undefined;
          if (!Array.isArray(vector) || vector.length !== col.size)
            return fail(
              res,
              400,
              `Wrong input: Vector dimension error: expected dim: ${col.size}, got ${Array.isArray(vector) ? vector.length : 0}`,
            );
          const limit = typeof body.limit === 'number' ? body.limit : 10;
          const fields = Array.isArray(body.with_payload) ? (body.with_payload as string[]) : body.with_payload === true ? null : [];
          const hits = [...col.points.values()]
            .filter((p) => matches(p, body.filter as Filter | undefined))
            .map((p) => ({ p, score: cosine(vector, p.vector) }))
            .sort((a, b) => b.score - a.score || String(a.p.id).localeCompare(String(b.p.id)))
            .slice(0, limit)
            .map(({ p, score }) => ({
              id: p.id,
              version: 2,
              score,
              payload: fields === null ? p.payload : Object.fromEntries(fields.map((f) => [f, p.payload[f]])),
            }));
          return ok(res, route === 'POST /points/query' ? { points: hits } : hits);
        }
        case 'POST /points/scroll': {
          const limit = typeof body.limit === 'number' ? body.limit : 10;
          const all = [...col.points.values()]
            .filter((p) => matches(p, body.filter as Filter | undefined))
            .sort((a, b) => String(a.id).localeCompare(String(b.id)));
          const from = body.offset === undefined ? 0 : all.findIndex((p) => p.id === body.offset);
          const page = all.slice(Math.max(0, from), Math.max(0, from) + limit);
          const fields = Array.isArray(body.with_payload) ? (body.with_payload as string[]) : [];
          return ok(res, {
            points: page.map((p) => ({ id: p.id, payload: Object.fromEntries(fields.map((f) => [f, p.payload[f]])) })),
            next_page_offset: all[Math.max(0, from) + limit]?.id ?? null,
          });
        }
        case 'POST /points/delete': {
          if (Array.isArray(body.points)) for (const id of body.points as unknown[]) col.points.delete(String(id));
          else if (body.filter) for (const [id, p] of col.points) if (matches(p, body.filter as Filter)) col.points.delete(id);
          return ok(res, { operation_id: 3, status: 'completed' });
        }
        default:
          return send(res, 404, '');
      }
    })().catch((err: unknown) => fail(res, 500, `Service internal error: ${(err as Error).message}`));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    collections,
    requests,
    options,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'content-type': typeof body === 'string' ? 'text/plain' : 'application/json' });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const parts: Buffer[] = [];
  for await (const p of req) parts.push(p as Buffer);
  return Buffer.concat(parts).toString('utf8');
}
