/**
 * POST /rag/ask end to end with an LLM configured: the service on PGlite (real pgvector), the
 * model side pointed at the protocol-faithful local Ollama peer (NOT a real Ollama: hashed
 * bag-of-words embeddings, a "model" that cites the passages sharing most words with the question).
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, startTestApp, type TestApp } from '../../test/app.js';
import { startModelPeer, type ModelPeer } from '../models/peer.js';
import { KNOWLEDGE_DIR } from '../ontology.js';
import { splitSentences } from './citations.js';

const ADMIN_PASSWORD = 'Wissensbasis-Schluessel-7';

describe('POST /rag/ask with Ollama (local peer) and pgvector', () => {
  let t: TestApp;
  let peer: ModelPeer;
  let token = '';
  const ask = (question: string) => call(t.base, 'POST', '/rag/ask', { token, body: { question } });

  beforeAll(async () => {
    peer = await startModelPeer();
    t = await startTestApp({ OLLAMA_URL: peer.ollamaUrl, LUNA_ADMIN_PASSWORD: ADMIN_PASSWORD, LUNA_KNOWLEDGE_PRELOAD: 'off' });
    token = (await call(t.base, 'POST', '/auth/login', { body: { username: 'admin', password: ADMIN_PASSWORD } })).body
      .accessToken as string;
    const law = readFileSync(`${KNOWLEDGE_DIR}regulation/StromNEV-BJNR222500005.md`, 'utf8');
    const r = await call(t.base, 'POST', '/ingest/doc?filename=StromNEV.md', { token, raw: { body: law, contentType: 'text/markdown' } });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    await peer?.close();
  });

  it('reports the LLM as ready and embedded the upload', async () => {
    const ready = await call(t.base, 'GET', '/ready');
    const llm = ready.body.checks.find((c: { name: string }) => c.name === 'llm');
    expect(llm).toMatchObject({ adapter: 'ollama', state: 'up' });
    const vec = ready.body.checks.find((c: { name: string }) => c.name === 'vectorIndex');
    expect(vec).toMatchObject({ adapter: 'pgvector', state: 'up' });
    expect(
      peer.requests.some(
        (r) => r.path === '/api/embed' && String((r.body as { input: string[] }).input[0]).startsWith('search_document: '),
      ),
    ).toBe(true);
  });

  it('answers with the LLM, every sentence citing a listed passage, and the same way twice', async () => {
    const q = 'Was regelt § 19 StromNEV zum individuellen Netzentgelt?';
    const r = await ask(q);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ found: true, mode: 'ollama:llama3.1:8b' });
    expect(r.body.retrievers).toContain('pgvector');
    const n = r.body.citations.length as number;
    expect(n).toBeGreaterThan(0);
    for (const sentence of splitSentences(r.body.answer as string)) {
      const markers = [...sentence.matchAll(/\[(\d+)\]/g)].map((m) => Number(m[1]));
      expect(markers.length, sentence).toBeGreaterThan(0);
      for (const m of markers) expect(m).toBeLessThanOrEqual(n);
    }
    const chat = peer.requests.filter((x) => x.path === '/api/chat');
    expect(chat.at(-1)!.body).toMatchObject({ stream: false, options: { temperature: 0, seed: 7 } });
    const again = await ask(q);
    expect(again.body.answer).toBe(r.body.answer);
    expect(peer.requests.filter((x) => x.path === '/api/chat')).toHaveLength(chat.length); // cached
  });

  it('falls back to the extractive answer when the LLM fails, without caching the fallback', async () => {
    const q = 'Was steht in § 4 StromNEV über die Netzkosten?';
    peer.behaviour.failNext = 1000;
    const failed = await ask(q);
    expect(failed.body).toMatchObject({ found: true, mode: 'extractive' });
    expect(failed.body.citations.length).toBeGreaterThan(0);
    peer.behaviour.failNext = 0;
    const recovered = await ask(q);
    expect(recovered.body.mode).toBe('ollama:llama3.1:8b');
  });
});
