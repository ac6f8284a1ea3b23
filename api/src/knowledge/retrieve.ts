/**
 * Retrieval contracts of the knowledge layer — the stable seam between the lexical core (this
 * folder) and the model adapters (`models/`, `vectors/`). Pure: types plus reciprocal rank fusion.
 *
 *   question ─┬─ lexical Retriever (Postgres FTS, always) ─┐
 *             └─ vector Retriever (when an embedder is on) ─┴─ fuse() ─ hydrate ─ answer
 *                                                                          │
 *                         AnswerGenerator (LLM, optional) ── or ── extractive answer
 *
 * A vector retriever plugs in by implementing `Retriever`; it is kept current by implementing
 * `ChunkIndexer` (called after every ingest/supersede). Filters: a retriever should apply them
 * (see `filterClause` in `corpus.sql.ts` for a ready WHERE clause over chunks `c` and documents
 * `d`); the service re-checks every fused hit against the filters when it hydrates, so a retriever
 * that ignores some filter is still correct, only less complete.
 */

/** Document types the ingest accepts (issue #9 §2). */
export const DOCUMENT_TYPES = ['regulation', 'report', 'note', 'datasheet'] as const;
export type DocumentType = (typeof DOCUMENT_TYPES)[number];

/** Metadata filters of `POST /rag/ask` and of every retriever. All given fields must match (AND). */
export interface ChunkFilters {
  /** document type(s) */
  type?: DocumentType | DocumentType[];
  /** e.g. "DE" */
  jurisdiction?: string;
  /** law abbreviation(s), e.g. "EnWG" (case-insensitive) */
  law?: string | string[];
  /** site id the document belongs to */
  siteId?: string;
  /** every listed tag must be on the document */
  tags?: string[];
  /** ISO date (YYYY-MM-DD): only documents valid on that day (valid_from ≤ day ≤ valid_to, open ends allowed) */
  validAt?: string;
  /** restrict to these document ids */
  documentIds?: string[];
}

/** One hit of one retriever. `score` is the retriever's own (higher = better); ranks come from the array order. */
export interface RankedChunk {
  chunkId: string;
  score: number;
}

export interface Retriever {
  /** e.g. "lexical", "pgvector", "qdrant" */
  readonly name: string;
  /** Up to k chunks of ACTIVE (not superseded) documents, best first, deterministic for the same corpus. */
  search(query: string, k: number, filters: ChunkFilters): Promise<RankedChunk[]>;
}

/** A chunk as stored, handed to indexers (vector stores) after ingest. */
export interface StoredChunk {
  id: string;
  documentId: string;
  /** text to embed: heading path + body */
  text: string;
}

/** Keeps a secondary index (vectors) in step with the corpus. Called by the knowledge service. */
export interface ChunkIndexer {
  readonly name: string;
  /** new chunks of a newly ingested document version */
  add(chunks: readonly StoredChunk[]): Promise<void>;
  /** chunks of a superseded or deleted document version */
  remove(chunkIds: readonly string[]): Promise<void>;
}

/** A retrieved passage with everything a citation needs. */
export interface Passage {
  chunkId: string;
  documentId: string;
  /** document title; for laws "EnWG – Energiewirtschaftsgesetz" */
  document: string;
  /** law abbreviation for laws, e.g. "EnWG" */
  law?: string;
  /** "§ 14a" for laws, the heading path ("Intro > Scope") for other documents */
  section: string;
  /** "Abs. 2" when the chunk is one paragraph of a law section */
  paragraph?: string;
  /** full heading path, e.g. ["EnWG", "§ 14a – Netzorientierte Steuerung …", "Abs. 1"] */
  headingPath: string[];
  page?: number;
  /** fused score (higher = better) */
  score: number;
  text: string;
}

/** An LLM-backed answer step (H1b). Must be deterministic (temperature 0, fixed seed) for the cache to be honest. */
export interface AnswerGenerator {
  readonly name: string;
  /**
   * Answers from the passages only. `citations` are indexes into `passages` that the answer uses;
   * the service keeps citations in rank order. Return `found: false` when the passages do not answer.
   */
  generate(
    question: string,
    passages: readonly Passage[],
  ): Promise<{
    answer: string;
    found: boolean;
    citations: number[];
    /**
     * (H1b) Set when the LLM failed and the generator answered extractively instead: the reason.
     * The service then reports mode "extractive" and does not cache the answer.
     */
    degraded?: string;
  }>;
}

/** Reciprocal rank fusion constant (Cormack et al. 2009). */
export const RRF_K = 60;

/**
 * Reciprocal rank fusion: score(d) = Σ 1/(RRF_K + rank_i(d)), rank from 1. Ties broken by best
 * single rank, then chunk id, so the order is deterministic. A single ranking passes through
 * unchanged (its original scores kept), so the lexical-only path keeps its relevance scores.
 */
export function fuse(rankings: readonly (readonly RankedChunk[])[], k: number = RRF_K): RankedChunk[] {
  const nonEmpty = rankings.filter((r) => r.length > 0);
  if (nonEmpty.length === 0) return [];
  if (nonEmpty.length === 1) return nonEmpty[0]!.map((r) => ({ ...r }));
  const acc = new Map<string, { score: number; best: number }>();
  for (const ranking of nonEmpty) {
    ranking.forEach((hit, i) => {
      const e = acc.get(hit.chunkId) ?? { score: 0, best: Number.POSITIVE_INFINITY };
      e.score += 1 / (k + i + 1);
      e.best = Math.min(e.best, i + 1);
      acc.set(hit.chunkId, e);
    });
  }
  return [...acc.entries()]
    .sort(([ida, a], [idb, b]) => b.score - a.score || a.best - b.best || (ida < idb ? -1 : ida > idb ? 1 : 0))
    .map(([chunkId, e]) => ({ chunkId, score: e.score }));
}
