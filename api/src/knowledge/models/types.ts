/**
 * The model side of the knowledge layer behind two small capabilities: an Embedder (texts → vectors)
 * and a ChatModel (messages → text). Adapters: Ollama (`/api/embed`, `/api/chat`) and any
 * OpenAI-compatible endpoint (`/v1/embeddings`, `/v1/chat/completions`), chosen by `Config['llm']`.
 */

export interface Embedder {
  readonly adapter: 'ollama' | 'openai';
  /** Model name as the server knows it, e.g. nomic-embed-text; embeddings are stored per model. */
  readonly model: string;
  /** One vector per text, in input order; all of the same length. */
  embed(texts: readonly string[]): Promise<number[][]>;
}

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface ChatOptions {
  /** 0 for grounded answers (the default here): the same prompt should give the same answer. */
  temperature?: number;
  /** Fixed sampling seed, for servers that honour it (Ollama, OpenAI). */
  seed?: number;
  /** Upper bound of generated tokens. */
  maxTokens?: number;
}

export interface ChatModel {
  readonly adapter: 'ollama' | 'openai';
  readonly model: string;
  chat(messages: readonly ChatMessage[], options?: ChatOptions): Promise<string>;
}

export type ModelErrorKind =
  /** no answer within the timeout */
  | 'timeout'
  /** connection refused/reset, DNS: the server is not there */
  | 'unavailable'
  /** the server answered with an error status (see `status`) */
  | 'http'
  /** the server answered 2xx with a body that is not what its API promises */
  | 'bad-response';

/** A model/vector server call failed; `retryable` says whether trying again later may help. */
export class ModelError extends Error {
  readonly retryable: boolean;
  constructor(
    message: string,
    readonly kind: ModelErrorKind,
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ModelError';
    this.retryable = kind === 'timeout' || kind === 'unavailable' || (kind === 'http' && (status === 429 || (status ?? 0) >= 500));
  }
}
