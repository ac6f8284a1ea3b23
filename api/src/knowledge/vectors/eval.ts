/**
 * `attachForEval` — the hook `npm run eval:rag` (jobs/src/rag/vectors.ts) calls for its "with
 * vectors" row: builds the model side from the LLM/vector variables in `env`, embeds the corpus
 * (resumable step), waits for pgvector's HNSW index so latencies are measured with it, and
 * attaches the vector retriever to the service. Returns a name for the row, or undefined (with a
 * printed reason) when no vector store can be used (e.g. PostgreSQL without pgvector).
 *
 * Against the protocol-faithful local peer (models/peer.ts, e.g. with
 * LUNA_EMBED_MODEL=hashed-bow-peer) the figures show that the path works — NOT the quality of a
 * real embedder.
 */
import { parseConfig, type EnvVarName, type RawConfig } from '../../config/schema.js';
import type { Logger } from '../../ops/index.js';
import { enableExtensions, type Database } from '../../store/index.js';
import type { ChunkIndexer, Retriever } from '../retrieve.js';
import { PgVectorStore } from './pgvector.js';
import { createModelSide } from './setup.js';

const VARS: EnvVarName[] = [
  'LUNA_LLM',
  'OLLAMA_URL',
  'OPENAI_BASE_URL',
  'OPENAI_API_KEY',
  'LUNA_EMBED_MODEL',
  'LUNA_CHAT_MODEL',
  'LUNA_VECTOR_INDEX',
  'QDRANT_URL',
  'QDRANT_API_KEY',
];

export async function attachForEval(
  svc: { addRetriever(r: Retriever): void; addIndexer(i: ChunkIndexer): void },
  db: Database,
  env: NodeJS.ProcessEnv,
  log: Logger,
): Promise<string | undefined> {
  const raw: RawConfig = Object.fromEntries(VARS.filter((v) => env[v] !== undefined).map((v) => [v, env[v]]));
  const config = parseConfig(raw);
  const extensions = await enableExtensions(db);
  const lines: string[] = [];
  const side = await createModelSide({
    llm: config.llm,
    vectorIndex: config.vectorIndex,
    db,
    extensions,
    log: { info: (m) => log.info(m), warn: (m) => (lines.push(m), log.warn(m)) },
  });
  if (!side.retriever) {
    console.log(
      `# with vectors: no vector retriever (${lines.join('; ') || `LUNA_LLM=${config.llm.adapter}, LUNA_VECTOR_INDEX=${config.vectorIndex.adapter}`})`,
    );
    return undefined;
  }
  const { embedder } = side.retriever;
  const target = config.llm.adapter === 'ollama' ? config.llm.url : config.llm.adapter === 'openai' ? config.llm.baseUrl : '-';
  console.log(`# with vectors: embedder ${embedder.adapter}:${embedder.model} at ${target}, store ${side.retriever.store.name}`);
  const started = performance.now();
  const result = await side.embedMissing();
  if (!result) {
    console.log(`# with vectors: embedding step failed (${lines.at(-1) ?? 'see log'})`);
    return undefined;
  }
  console.log(
    `# with vectors: embedded ${result.embedded} chunk(s), ${result.skipped} already embedded, ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
  console.log(
    `BENCH rag.embed_chunks_per_s.${side.retriever.store.name} ${(result.embedded / ((performance.now() - started) / 1000)).toFixed(1)} chunks/s`,
  );
  if (side.store instanceof PgVectorStore) {
    // PGlite has one connection: the build started by the embedding step holds it, so dimsOf waits for the build too.
    const t = performance.now();
    const dims = await side.store.dimsOf(embedder.model);
    if (dims !== undefined) await side.store.buildIndexInBackground(embedder.model, dims);
    console.log(`# with vectors: HNSW index ready (${dims} dimensions) after ${((performance.now() - t) / 1000).toFixed(1)} s`);
  }
  svc.addRetriever(side.retriever);
  svc.addIndexer(side.retriever);
  return `${side.retriever.store.name} + ${embedder.adapter}:${embedder.model}`;
}
