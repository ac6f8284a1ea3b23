/**
 * The Ollama and OpenAI-compatible clients against a protocol-faithful local peer (peer.ts) —
 * not a real Ollama/OpenAI server: the wire format is the real one, the "model" is a hashed bag of words.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createServer } from 'node:net';
import {
  createModels,
  embedInBatches,
  ModelError,
  OllamaChat,
  OllamaEmbedder,
  ollamaVersion,
  OpenAiChat,
  OpenAiEmbedder,
  openAiModels,
} from './index.js';
import { hashedEmbedding, startModelPeer, type ModelPeer } from './peer.js';

let peer: ModelPeer;
const fast = { timeoutMs: 2_000, retries: 2, backoffMs: 5 };

beforeAll(async () => {
  peer = await startModelPeer({ dims: 64 });
});
afterAll(() => peer.close());
beforeEach(() => {
  Object.assign(peer.behaviour, { failNext: 0, delayMs: 0, malformed: false, legacyOllama: false, chatReply: undefined });
  peer.requests.length = 0;
});

async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise((r) => srv.close(r));
  return port;
}

const clients = () => [
  {
    name: 'ollama',
    embedder: new OllamaEmbedder(peer.ollamaUrl, 'nomic-embed-text', fast),
    chat: new OllamaChat(peer.ollamaUrl, 'llama3.1:8b', fast),
  },
  {
    name: 'openai',
    embedder: new OpenAiEmbedder(peer.openAiUrl, 'text-embedding-3-small', 'sk-test', fast),
    chat: new OpenAiChat(peer.openAiUrl, 'gpt-4o-mini', 'sk-test', fast),
  },
];

describe.each(['ollama', 'openai'])('%s client against the local peer', (name) => {
  const pick = () => clients().find((c) => c.name === name)!;

  it('embeds a batch in input order', async () => {
    const texts = ['Leistungspreis je kW', 'steuerbare Verbrauchseinrichtung nach § 14a EnWG', 'Lastgang'];
    const vectors = await pick().embedder.embed(texts);
    expect(vectors).toHaveLength(3);
    texts.forEach((t, i) => expect(vectors[i]).toEqual(hashedEmbedding(t, 64)));
    expect(peer.requests).toHaveLength(1);
  });

  it('sends temperature 0 and the seed, and returns the message text', async () => {
    const answer = await pick().chat.chat(
      [
        { role: 'system', content: 'answer from the passages' },
        { role: 'user', content: '[1] Netzbetreiber dürfen steuern.\nQuestion: Wer darf steuern?' },
      ],
      { seed: 42, maxTokens: 100 },
    );
    expect(answer).toContain('[1]');
    const body = peer.requests[0]!.body as Record<string, unknown>;
    if (name === 'ollama') {
      expect(body).toMatchObject({ stream: false, options: { temperature: 0, seed: 42, num_predict: 100 } });
    } else {
      expect(body).toMatchObject({ stream: false, temperature: 0, seed: 42, max_tokens: 100 });
      expect(peer.requests[0]!.headers.authorization).toBe('Bearer sk-test');
    }
  });

  it('retries a 500 and then succeeds', async () => {
    peer.behaviour.failNext = 2;
    expect(await pick().embedder.embed(['a text'])).toHaveLength(1);
    expect(peer.requests).toHaveLength(3);
  });

  it('gives up after the retries with a retryable HTTP error naming the server message', async () => {
    peer.behaviour.failNext = 10;
    const err = await pick()
      .chat.chat([{ role: 'user', content: 'x' }])
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelError);
    expect(err).toMatchObject({ kind: 'http', status: 500, retryable: true });
    expect((err as Error).message).toMatch(name === 'ollama' ? /llama runner process has terminated/ : /server had an error/);
    expect(peer.requests).toHaveLength(3);
  });

  it('times out a slow answer without retrying', async () => {
    peer.behaviour.delayMs = 400;
    const slow =
      name === 'ollama'
        ? new OllamaEmbedder(peer.ollamaUrl, 'nomic-embed-text', { ...fast, timeoutMs: 100 })
        : new OpenAiEmbedder(peer.openAiUrl, 'text-embedding-3-small', undefined, { ...fast, timeoutMs: 100 });
    const err = await slow.embed(['x']).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'ModelError', kind: 'timeout', retryable: true });
    expect((err as Error).message).toMatch(/no answer within 100 ms/);
    expect(peer.requests).toHaveLength(1);
  });

  it('rejects a body that is not JSON as a bad response', async () => {
    peer.behaviour.malformed = true;
    const err = await pick()
      .embedder.embed(['x'])
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'bad-response', retryable: false });
    expect((err as Error).message).toMatch(/not JSON/);
  });

  it('reports a model the server does not have, without retrying', async () => {
    const missing =
      name === 'ollama'
        ? new OllamaEmbedder(peer.ollamaUrl, 'no-such-model', fast)
        : new OpenAiEmbedder(peer.openAiUrl, 'no-such-model', undefined, fast);
    const err = await missing.embed(['x']).catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'http', status: 404, retryable: false });
    expect((err as Error).message).toMatch(/no-such-model/);
    expect(peer.requests).toHaveLength(1);
  });
});

describe('Ollama specifics', () => {
  it('falls back to the legacy /api/embeddings on an Ollama without /api/embed', async () => {
    peer.behaviour.legacyOllama = true;
    const e = new OllamaEmbedder(peer.ollamaUrl, 'nomic-embed-text', fast);
    const vectors = await e.embed(['eins', 'zwei']);
    expect(vectors).toEqual([hashedEmbedding('eins', 64), hashedEmbedding('zwei', 64)]);
    expect(peer.requests.map((r) => r.path)).toEqual(['/api/embed', '/api/embeddings', '/api/embeddings']);
  });

  it('reads the version and the OpenAI model list', async () => {
    expect(await ollamaVersion(peer.ollamaUrl)).toBe('0.5.7');
    expect(await openAiModels(peer.openAiUrl)).toContain('gpt-4o-mini');
  });

  it('says "unavailable" when nothing listens', async () => {
    const port = await closedPort();
    const err = await new OllamaEmbedder(`http://127.0.0.1:${port}`, 'm', { ...fast, retries: 1 }).embed(['x']).catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'unavailable', retryable: true });
    expect((err as Error).message).toMatch(/ECONNREFUSED/);
  });
});

describe('createModels and batching', () => {
  it('builds nothing for LUNA_LLM=none and the right adapter otherwise', () => {
    expect(createModels({ adapter: 'none' })).toBeUndefined();
    const m = createModels({ adapter: 'openai', baseUrl: peer.openAiUrl, embedModel: 'e', chatModel: 'c' });
    expect(m?.embedder).toBeInstanceOf(OpenAiEmbedder);
    expect(m?.chat.model).toBe('c');
  });

  it('embeds in batches and reports progress', async () => {
    const progress: number[] = [];
    const texts = Array.from({ length: 7 }, (_, i) => `text ${i}`);
    const out = await embedInBatches(new OllamaEmbedder(peer.ollamaUrl, 'nomic-embed-text', fast), texts, 3, (done) => progress.push(done));
    expect(out).toHaveLength(7);
    expect(progress).toEqual([3, 6, 7]);
    expect(peer.requests.filter((r) => r.path === '/api/embed')).toHaveLength(3);
  });
});

describe('readiness check', () => {
  it('is up when the server has the models, down with the pull command when one is missing', async () => {
    const { checkLlm } = await import('./health.js');
    const ok = await checkLlm({ adapter: 'ollama', url: peer.ollamaUrl, embedModel: 'nomic-embed-text', chatModel: 'llama3.1:8b' }, 1000);
    expect(ok).toEqual({ state: 'up', detail: 'Ollama 0.5.7, nomic-embed-text and llama3.1:8b present' });
    const missing = await checkLlm(
      { adapter: 'ollama', url: peer.ollamaUrl, embedModel: 'nomic-embed-text', chatModel: 'qwen2.5:7b' },
      1000,
    );
    expect(missing).toMatchObject({ state: 'down', detail: expect.stringMatching(/ollama pull qwen2.5:7b/) });
    const openai = await checkLlm(
      { adapter: 'openai', baseUrl: peer.openAiUrl, embedModel: 'text-embedding-3-small', chatModel: 'other' },
      1000,
    );
    expect(openai).toMatchObject({ state: 'up', detail: expect.stringMatching(/not other/) });
    const port = await closedPort();
    expect(
      (await checkLlm({ adapter: 'openai', baseUrl: `http://127.0.0.1:${port}/v1`, embedModel: 'e', chatModel: 'c' }, 500)).state,
    ).toBe('down');
  });
});
