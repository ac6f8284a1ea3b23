/**
 * The knowledge layer's adapters as dependencies: text extractor (built-in or Apache Tika),
 * embedder/LLM (none, Ollama, OpenAI-compatible) and vector index (none, pgvector, Qdrant).
 *
 * NOT YET BUILT: extraction, embedding, retrieval and answering arrive with issue #9. Today
 * these report which adapter is configured and check that its server answers.
 */
import type { Config } from '../config/index.js';
import type { Extensions } from '../store/index.js';
import { httpProbe, type Dependency } from '../ops/dependency.js';
import { checkLlm } from './models/health.js';

const trim = (url: string) => url.replace(/\/+$/, '');

export function createExtractor(config: Config['extractor']): Dependency {
  if (config.adapter === 'tika') {
    return {
      name: 'extractor',
      adapter: 'tika',
      target: config.url,
      note: 'reachability check only; extraction arrives with issue #9',
      check: (t) => httpProbe(`${trim(config.url)}/version`, t),
    };
  }
  return {
    name: 'extractor',
    adapter: 'builtin',
    target: 'this process',
    note: 'built-in extractors arrive with issue #9',
    async check() {
      return { state: 'up', detail: 'built-in' };
    },
  };
}

export function createLlm(config: Config['llm']): Dependency {
  if (config.adapter === 'ollama') {
    return {
      name: 'llm',
      adapter: 'ollama',
      target: `${config.url} (embed ${config.embedModel}, chat ${config.chatModel})`,
      note: 'embeddings for vector retrieval and grounded answers with citations (models/README.md)',
      check: (t) => checkLlm(config, t),
    };
  }
  if (config.adapter === 'openai') {
    return {
      name: 'llm',
      adapter: 'openai',
      target: `${config.baseUrl} (embed ${config.embedModel}, chat ${config.chatModel})`,
      note: 'embeddings for vector retrieval and grounded answers with citations (models/README.md)',
      check: (t) => checkLlm(config, t),
    };
  }
  return {
    name: 'llm',
    adapter: 'none',
    target: '-',
    note: 'lexical retrieval and extractive answers need no model',
    async check() {
      return { state: 'disabled', detail: 'no embedder/LLM configured' };
    },
  };
}

export function createVectorIndex(config: Config['vectorIndex'], extensions: () => Extensions | undefined): Dependency {
  if (config.adapter === 'qdrant') {
    const headers: Record<string, string> = config.apiKey ? { 'api-key': config.apiKey } : {};
    return {
      name: 'vectorIndex',
      adapter: 'qdrant',
      target: config.url,
      note: 'one collection per embedding model; metadata filters other than documents are re-checked after fusion',
      check: (t) => httpProbe(`${trim(config.url)}/readyz`, t, undefined, headers),
    };
  }
  if (config.adapter === 'pgvector') {
    return {
      name: 'vectorIndex',
      adapter: 'pgvector',
      target: 'the database',
      async check() {
        const ext = extensions();
        return ext?.vector
          ? { state: 'up', detail: 'vector extension installed' }
          : { state: 'down', detail: 'the database has no vector extension — install pgvector or set LUNA_VECTOR_INDEX=none' };
      },
    };
  }
  return {
    name: 'vectorIndex',
    adapter: 'none',
    target: '-',
    async check() {
      return { state: 'disabled', detail: 'lexical retrieval only' };
    },
  };
}
