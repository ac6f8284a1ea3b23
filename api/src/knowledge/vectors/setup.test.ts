/**
 * The assembled model side on PGlite with the real pgvector extension and the knowledge store's
 * own insertDocument: chunks indexed after an ingest are not embedded again by the embedding
 * step; filters from the lexical core apply in SQL. Models: the protocol-faithful local peer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enableExtensions, migrate, openPglite, type Database } from '../../store/index.js';
import { tempDir } from '../../test/services.js';
import { startModelPeer, type ModelPeer } from '../models/peer.js';
import { insertDocument, type DocumentMeta, type PreparedChunk } from '../store.js';
import type { PgVectorStore } from './pgvector.js';
import { createModelSide, type ModelSide } from './setup.js';

const meta = (docKey: string, type: DocumentMeta['type']): DocumentMeta => ({
  docKey,
  title: docKey,
  type,
  tags: [],
  filename: `${docKey}.md`,
  mimeType: 'text/markdown',
  sizeBytes: 10,
  language: 'german',
  pages: 1,
  builtin: false,
});
const chunk = (ordinal: number, section: string, text: string): PreparedChunk => ({
  ordinal,
  section,
  sectionTitle: section,
  headingPath: [section],
  text,
  terms: [],
  head: section,
  labels: '',
  docName: 'doc',
});

describe('model side assembled from the configuration (PGlite + pgvector + local peer)', () => {
  let db: Database;
  let peer: ModelPeer;
  let side: ModelSide;
  const logs: string[] = [];
  const dir = tempDir('luna-modelside-');

  beforeAll(async () => {
    peer = await startModelPeer({ dims: 96 });
    db = await openPglite(dir.dir);
    const extensions = await enableExtensions(db);
    await migrate(db);
    side = await createModelSide({
      llm: { adapter: 'ollama', url: peer.ollamaUrl, embedModel: 'nomic-embed-text', chatModel: 'llama3.1:8b' },
      vectorIndex: { adapter: 'pgvector' },
      db,
      extensions,
      log: { info: (m) => logs.push(m), warn: (m) => logs.push(m) },
    });
  }, 60_000);
  afterAll(async () => {
    await db?.close();
    await peer?.close();
    dir.remove();
  });

  it('creates retriever and generator for LUNA_LLM=ollama + pgvector', () => {
    expect(side.retriever?.name).toBe('pgvector');
    expect(side.generator?.name).toBe('ollama:llama3.1:8b');
  });

  it('indexes after ingest, and the embedding step then finds nothing missing', async () => {
    const reg = await insertDocument(db, 'a'.repeat(64), meta('regulation-1', 'regulation'), [
      chunk(0, '§ 1', 'Wärmepumpen und Wallboxen sind steuerbare Verbrauchseinrichtungen.'),
      chunk(1, '§ 2', 'Das Netzentgelt wird reduziert.'),
    ]);
    await side.retriever!.add(reg.chunks);
    const note = await insertDocument(db, 'b'.repeat(64), meta('note-1', 'note'), [
      chunk(0, 'Notiz', 'Unsere Wallbox in Halle 3 ist steuerbar.'),
    ]);
    const result = await side.embedMissing();
    expect(result).toEqual({ embedded: 1, total: 1, skipped: 2 });
    // the step started the HNSW build in the background; the same call returns the running build
    await (side.store as PgVectorStore).buildIndexInBackground('nomic-embed-text', 96);
    expect(logs.filter((l) => /HNSW/.test(l))).toEqual([
      expect.stringMatching(/building HNSW index/),
      expect.stringMatching(/HNSW index .* ready/),
    ]);
    expect((await side.embedMissing())?.skipped).toBe(3);

    const all = await side.retriever!.search('steuerbare Wallbox', 5, {});
    expect(all.map((h) => h.chunkId)).toContain(note.chunks[0]!.id);
    const onlyRegulation = await side.retriever!.search('steuerbare Wallbox', 5, { type: 'regulation' });
    expect(onlyRegulation.length).toBeGreaterThan(0);
    expect(onlyRegulation.map((h) => h.chunkId)).not.toContain(note.chunks[0]!.id);
  });

  it('a failing embedder stops the step with a log line instead of an exception', async () => {
    await insertDocument(db, 'c'.repeat(64), meta('note-2', 'note'), [chunk(0, 'Neu', 'Ein neuer Abschnitt.')]);
    peer.behaviour.failNext = 100;
    expect(await side.embedMissing()).toBeUndefined();
    expect(logs.at(-1)).toMatch(/embedding step stopped: Ollama POST \/api\/embed: HTTP 500/);
    peer.behaviour.failNext = 0;
    expect(await side.embedMissing()).toMatchObject({ embedded: 1, skipped: 3 });
  });

  it('a failing vector search logs and returns no hits, so the question is answered from full-text search', async () => {
    peer.behaviour.failNext = 100;
    expect(await side.retriever!.search('eine ganz neue Frage', 5, {})).toEqual([]);
    expect(logs.at(-1)).toMatch(/vector search failed, answering from full-text search only: Ollama POST \/api\/embed: HTTP 500/);
    peer.behaviour.failNext = 0;
    expect((await side.retriever!.search('eine ganz neue Frage', 5, {})).length).toBeGreaterThan(0);
  });

  it('builds nothing with LUNA_LLM=none', async () => {
    const none = await createModelSide({
      llm: { adapter: 'none' },
      vectorIndex: { adapter: 'none' },
      db,
      extensions: { vector: true },
      log: { info: () => undefined, warn: () => undefined },
    });
    expect(none).toMatchObject({ models: undefined, retriever: undefined, generator: undefined });
    expect(await none.embedMissing()).toBeUndefined();
  });
});
