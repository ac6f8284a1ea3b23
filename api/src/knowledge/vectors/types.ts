/**
 * A vector store keeps one embedding per (model, chunk) and finds the nearest chunks to a query
 * vector. Adapters: pgvector (in the database, PGlite or PostgreSQL with the extension) and Qdrant.
 * Scores are cosine similarity (higher = closer).
 */
import type { ChunkFilters } from '../retrieve.js';

export interface VectorItem {
  chunkId: string;
  documentId: string;
  /** SHA-256 hex of the embedded text; a changed text is embedded again */
  contentSha: string;
  embedding: number[];
}

export interface VectorHit {
  chunkId: string;
  /** cosine similarity, −1…1 */
  score: number;
}

export interface VectorStore {
  readonly name: 'pgvector' | 'qdrant';
  /** Insert or replace the vectors of these chunks for `model`. */
  upsert(model: string, items: readonly VectorItem[]): Promise<void>;
  /** Up to k nearest chunks for `model`, best first; applies the filters it can (the service re-checks all). */
  search(model: string, vector: readonly number[], k: number, filters: ChunkFilters): Promise<VectorHit[]>;
  /** Drops the vectors of these chunks for every model. */
  remove(chunkIds: readonly string[]): Promise<void>;
  /** chunkId → contentSha of everything stored for `model` (what the embedding step can skip). */
  stored(model: string): Promise<Map<string, string>>;
}

/** SQL filter over chunks `c` and documents `d` (from the lexical core), parameters from $firstParam. */
export type FilterClause = (filters: ChunkFilters, firstParam: number) => { sql: string; params: unknown[] };
