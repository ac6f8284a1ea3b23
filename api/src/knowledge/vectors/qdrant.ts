/**
 * Qdrant store over its REST API (https://api.qdrant.tech): one collection per embedding model
 * (`luna_chunks_<model>`), cosine distance, point id = a UUID derived from the chunk id (Qdrant
 * accepts only unsigned integers or UUIDs), payload {chunk_id, document_id, content_sha}.
 * Search uses `POST /points/query` (Qdrant ≥ 1.10) and falls back to `POST /points/search`.
 * Filters: `documentIds` is applied in Qdrant; the other metadata filters are re-checked by the
 * knowledge service after fusion (payloads do not carry them — documented limitation).
 */
import { createHash } from 'node:crypto';
import { badResponse, requestJson, trimUrl, type HttpOptions } from '../models/http.js';
import { ModelError } from '../models/types.js';
import type { ChunkFilters } from '../retrieve.js';
import type { VectorHit, VectorItem, VectorStore } from './types.js';

const LABEL = 'Qdrant';
export const COLLECTION_PREFIX = 'luna_chunks_';

/** Deterministic UUID (v5-style layout) for a chunk id. */
export function pointId(chunkId: string): string {
  const h = createHash('sha256').update(`luna-chunk:${chunkId}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export function collectionName(model: string): string {
  const slug = model
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 40);
  return `${COLLECTION_PREFIX}${slug}_${createHash('sha256').update(model).digest('hex').slice(0, 8)}`;
}

interface ScoredPoint {
  id: string | number;
  score: number;
  payload?: { chunk_id?: unknown };
}

export class QdrantStore implements VectorStore {
  readonly name = 'qdrant' as const;
  private readonly http: HttpOptions;
  private readonly ensured = new Map<string, number>();
  private useLegacySearch = false;

  constructor(
    private readonly url: string,
    apiKey?: string,
    http: HttpOptions = {},
  ) {
    this.http = { timeoutMs: 10_000, ...http, headers: { ...http.headers, ...(apiKey ? { 'api-key': apiKey } : {}) } };
  }

  private u(path: string): string {
    return `${trimUrl(this.url)}${path}`;
  }

  /** Creates the model's collection (cosine, `dims`) if missing; a collection of another size is an error. */
  async ensureCollection(model: string, dims: number): Promise<string> {
    const name = collectionName(model);
    if (this.ensured.get(name) === dims) return name;
    const res = await requestJson({ label: LABEL, method: 'GET', url: this.u(`/collections/${name}`) }, this.http, [404]);
    if (res.status === 404) {
      await requestJson(
        { label: LABEL, method: 'PUT', url: this.u(`/collections/${name}`), body: { vectors: { size: dims, distance: 'Cosine' } } },
        this.http,
      );
      await requestJson(
        {
          label: LABEL,
          method: 'PUT',
          url: this.u(`/collections/${name}/index?wait=true`),
          body: { field_name: 'document_id', field_schema: 'keyword' },
        },
        this.http,
      );
    } else {
      const size = (res.body as { result?: { config?: { params?: { vectors?: { size?: unknown } } } } })?.result?.config?.params?.vectors
        ?.size;
      if (typeof size !== 'number') throw badResponse(LABEL, `/collections/${name}`, 'no result.config.params.vectors.size');
      if (size !== dims)
        throw new ModelError(
          `Qdrant collection ${name} holds ${size}-dimensional vectors but ${model} gives ${dims}: delete the collection or use the model it was built with`,
          'bad-response',
        );
    }
    this.ensured.set(name, dims);
    return name;
  }

  async upsert(model: string, items: readonly VectorItem[]): Promise<void> {
    if (items.length === 0) return;
    const name = await this.ensureCollection(model, items[0]!.embedding.length);
    await requestJson(
      {
        label: LABEL,
        method: 'PUT',
        url: this.u(`/collections/${name}/points?wait=true`),
        body: {
          points: items.map((i) => ({
            id: pointId(i.chunkId),
            vector: i.embedding,
            payload: { chunk_id: i.chunkId, document_id: i.documentId, content_sha: i.contentSha },
          })),
        },
      },
      this.http,
    );
  }

  async search(model: string, vector: readonly number[], k: number, filters: ChunkFilters): Promise<VectorHit[]> {
    const name = collectionName(model);
    const filter = filters.documentIds?.length ? { must: [{ key: 'document_id', match: { any: filters.documentIds } }] } : undefined;
    const common = { limit: k, with_payload: ['chunk_id'], ...(filter ? { filter } : {}) };
    if (!this.useLegacySearch) {
      const res = await requestJson(
        { label: LABEL, method: 'POST', url: this.u(`/collections/${name}/points/query`), body: { query: vector, ...common } },
        this.http,
        [404],
      );
      if (res.status !== 404) return this.hits((res.body as { result?: { points?: unknown } })?.result?.points, '/points/query');
      if (isMissingCollection(res.body)) return [];
      this.useLegacySearch = true; // Qdrant < 1.10 has no /points/query
    }
    const res = await requestJson(
      { label: LABEL, method: 'POST', url: this.u(`/collections/${name}/points/search`), body: { vector, ...common } },
      this.http,
      [404],
    );
    if (res.status === 404) return [];
    return this.hits((res.body as { result?: unknown })?.result, '/points/search');
  }

  private hits(points: unknown, path: string): VectorHit[] {
    if (!Array.isArray(points)) throw badResponse(LABEL, path, 'result is not a list of points');
    return (points as ScoredPoint[]).map((p) => {
      if (typeof p?.score !== 'number' || typeof p.payload?.chunk_id !== 'string')
        throw badResponse(LABEL, path, 'a point without score or payload.chunk_id');
      return { chunkId: p.payload.chunk_id, score: p.score };
    });
  }

  async remove(chunkIds: readonly string[]): Promise<void> {
    if (chunkIds.length === 0) return;
    for (const name of await this.collections()) {
      await requestJson(
        {
          label: LABEL,
          method: 'POST',
          url: this.u(`/collections/${name}/points/delete?wait=true`),
          body: { points: chunkIds.map(pointId) },
        },
        this.http,
      );
    }
  }

  async stored(model: string): Promise<Map<string, string>> {
    const name = collectionName(model);
    const out = new Map<string, string>();
    let offset: unknown = null;
    do {
      const res = await requestJson(
        {
          label: LABEL,
          method: 'POST',
          url: this.u(`/collections/${name}/points/scroll`),
          body: { limit: 1000, with_payload: ['chunk_id', 'content_sha'], with_vector: false, ...(offset !== null ? { offset } : {}) },
        },
        this.http,
        [404],
      );
      if (res.status === 404) return out;
      const result = (res.body as { result?: { points?: unknown; next_page_offset?: unknown } })?.result;
      if (!Array.isArray(result?.points)) throw badResponse(LABEL, '/points/scroll', 'result.points is not a list');
      for (const p of result.points as Array<{ payload?: { chunk_id?: unknown; content_sha?: unknown } }>) {
        if (typeof p.payload?.chunk_id === 'string') out.set(p.payload.chunk_id, String(p.payload.content_sha ?? ''));
      }
      offset = result.next_page_offset ?? null;
    } while (offset !== null);
    return out;
  }

  private async collections(): Promise<string[]> {
    const res = await requestJson({ label: LABEL, method: 'GET', url: this.u('/collections') }, this.http);
    const list = (res.body as { result?: { collections?: Array<{ name?: unknown }> } })?.result?.collections;
    if (!Array.isArray(list)) throw badResponse(LABEL, '/collections', 'no result.collections list');
    return list.map((c) => c.name).filter((n): n is string => typeof n === 'string' && n.startsWith(COLLECTION_PREFIX));
  }
}

function isMissingCollection(body: unknown): boolean {
  const error = (body as { status?: { error?: unknown } } | undefined)?.status?.error;
  return typeof error === 'string' && /collection/i.test(error);
}
