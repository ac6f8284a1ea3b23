/** Vector stores (pgvector, Qdrant) and the vector retriever/indexer of the knowledge layer. */
export type { FilterClause, VectorHit, VectorItem, VectorStore } from './types.js';
export { openPgVector, PgVectorStore, vectorLiteral } from './pgvector.js';
export { QdrantStore, collectionName, pointId } from './qdrant.js';
export { VectorRetriever, contentSha, embedPrefixes, type EmbedProgress } from './retriever.js';
export { createModelSide, listActiveChunks, type ModelSide } from './setup.js';
export { attachForEval } from './eval.js';
