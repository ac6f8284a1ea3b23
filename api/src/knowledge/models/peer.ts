/**
 * A PROTOCOL-FAITHFUL LOCAL PEER for tests and the "with vectors" evaluation — NOT a real model.
 *
 * One small HTTP server that speaks the exact request/response JSON of Ollama (`/api/version`,
 * `/api/embed`, legacy `/api/embeddings`, `/api/chat` with `stream:false`) and of the
 * OpenAI-compatible API (`/v1/models`, `/v1/embeddings`, `/v1/chat/completions`), including their
 * error bodies. Its "model" is deterministic so tests can check ranking:
 * - embeddings: a hashed bag of words (+ character 4-grams), L2-normalised — lexical overlap, no
 *   semantics; figures measured with it say nothing about a real embedder's quality;
 * - chat: reads the numbered passages `[n] …` and the question from the prompt and answers with
 *   the first sentence of the passages that share the most words with the question, each cited.
 * `behaviour` lets a test inject failures (HTTP 500s, delays, malformed JSON, an old Ollama).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface PeerBehaviour {
  /** answer the next n model requests with HTTP 500 */
  failNext: number;
  /** delay every model answer by this many ms */
  delayMs: number;
  /** answer model requests with a 200 whose body is not JSON */
  malformed: boolean;
  /** behave like Ollama < 0.3: no /api/embed ("404 page not found") */
  legacyOllama: boolean;
  /** replace the chat answer (gets the last user message) */
  chatReply: ((prompt: string) => string) | undefined;
  /** model names the peer serves; others get the server's "model not found" error */
  models: string[];
}

export interface ModelPeer {
  url: string;
  /** Ollama base URL (same as url) and OpenAI-compatible base URL (url + /v1) */
  ollamaUrl: string;
  openAiUrl: string;
  behaviour: PeerBehaviour;
  /** every request received: path and parsed JSON body */
  requests: Array<{ method: string; path: string; body: unknown; headers: IncomingMessage['headers'] }>;
  close(): Promise<void>;
}

/** Lower-case word tokens of at least two letters/digits (keeps "14a", "§" dropped). */
export function peerTokens(text: string): string[] {
  return (text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).filter((t) => t.length >= 2);
}

function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** The peer's deterministic "embedding": hashed bag of words and character 4-grams, L2-normalised. */
export function hashedEmbedding(text: string, dims = 384): number[] {
  const v = new Array<number>(dims).fill(0);
  const add = (feature: string, weight: number) => {
    const h = fnv1a(feature);
    v[h % dims]! += (h & 0x80000000 ? -1 : 1) * weight;
  };
  for (const t of peerTokens(text)) {
    add(`w:${t}`, 1);
    if (t.length >= 5) for (let i = 0; i + 4 <= t.length; i++) add(`g:${t.slice(i, i + 4)}`, 0.25);
  }
  const norm = Math.sqrt(v.reduce((s, x) => s + x * x, 0));
  return norm === 0 ? v : v.map((x) => x / norm);
}

/** The peer's deterministic "LLM": cite the passages sharing the most words with the question. */
export function peerAnswer(prompt: string): string {
  const passages = [...prompt.matchAll(/^\[(\d+)\]\s*(.*)$/gm)].map((m) => ({ n: Number(m[1]), text: m[2]! }));
  const question = /^(?:Question|Frage):\s*(.*)$/m.exec(prompt)?.[1] ?? '';
  const q = new Set(peerTokens(question).filter((t) => t.length >= 4));
  const scored = passages
    .map((p) => ({ ...p, overlap: new Set(peerTokens(p.text).filter((t) => q.has(t))).size }))
    .filter((p) => p.overlap > 0)
    .sort((a, b) => b.overlap - a.overlap || a.n - b.n)
    .slice(0, 2);
  if (scored.length === 0) return 'NOT_FOUND';
  return scored
    .map((p) => {
      const first = (/^.*?[.!?](?=\s|$)/.exec(p.text.replace(/^.*?\|\s*/, ''))?.[0] ?? p.text).trim();
      return `${first.replace(/[.!?]$/, '')} [${p.n}].`;
    })
    .join(' ');
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'content-type': typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/json; charset=utf-8' });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const parts: Buffer[] = [];
  for await (const p of req) parts.push(p as Buffer);
  return Buffer.concat(parts).toString('utf8');
}

export async function startModelPeer(options: { dims?: number; models?: string[]; port?: number } = {}): Promise<ModelPeer> {
  const dims = options.dims ?? 384;
  const behaviour: PeerBehaviour = {
    failNext: 0,
    delayMs: 0,
    malformed: false,
    legacyOllama: false,
    chatReply: undefined,
    models: options.models ?? [
      'nomic-embed-text',
      'llama3.1:8b',
      'text-embedding-3-small',
      'gpt-4o-mini',
      'hashed-bow-peer',
      'cite-overlap-peer',
    ],
  };
  const requests: ModelPeer['requests'] = [];
  const known = (model: unknown) => typeof model === 'string' && behaviour.models.some((m) => m === model || `${m}:latest` === model);

  const server: Server = createServer((req, res) => {
    void (async () => {
      const path = new URL(req.url ?? '/', 'http://peer').pathname;
      const raw = await readBody(req);
      let body: Record<string, unknown> = {};
      try {
        body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
      } catch {
        // Both servers answer 400 to a body that is not JSON.
        return path.startsWith('/v1/')
          ? send(res, 400, {
              error: {
                message: 'We could not parse the JSON body of your request.',
                type: 'invalid_request_error',
                param: null,
                code: null,
              },
            })
          : send(res, 400, { error: 'invalid character in JSON body' });
      }
      requests.push({ method: req.method ?? 'GET', path, body, headers: req.headers });
      if (behaviour.delayMs > 0) await new Promise((r) => setTimeout(r, behaviour.delayMs));
      if (path !== '/api/version' && path !== '/api/tags' && path !== '/v1/models') {
        if (behaviour.failNext > 0) {
          behaviour.failNext--;
          return path.startsWith('/v1/')
            ? send(res, 500, {
                error: { message: 'The server had an error while processing your request.', type: 'server_error', param: null, code: null },
              })
            : send(res, 500, { error: 'llama runner process has terminated' });
        }
        if (behaviour.malformed) {
          res.writeHead(200, { 'content-type': 'application/json' });
          return res.end('{"embeddings": [[0.1, 0.2');
        }
      }
      const now = new Date().toISOString();
      switch (`${req.method} ${path}`) {
        case 'GET /api/version':
          return send(res, 200, { version: '0.5.7' });
        case 'GET /api/tags':
          return send(res, 200, {
            models: behaviour.models.map((m) => ({
              name: m.includes(':') ? m : `${m}:latest`,
              model: m.includes(':') ? m : `${m}:latest`,
              modified_at: '2026-11-01T10:00:00Z',
              size: 274302450,
              digest: '0a109f422b47e3a30ba2b10eca18548e944e8a23073ee3f3e947efcf3c45e59f',
              details: { format: 'gguf', family: 'peer', parameter_size: '137M', quantization_level: 'F16' },
            })),
          });
        case 'POST /api/embed': {
          if (behaviour.legacyOllama) return send(res, 404, '404 page not found');
          if (!known(body.model)) return send(res, 404, { error: `model "${String(body.model)}" not found, try pulling it first` });
          const input = typeof body.input === 'string' ? [body.input] : Array.isArray(body.input) ? (body.input as unknown[]) : null;
          if (!input || !input.every((t) => typeof t === 'string')) return send(res, 400, { error: 'invalid input type' });
          return send(res, 200, {
            model: body.model,
            embeddings: input.map((t) => hashedEmbedding(t as string, dims)),
            total_duration: 14143917,
            load_duration: 1019500,
            prompt_eval_count: input.reduce((n, t) => n + peerTokens(t as string).length, 0),
          });
        }
        case 'POST /api/embeddings': {
          if (!known(body.model)) return send(res, 404, { error: `model "${String(body.model)}" not found, try pulling it first` });
          return send(res, 200, { embedding: hashedEmbedding(String(body.prompt ?? ''), dims) });
        }
        case 'POST /api/chat': {
          if (!known(body.model)) return send(res, 404, { error: `model "${String(body.model)}" not found, try pulling it first` });
          if (body.stream !== false) return send(res, 400, { error: 'this peer implements only stream:false' });
          const content = (behaviour.chatReply ?? peerAnswer)(lastUser(body.messages));
          return send(res, 200, {
            model: body.model,
            created_at: now,
            message: { role: 'assistant', content },
            done_reason: 'stop',
            done: true,
            total_duration: 4883583458,
            load_duration: 1334875,
            prompt_eval_count: 26,
            prompt_eval_duration: 342546000,
            eval_count: 282,
            eval_duration: 4535599000,
          });
        }
        case 'GET /v1/models':
          return send(res, 200, {
            object: 'list',
            data: behaviour.models.map((id) => ({ id, object: 'model', created: 1686935002, owned_by: 'peer' })),
          });
        case 'POST /v1/embeddings': {
          if (!known(body.model))
            return send(res, 404, {
              error: {
                message: `The model \`${String(body.model)}\` does not exist`,
                type: 'invalid_request_error',
                param: null,
                code: 'model_not_found',
              },
            });
          const input = typeof body.input === 'string' ? [body.input] : (body.input as unknown[]);
          return send(res, 200, {
            object: 'list',
            data: input.map((t, index) => ({ object: 'embedding', index, embedding: hashedEmbedding(String(t), dims) })),
            model: body.model,
            usage: { prompt_tokens: 8, total_tokens: 8 },
          });
        }
        case 'POST /v1/chat/completions': {
          if (!known(body.model))
            return send(res, 404, {
              error: {
                message: `The model \`${String(body.model)}\` does not exist`,
                type: 'invalid_request_error',
                param: null,
                code: 'model_not_found',
              },
            });
          const content = (behaviour.chatReply ?? peerAnswer)(lastUser(body.messages));
          return send(res, 200, {
            id: 'chatcmpl-peer',
            object: 'chat.completion',
            created: Math.floor(Date.now() / 1000),
            model: body.model,
            choices: [{ index: 0, message: { role: 'assistant', content }, logprobs: null, finish_reason: 'stop' }],
            usage: { prompt_tokens: 9, completion_tokens: 12, total_tokens: 21 },
          });
        }
        default:
          return send(res, 404, '404 page not found');
      }
    })().catch((err: unknown) => send(res, 500, { error: (err as Error).message }));
  });
  await new Promise<void>((r) => server.listen(options.port ?? 0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    ollamaUrl: url,
    openAiUrl: `${url}/v1`,
    behaviour,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function lastUser(messages: unknown): string {
  if (!Array.isArray(messages)) return '';
  const users = messages.filter((m) => (m as { role?: unknown })?.role === 'user');
  return String((users.at(-1) as { content?: unknown } | undefined)?.content ?? '');
}
