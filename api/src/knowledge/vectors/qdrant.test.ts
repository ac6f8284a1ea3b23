/** The Qdrant client against a protocol-faithful local Qdrant peer (qdrant-peer.ts) — not a real Qdrant. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashedEmbedding } from '../models/peer.js';
import { collectionName, pointId, QdrantStore } from './qdrant.js';
import { startQdrantPeer, type QdrantPeer } from './qdrant-peer.js';
import { contentSha } from './retriever.js';

const items = [
  ['d1:0', 'd1', 'Netzbetreiber dürfen steuerbare Verbrauchseinrichtungen steuern'],
  ['d1:1', 'd1', 'Netzzugang für jedermann'],
  ['d2:0', 'd2', 'Einspeisevergütung für Solaranlagen'],
  ['d2:1', 'd2', 'Direktvermarktung mit Marktprämie'],
].map(([chunkId, documentId, text]) => ({
  chunkId: chunkId!,
  documentId: documentId!,
  contentSha: contentSha(text!),
  embedding: hashedEmbedding(text!, 32),
}));

describe('Qdrant client against the local peer', () => {
  let peer: QdrantPeer;
  let store: QdrantStore;
  beforeAll(async () => {
    peer = await startQdrantPeer({ apiKey: 'secret' });
    store = new QdrantStore(peer.url, 'secret', { retries: 0 });
  });
  afterAll(() => peer.close());

  it('derives valid UUID point ids and per-model collection names', () => {
    expect(pointId('d1:0')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(pointId('d1:0')).toBe(pointId('d1:0'));
    expect(collectionName('nomic-embed-text')).not.toBe(collectionName('nomic-embed-text:v1.5'));
  });

  it('searching before anything is stored finds nothing (no collection yet)', async () => {
    expect(await store.search('m', hashedEmbedding('x', 32), 3, {})).toEqual([]);
    expect((await store.stored('m')).size).toBe(0);
  });

  it('creates the collection, upserts and finds the nearest chunk first', async () => {
    await store.upsert('m', items);
    const col = peer.collections.get(collectionName('m'))!;
    expect(col).toMatchObject({ size: 32, distance: 'Cosine', indexes: { document_id: 'keyword' } });
    const hits = await store.search('m', hashedEmbedding('Wer darf steuerbare Verbrauchseinrichtungen steuern?', 32), 2, {});
    expect(hits[0]!.chunkId).toBe('d1:0');
    expect(hits[0]!.score).toBeGreaterThan(hits[1]!.score);
    expect(peer.requests.some((r) => r.path.endsWith('/points/query'))).toBe(true);
  });

  it('applies the documentIds filter in Qdrant', async () => {
    const hits = await store.search('m', hashedEmbedding('steuerbare Verbrauchseinrichtungen', 32), 4, { documentIds: ['d2'] });
    expect(hits.map((h) => h.chunkId).sort()).toEqual(['d2:0', 'd2:1']);
  });

  it('lists what is stored (for the resumable embedding step) and removes chunks', async () => {
    const stored = await store.stored('m');
    expect([...stored.keys()].sort()).toEqual(['d1:0', 'd1:1', 'd2:0', 'd2:1']);
    expect(stored.get('d2:1')).toBe(items[3]!.contentSha);
    await store.remove(['d1:1']);
    expect((await store.stored('m')).has('d1:1')).toBe(false);
  });

  it('refuses vectors of another size than the collection with a clear error', async () => {
    const other = new QdrantStore(peer.url, 'secret', { retries: 0 });
    await expect(other.upsert('m', [{ ...items[0]!, embedding: [1, 0, 0] }])).rejects.toThrow(/holds 32-dimensional vectors but m gives 3/);
  });

  it('says what is wrong without the API key', async () => {
    await expect(new QdrantStore(peer.url, undefined, { retries: 0 }).search('m', hashedEmbedding('x', 32), 1, {})).rejects.toThrow(
      /HTTP 401: Must provide an API key/,
    );
  });

  it('falls back to /points/search on a Qdrant older than 1.10', async () => {
    const old = await startQdrantPeer({ legacy: true });
    try {
      const s = new QdrantStore(old.url, undefined, { retries: 0 });
      await s.upsert('m', items);
      const hits = await s.search('m', hashedEmbedding('Direktvermarktung Marktprämie', 32), 1, {});
      expect(hits[0]!.chunkId).toBe('d2:1');
      expect(
        old.requests
          .map((r) => r.path)
          .filter((p) => p.includes('/points/'))
          .slice(-2),
      ).toEqual([`/collections/${collectionName('m')}/points/query`, `/collections/${collectionName('m')}/points/search`]);
    } finally {
      await old.close();
    }
  });
});
