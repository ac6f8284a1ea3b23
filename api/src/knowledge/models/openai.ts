/**
 * OpenAI-compatible adapter (OpenAI, vLLM, llama.cpp server, LocalAI, Ollama's /v1, …):
 * `POST {base}/embeddings`, `POST {base}/chat/completions` (stream false), `GET {base}/models`.
 * The base URL includes the version segment, e.g. https://api.openai.com/v1.
 */
import { asVectors, badResponse, requestJson, trimUrl, type HttpOptions } from './http.js';
import type { ChatMessage, ChatModel, ChatOptions, Embedder } from './types.js';

const LABEL = 'OpenAI-compatible endpoint';

function withKey(http: HttpOptions, apiKey: string | undefined): HttpOptions {
  return apiKey ? { ...http, headers: { ...http.headers, authorization: `Bearer ${apiKey}` } } : http;
}

export class OpenAiEmbedder implements Embedder {
  readonly adapter = 'openai' as const;
  private readonly http: HttpOptions;
  constructor(
    private readonly baseUrl: string,
    readonly model: string,
    apiKey?: string,
    http: HttpOptions = {},
  ) {
    this.http = withKey(http, apiKey);
  }

  async embed(texts: readonly string[]): Promise<number[][]> {
    if (texts.length === 0) return [];
    const res = await requestJson(
      {
        label: LABEL,
        method: 'POST',
        url: `${trimUrl(this.baseUrl)}/embeddings`,
        body: { model: this.model, input: texts, encoding_format: 'float' },
      },
      this.http,
    );
    const data = (res.body as { data?: unknown } | undefined)?.data;
    if (!Array.isArray(data)) throw badResponse(LABEL, '/embeddings', 'no data array');
    // The API returns one item per input with its `index`; order by it rather than trusting the array order.
    const ordered: unknown[] = new Array(texts.length);
    for (const item of data as Array<{ index?: unknown; embedding?: unknown }>) {
      const i = item?.index;
      if (typeof i !== 'number' || !Number.isInteger(i) || i < 0 || i >= texts.length || ordered[i] !== undefined)
        throw badResponse(LABEL, '/embeddings', `item with a missing, repeated or out-of-range index ${String(i)}`);
      ordered[i] = item.embedding;
    }
    return asVectors(data.length === texts.length ? ordered : data, texts.length, LABEL, '/embeddings');
  }
}

export class OpenAiChat implements ChatModel {
  readonly adapter = 'openai' as const;
  private readonly http: HttpOptions;
  constructor(
    private readonly baseUrl: string,
    readonly model: string,
    apiKey?: string,
    http: HttpOptions = {},
  ) {
    this.http = withKey(http, apiKey);
  }

  async chat(messages: readonly ChatMessage[], options: ChatOptions = {}): Promise<string> {
    const res = await requestJson(
      {
        label: LABEL,
        method: 'POST',
        url: `${trimUrl(this.baseUrl)}/chat/completions`,
        body: {
          model: this.model,
          messages,
          stream: false,
          temperature: options.temperature ?? 0,
          ...(options.seed !== undefined ? { seed: options.seed } : {}),
          ...(options.maxTokens !== undefined ? { max_tokens: options.maxTokens } : {}),
        },
      },
      this.http,
    );
    const choices = (res.body as { choices?: unknown } | undefined)?.choices;
    const content = Array.isArray(choices) ? (choices[0] as { message?: { content?: unknown } } | undefined)?.message?.content : undefined;
    if (typeof content !== 'string') throw badResponse(LABEL, '/chat/completions', 'no choices[0].message.content string');
    return content;
  }
}

/** GET {base}/models → ids of the models the endpoint serves; for the readiness check. */
export async function openAiModels(baseUrl: string, apiKey?: string, http: HttpOptions = {}): Promise<string[]> {
  const res = await requestJson(
    { label: LABEL, method: 'GET', url: `${trimUrl(baseUrl)}/models` },
    withKey({ retries: 0, ...http }, apiKey),
  );
  const data = (res.body as { data?: unknown } | undefined)?.data;
  if (!Array.isArray(data)) throw badResponse(LABEL, '/models', 'no data array');
  return data.map((m) => (m as { id?: unknown })?.id).filter((id): id is string => typeof id === 'string');
}
