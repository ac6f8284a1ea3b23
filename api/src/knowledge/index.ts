export { createExtractor, createLlm, createVectorIndex } from './adapters.js';
export { KnowledgeService, DocumentError, type AskRequest, type AskResponse, type Citation, type IngestOutcome } from './service.js';
export { registerKnowledgeRoutes, type PreloadStatus } from './routes.js';
export {
  fuse,
  DOCUMENT_TYPES,
  type AnswerGenerator,
  type ChunkFilters,
  type ChunkIndexer,
  type DocumentType,
  type Passage,
  type RankedChunk,
  type Retriever,
  type StoredChunk,
} from './retrieve.js';
export { createModels, ModelError, type ChatModel, type Embedder } from './models/index.js';
export { createModelSide, VectorRetriever, type ModelSide, type VectorStore } from './vectors/index.js';
export { GroundedGenerator } from './answer/index.js';
