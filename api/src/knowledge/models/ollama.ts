/**
 * Ollama adapter: `POST /api/embed` (batch, Ollama ≥ 0.3) with a fallback to the legacy
 * `POST /api/embeddings` (one prompt per call) when the server does not know /api/embed, and
 * `POST /api/chat` with `stream: false`. Wire format: https://github.com/ollama/ollama/blob/main/docs/api.md
 */
import { asVectors, badResponse, requestJson, trimUrl, type HttpOptions } from './http.js';
import { ModelError, type ChatMessage, type ChatModel, type ChatOptions, type Embedder } from './types.js';

const LABEL = 'Ollama';

export class OllamaEmbedder implements Embedder {
  readonly adapter = 'ollama' as const;
  /** Set once /api/embed answered 404 without naming the model: the server is older than 0.3. */
  private legacy = false;
  constructor(
    private readonly url: string,
    readonly model: string,
    private readonly http: HttpOptions = {},
  ) {}

  async embed(texts: readonly string[]): Promise<number[][]> {
    if (texts.length === 0) return [];
    if (!this.legacy) {
      const res = await requestJson(
        { label: LABEL, method: 'POST', url: `${trimUrl(this.url)}/api/embed`, body: { model: this.model, input: texts, truncate: true } },
        this.http,
        [404],
      );
      if (res.status !== 404) return asVectors((res.body as { embeddings?: unknown })?.embeddings, texts.length, LABEL, '/api/embed');
      const error = (res.body as { error?: unknown } | undefined)?.error;
      // Ollama says 404 {"error":"model \"x\" not found, try pulling it first"} for a missing model;
      // an Ollama without /api/embed answers a plain "404 page not found".
      if (typeof error === 'string') throw new ModelError(`${LABEL} POST /api/embed: HTTP 404: ${error}`, 'http', 404);
      this.legacy = true;
    }
    const out: number[][] = [];
    for (const text of texts) {
      const res = await requestJson(
        { label: LABEL, method: 'POST', url: `${trimUrl(this.url)}/api/embeddings`, body: { model: this.model, prompt: text } },
        this.http,
      );
      out.push(asVectors([(res.body as { embedding?: unknown })?.embedding], 1, LABEL, '/api/embeddings')[0]!);
    }
    if (out.some((v) => v.length !== out[0]!.length)) throw badResponse(LABEL, '/api/embeddings', 'embeddings of different lengths');
    return out;
  }
}

export class OllamaChat implements ChatModel {
  readonly adapter = 'ollama' as const;
  constructor(
    private readonly url: string,
    readonly model: string,
    private readonly http: HttpOptions = {},
  ) {}

  async chat(messages: readonly ChatMessage[], options: ChatOptions = {}): Promise<string> {
    const res = await requestJson(
      {
        label: LABEL,
        method: 'POST',
        url: `${trimUrl(this.url)}/api/chat`,
        body: {
          model: this.model,
          messages,
          stream: false,
          options: {
            temperature: options.temperature ?? 0,
            ...(options.seed !== undefined ? { seed: options.seed } : {}),
            ...(options.maxTokens !== undefined ? { num_predict: options.maxTokens } : {}),
          },
        },
      },
      this.http,
    );
    const content = (res.body as { message?: { content?: unknown } } | undefined)?.message?.content;
    if (typeof content !== 'string') throw badResponse(LABEL, '/api/chat', 'no message.content string');
    return content;
  }
}

/** GET /api/version → {"version":"0.x.y"}; for the readiness check. */
export async function ollamaVersion(url: string, http: HttpOptions = {}): Promise<string> {
  const res = await requestJson({ label: LABEL, method: 'GET', url: `${trimUrl(url)}/api/version` }, { retries: 0, ...http });
  const version = (res.body as { version?: unknown } | undefined)?.version;
  if (typeof version !== 'string') throw badResponse(LABEL, '/api/version', 'no version string');
  return version;
}
