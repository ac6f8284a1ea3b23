/**
 * pgvector on PGlite with the real extension (@electric-sql/pglite-pgvector), the migration, the
 * resumable embedding step and the background HNSW index; embeddings come from the
 * protocol-faithful local Ollama peer (hashed bag of words, not a real model). On the test
 * PostgreSQL (Debian, no pgvector) the table is not created and the store reports itself off.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enableExtensions, migrate, openPglite, openPostgres, type Database } from '../../store/index.js';
import { freshPostgresDatabase, services, tempDir } from '../../test/services.js';
import { OllamaEmbedder } from '../models/ollama.js';
import { startModelPeer, type ModelPeer } from '../models/peer.js';
import type { StoredChunk } from '../retrieve.js';
import { openPgVector, PgVectorStore } from './pgvector.js';
import { VectorRetriever } from './retriever.js';

const DOC_A = '00000000-0000-4000-8000-00000000000a';
const DOC_B = '00000000-0000-4000-8000-00000000000b';
const TEXTS: Array<[string, string, string]> = [
  [DOC_A, '§ 14a', 'Netzbetreiber dürfen steuerbare Verbrauchseinrichtungen wie Wärmepumpen und Wallboxen netzorientiert steuern.'],
  [DOC_A, '§ 20', 'Betreiber von Energieversorgungsnetzen haben jedermann Netzzugang zu gewähren.'],
  [DOC_A, '§ 40', 'Rechnungen für Energielieferungen an Letztverbraucher müssen einfach und verständlich sein.'],
  [DOC_B, '§ 21', 'Die Einspeisevergütung für Strom aus Solaranlagen wird für zwanzig Jahre gezahlt.'],
  [DOC_B, '§ 20', 'Direktvermarktung: Anlagenbetreiber verkaufen den Strom an der Börse und erhalten eine Marktprämie.'],
  [DOC_B, '§ 9', 'Anlagen mit mehr als 25 Kilowatt müssen mit technischen Einrichtungen zur Fernsteuerung ausgestattet sein.'],
];

async function seed(db: Database): Promise<StoredChunk[]> {
  for (const [id, law] of [
    [DOC_A, 'EnWG'],
    [DOC_B, 'EEG 2023'],
  ] as const) {
    await db.query(
      `insert into knowledge_documents (id, doc_key, version, checksum, title, law, doc_type, filename, mime_type, size_bytes, language, pages, chunk_count)
       values ($1, $2, 1, $3, $2, $2, 'regulation', 'x.xml', 'application/xml', 1, 'german', 1, 3)`,
      [id, law, id.replace(/-/g, '').padEnd(64, '0')],
    );
  }
  const chunks: StoredChunk[] = [];
  for (const [i, [doc, section, text]] of TEXTS.entries()) {
    const id = `${doc}:${i}`;
    await db.query(
      `insert into knowledge_chunks (id, document_id, ordinal, section, section_title, heading_path, text, tsv)
       values ($1, $2, $3, $4, $4, array[$4], $5, to_tsvector('german', $5))`,
      [id, doc, i, section, text],
    );
    chunks.push({ id, documentId: doc, text: `${section} ${text}` });
  }
  return chunks;
}

describe('pgvector store on PGlite (real vector extension)', () => {
  let db: Database;
  let peer: ModelPeer;
  let chunks: StoredChunk[];
  let store: PgVectorStore;
  let retriever: VectorRetriever;
  const logs: string[] = [];
  const log = { info: (m: string) => logs.push(m), warn: (m: string) => logs.push(m) };
  const dir = tempDir('luna-pgvector-');

  beforeAll(async () => {
    peer = await startModelPeer({ dims: 128 });
    db = await openPglite(dir.dir);
    const ext = await enableExtensions(db);
    expect(ext.vector).toBe(true);
    await migrate(db);
    chunks = await seed(db);
    store = (await openPgVector(db, ext, log))!;
    retriever = new VectorRetriever(new OllamaEmbedder(peer.ollamaUrl, 'nomic-embed-text', { retries: 0, timeoutMs: 5_000 }), store, {
      batchSize: 2,
    });
  }, 60_000);
  afterAll(async () => {
    await db?.close();
    await peer?.close();
    dir.remove();
  });

  it('the migration created chunk_embeddings because the extension is there', async () => {
    const { rows } = await db.query<{ t: string | null }>(`select to_regclass('chunk_embeddings')::text as t`);
    expect(rows[0]!.t).toBe('chunk_embeddings');
  });

  it('embeds only what is missing and resumes after a failure', async () => {
    peer.requests.length = 0;
    peer.behaviour.failNext = 0;
    // Fail the second batch: the first stays stored.
    const failing = new VectorRetriever(
      {
        adapter: 'ollama',
        model: 'nomic-embed-text',
        embed: async (texts) => {
          if (peer.requests.length >= 1) throw new Error('embedder went away');
          return retriever.embedder.embed(texts);
        },
      },
      store,
      { batchSize: 2 },
    );
    await expect(failing.embedMissing(chunks)).rejects.toThrow(/went away/);
    expect((await store.stored('nomic-embed-text')).size).toBe(2);

    const progress: number[] = [];
    const result = await retriever.embedMissing(chunks, (p) => progress.push(p.embedded));
    expect(result).toEqual({ embedded: 4, total: 4, skipped: 2 });
    expect(progress).toEqual([0, 2, 4]);
    // The document text carries nomic's task prefix.
    expect((peer.requests.at(-1)!.body as { input: string[] }).input[0]).toMatch(/^search_document: /);

    const again = await retriever.embedMissing(chunks);
    expect(again).toEqual({ embedded: 0, total: 0, skipped: 6 });
  });

  it('ranks the chunk that shares the question words first, and filters by document', async () => {
    const hits = await retriever.search('Wer darf steuerbare Verbrauchseinrichtungen steuern?', 3, {});
    expect(hits[0]!.chunkId).toBe(`${DOC_A}:0`);
    expect(hits[0]!.score).toBeGreaterThan(hits[1]!.score);
    const onlyB = await retriever.search('Wer darf steuerbare Verbrauchseinrichtungen steuern?', 3, { documentIds: [DOC_B] });
    expect(onlyB.every((h) => h.chunkId.startsWith(DOC_B))).toBe(true);
  });

  it('skips chunks of superseded documents and drops vectors of removed/deleted chunks', async () => {
    await db.query('update knowledge_chunks set active = false where id = $1', [`${DOC_B}:3`]);
    const hits = await retriever.search('Einspeisevergütung Solaranlagen zwanzig Jahre', 6, {});
    expect(hits.map((h) => h.chunkId)).not.toContain(`${DOC_B}:3`);
    await db.query('update knowledge_chunks set active = true where id = $1', [`${DOC_B}:3`]);

    await retriever.remove([`${DOC_B}:5`]);
    expect((await store.stored('nomic-embed-text')).has(`${DOC_B}:5`)).toBe(false);
    await db.query('delete from knowledge_chunks where id = $1', [`${DOC_B}:4`]);
    expect((await store.stored('nomic-embed-text')).has(`${DOC_B}:4`)).toBe(false);
  });

  it('builds the HNSW index in the background and the planner can use it', async () => {
    const before = await retriever.search('Netzzugang gewähren', 3, {});
    await store.buildIndexInBackground('nomic-embed-text', 128);
    expect(logs.some((l) => /HNSW index .* ready/.test(l))).toBe(true);
    const { rows } = await db.query<{ indexname: string }>(
      `select indexname from pg_indexes where indexname like 'chunk_embeddings_hnsw_%'`,
    );
    expect(rows).toHaveLength(1);
    await db.exec('set enable_seqscan = off');
    const v = await retriever.embedQuery('Netzzugang gewähren');
    const plan = await db.query<{ 'QUERY PLAN': string }>(
      `explain select chunk_id from chunk_embeddings e where e.model = 'nomic-embed-text' and e.dims = 128
        order by (e.embedding::vector(128)) <=> '[${v.join(',')}]'::vector(128) limit 3`,
    );
    await db.exec('reset enable_seqscan');
    expect(plan.rows.map((r) => r['QUERY PLAN']).join('\n')).toContain(rows[0]!.indexname);
    expect((await retriever.search('Netzzugang gewähren', 3, {}))[0]).toEqual(before[0]);
    // the store's own search statement (joins, filters, literals) can use the index too
    const seen: Array<{ sql: string; params: unknown[] }> = [];
    const spy = new PgVectorStore(
      {
        exec: (sql: string) => db.exec(sql),
        query: (sql: string, params?: unknown[]) => (seen.push({ sql, params: params ?? [] }), db.query(sql, params)),
      },
      log,
    );
    await spy.search('nomic-embed-text', v, 3, {});
    await db.exec('set enable_seqscan = off');
    expect(seen[0]!.sql).toBe('set hnsw.ef_search = 200');
    const real = await db.query<{ 'QUERY PLAN': string }>(`explain ${seen[1]!.sql}`, seen[1]!.params);
    await db.exec('reset enable_seqscan');
    expect(real.rows.map((r) => r['QUERY PLAN']).join('\n')).toContain(rows[0]!.indexname);
  });

  it('reports itself off, with a log line, when the database has no vector extension', async () => {
    const lines: string[] = [];
    expect(await openPgVector(db, { vector: false }, { info: (m) => lines.push(m), warn: (m) => lines.push(m) })).toBeUndefined();
    expect(lines[0]).toMatch(/no vector extension — vector retrieval is off/);
  });
});

describe.skipIf(!services.postgres)('on PostgreSQL without pgvector (Debian)', () => {
  it('the migration creates no vector table and the store stays off', async () => {
    const fresh = await freshPostgresDatabase(services.postgres!);
    const db = await openPostgres(fresh.url, 2);
    try {
      const ext = await enableExtensions(db);
      await migrate(db);
      const { rows } = await db.query<{ t: string | null }>(`select to_regclass('chunk_embeddings')::text as t`);
      if (ext.vector) {
        // A server that has pgvector gets the table — the same path as PGlite.
        expect(rows[0]!.t).toBe('chunk_embeddings');
      } else {
        expect(rows[0]!.t).toBeNull();
        expect(await openPgVector(db, ext, { info: () => undefined, warn: () => undefined })).toBeUndefined();
      }
    } finally {
      await db.close();
      await fresh.drop();
    }
  }, 60_000);
});
