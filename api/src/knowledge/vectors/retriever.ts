/**
 * Vector retrieval for the knowledge service: embeds the question with the configured embedder
 * and asks the vector store (pgvector or Qdrant) for the nearest chunks. Also the ChunkIndexer
 * that embeds new chunks after an ingest, and the resumable embedding step (`embedMissing`) that
 * embeds only chunks lacking a vector for the configured model — in batches, storing each batch
 * before the next, so an interrupted run continues where it stopped.
 */
import { createHash } from 'node:crypto';
import type { Embedder } from '../models/types.js';
import type { ChunkFilters, ChunkIndexer, RankedChunk, Retriever, StoredChunk } from '../retrieve.js';
import type { VectorItem, VectorStore } from './types.js';

/** Task prefixes some embedding models were trained with (nomic-embed-text: search_query / search_document). */
export function embedPrefixes(model: string): { query: string; document: string } {
  if (/nomic-embed/i.test(model)) return { query: 'search_query: ', document: 'search_document: ' };
  if (/\be5\b|multilingual-e5|e5-/i.test(model)) return { query: 'query: ', document: 'passage: ' };
  return { query: '', document: '' };
}

export const contentSha = (text: string): string => createHash('sha256').update(text).digest('hex');

export interface EmbedProgress {
  /** chunks embedded so far in this run */
  embedded: number;
  /** chunks this run has to embed */
  total: number;
  /** chunks already embedded for this model (skipped) */
  skipped: number;
}

export interface VectorRetrieverOptions {
  /** texts per embedding request, default 32 */
  batchSize?: number;
  /** query embeddings kept in memory (same question twice costs one embedding), default 256 */
  queryCacheSize?: number;
  /**
   * Called when a search fails (embedder or vector store down). The search then returns no hits,
   * so the question is answered from full-text search alone instead of failing. Without this
   * option the error is thrown.
   */
  onSearchError?: (err: Error) => void;
}

export class VectorRetriever implements Retriever, ChunkIndexer {
  readonly name: string;
  private readonly prefixes: { query: string; document: string };
  private readonly batchSize: number;
  private readonly queryCache = new Map<string, number[]>();
  private readonly queryCacheSize: number;
  private readonly onSearchError: ((err: Error) => void) | undefined;

  constructor(
    readonly embedder: Embedder,
    readonly store: VectorStore,
    options: VectorRetrieverOptions = {},
  ) {
    this.name = store.name;
    this.prefixes = embedPrefixes(embedder.model);
    this.batchSize = options.batchSize ?? 32;
    this.queryCacheSize = options.queryCacheSize ?? 256;
    this.onSearchError = options.onSearchError;
  }

  async embedQuery(query: string): Promise<number[]> {
    const cached = this.queryCache.get(query);
    if (cached) return cached;
    const [v] = await this.embedder.embed([`${this.prefixes.query}${query}`]);
    if (this.queryCache.size >= this.queryCacheSize) this.queryCache.delete(this.queryCache.keys().next().value!);
    this.queryCache.set(query, v!);
    return v!;
  }

  async search(query: string, k: number, filters: ChunkFilters): Promise<RankedChunk[]> {
    if (!query.trim()) return [];
    try {
      const hits = await this.store.search(this.embedder.model, await this.embedQuery(query), k, filters);
      return hits.map((h) => ({ chunkId: h.chunkId, score: h.score }));
    } catch (err) {
      if (!this.onSearchError) throw err;
      this.onSearchError(err as Error);
      return [];
    }
  }

  async add(chunks: readonly StoredChunk[]): Promise<void> {
    await this.embedChunks(chunks);
  }

  async remove(chunkIds: readonly string[]): Promise<void> {
    await this.store.remove(chunkIds);
  }

  /** Embeds and stores the given chunks, batch by batch. */
  private async embedChunks(chunks: readonly StoredChunk[], onBatch?: (n: number) => void, shouldStop?: () => boolean): Promise<void> {
    for (let i = 0; i < chunks.length; i += this.batchSize) {
      if (shouldStop?.()) return;
      const batch = chunks.slice(i, i + this.batchSize);
      const vectors = await this.embedder.embed(batch.map((c) => `${this.prefixes.document}${c.text}`));
      const items: VectorItem[] = batch.map((c, j) => ({
        chunkId: c.id,
        documentId: c.documentId,
        contentSha: contentSha(c.text),
        embedding: vectors[j]!,
      }));
      await this.store.upsert(this.embedder.model, items);
      onBatch?.(batch.length);
    }
  }

  /**
   * The resumable embedding step: embeds the chunks that have no vector for this model yet (or
   * whose text changed since). `onProgress` is called after every stored batch; `shouldStop` is
   * checked between batches (shutdown) — what is stored stays, the next run continues.
   */
  async embedMissing(
    chunks: readonly StoredChunk[],
    onProgress?: (p: EmbedProgress) => void,
    shouldStop?: () => boolean,
  ): Promise<EmbedProgress> {
    const stored = await this.store.stored(this.embedder.model);
    const todo = chunks.filter((c) => stored.get(c.id) !== contentSha(c.text));
    const progress: EmbedProgress = { embedded: 0, total: todo.length, skipped: chunks.length - todo.length };
    onProgress?.({ ...progress });
    await this.embedChunks(
      todo,
      (n) => {
        progress.embedded += n;
        onProgress?.({ ...progress });
      },
      shouldStop,
    );
    return progress;
  }
}
