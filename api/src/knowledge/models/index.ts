/** Embedder and chat model for the configured `LUNA_LLM` adapter (none, ollama, openai). */
import type { Config } from '../../config/index.js';
import type { HttpOptions } from './http.js';
import { OllamaChat, OllamaEmbedder } from './ollama.js';
import { OpenAiChat, OpenAiEmbedder } from './openai.js';
import type { ChatModel, Embedder } from './types.js';

export * from './types.js';
export { OllamaChat, OllamaEmbedder, ollamaVersion } from './ollama.js';
export { OpenAiChat, OpenAiEmbedder, openAiModels } from './openai.js';
export { requestJson, type HttpOptions } from './http.js';

export interface Models {
  embedder: Embedder;
  chat: ChatModel;
}

/** Chat calls get a longer timeout than embeddings: a local 8B model may need tens of seconds for an answer. */
export function createModels(config: Config['llm'], http: { embed?: HttpOptions; chat?: HttpOptions } = {}): Models | undefined {
  const embedHttp = { timeoutMs: 30_000, ...http.embed };
  const chatHttp = { timeoutMs: 120_000, retries: 1, ...http.chat };
  if (config.adapter === 'ollama') {
    return {
      embedder: new OllamaEmbedder(config.url, config.embedModel, embedHttp),
      chat: new OllamaChat(config.url, config.chatModel, chatHttp),
    };
  }
  if (config.adapter === 'openai') {
    return {
      embedder: new OpenAiEmbedder(config.baseUrl, config.embedModel, config.apiKey, embedHttp),
      chat: new OpenAiChat(config.baseUrl, config.chatModel, config.apiKey, chatHttp),
    };
  }
  return undefined;
}

/** Splits texts into batches and embeds them one batch after another; `onBatch` reports progress. */
export async function embedInBatches(
  embedder: Embedder,
  texts: readonly string[],
  batchSize = 32,
  onBatch?: (done: number, total: number) => void,
): Promise<number[][]> {
  const out: number[][] = [];
  for (let i = 0; i < texts.length; i += batchSize) {
    out.push(...(await embedder.embed(texts.slice(i, i + batchSize))));
    onBatch?.(Math.min(i + batchSize, texts.length), texts.length);
  }
  return out;
}
