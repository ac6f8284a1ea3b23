/**
 * The model side of the knowledge layer, assembled from the configuration: the embedder and chat
 * model (`LUNA_LLM`), the vector store (`LUNA_VECTOR_INDEX`: pgvector in the database or Qdrant),
 * the vector retriever/indexer and the grounded answer generator. Every part is optional: with
 * `LUNA_LLM=none` nothing is created and the knowledge service stays lexical + extractive.
 *
 * `embedMissing()` is the resumable embedding step for the whole corpus (meant to run in the
 * background after start; see models/README.md): only chunks without a vector for the configured
 * model are embedded; afterwards pgvector's HNSW index is built in the background.
 */
import type { Config } from '../../config/index.js';
import type { Extensions, Queryable } from '../../store/index.js';
import { GroundedGenerator } from '../answer/generator.js';
import { createModels, type Models } from '../models/index.js';
import type { StoredChunk } from '../retrieve.js';
import { filterClause } from '../store.js';
import { openPgVector, PgVectorStore } from './pgvector.js';
import { QdrantStore } from './qdrant.js';
import { VectorRetriever, type EmbedProgress } from './retriever.js';
import type { VectorStore } from './types.js';

export interface ModelSideLog {
  info(msg: string): void;
  warn(msg: string): void;
}

export interface ModelSide {
  models: Models | undefined;
  store: VectorStore | undefined;
  /** present when an embedder AND a usable vector store are configured */
  retriever: VectorRetriever | undefined;
  /** present when an LLM is configured */
  generator: GroundedGenerator | undefined;
  /** Embeds every active chunk lacking a vector for the model; never throws (logs and returns undefined on failure). */
  embedMissing(onProgress?: (p: EmbedProgress) => void, shouldStop?: () => boolean): Promise<EmbedProgress | undefined>;
}

/**
 * Active chunks as the knowledge store hands them to indexers: heading path joined by " › ", a
 * newline, then the text (the same text `insertDocument` returns, so content hashes agree).
 */
export async function listActiveChunks(db: Queryable): Promise<StoredChunk[]> {
  const { rows } = await db.query<{ id: string; document_id: string; heading_path: string[]; text: string }>(
    `select id, document_id::text as document_id, heading_path, text from knowledge_chunks where active order by document_id, ordinal`,
  );
  return rows.map((r) => ({ id: r.id, documentId: r.document_id, text: `${r.heading_path.join(' › ')}\n${r.text}` }));
}

export async function createModelSide(opts: {
  llm: Config['llm'];
  vectorIndex: Config['vectorIndex'];
  db: Queryable;
  extensions: Pick<Extensions, 'vector'>;
  log: ModelSideLog;
  /** overrides of the HTTP timeouts/retries (tests, eval) */
  http?: Parameters<typeof createModels>[1];
}): Promise<ModelSide> {
  const { log } = opts;
  const models = createModels(opts.llm, opts.http);
  let store: VectorStore | undefined;
  if (opts.vectorIndex.adapter === 'pgvector') {
    const server = 'adapter' in opts.db && (opts.db as { adapter?: string }).adapter === 'postgres';
    store = await openPgVector(opts.db, opts.extensions, log, filterClause, server);
  } else if (opts.vectorIndex.adapter === 'qdrant') store = new QdrantStore(opts.vectorIndex.url, opts.vectorIndex.apiKey);
  if (store && !models)
    log.warn(`vector index ${store.name} is configured but LUNA_LLM=none: no embedder, so retrieval stays full-text only`);
  const retriever =
    models && store
      ? new VectorRetriever(models.embedder, store, {
          onSearchError: (err) => log.warn(`vector search failed, answering from full-text search only: ${err.message}`),
        })
      : undefined;
  if (models && !store && opts.vectorIndex.adapter === 'none')
    log.info('LUNA_VECTOR_INDEX=none: the LLM writes answers, retrieval is full-text only');
  const generator = models ? new GroundedGenerator(models.chat) : undefined;

  return {
    models,
    store,
    retriever,
    generator,
    async embedMissing(onProgress, shouldStop) {
      if (!retriever) return undefined;
      const started = performance.now();
      let lastLogged = 0;
      try {
        const chunks = await listActiveChunks(opts.db);
        const result = await retriever.embedMissing(
          chunks,
          (p) => {
            onProgress?.(p);
            if (p.total > 0 && (p.embedded === p.total || p.embedded - lastLogged >= Math.max(64, p.total / 10))) {
              lastLogged = p.embedded;
              log.info(`embedding chunks with ${retriever.embedder.model}: ${p.embedded}/${p.total} (${p.skipped} already embedded)`);
            }
          },
          shouldStop,
        );
        if (shouldStop?.()) {
          log.info(`embedding step interrupted after ${result.embedded}/${result.total} chunk(s); it resumes at the next start`);
          return result;
        }
        log.info(
          `embedding step done: ${result.embedded} chunk(s) embedded, ${result.skipped} already had vectors, ${Math.round(performance.now() - started)} ms`,
        );
        if (store instanceof PgVectorStore) {
          const dims = await store.dimsOf(retriever.embedder.model);
          if (dims !== undefined) void store.buildIndexInBackground(retriever.embedder.model, dims);
        }
        return result;
      } catch (err) {
        log.warn(
          `embedding step stopped: ${(err as Error).message} — chunks without vectors are found by full-text search only; the step resumes at the next start`,
        );
        return undefined;
      }
    },
  };
}
