/**
 * `npm run bench:vectors` — pgvector inside PGlite through the real PgVectorStore: exact (sequential)
 * cosine search, the HNSW index build (which holds PGlite's only connection while it runs) and
 * search with the index. Default 5,000 chunks × 768 dimensions ≈ the shipped corpus (5,069 chunks)
 * embedded with nomic-embed-text. Vectors are random unit vectors (latency only, not quality).
 * Options: --n <chunks> --dims <d> --queries <q>.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { enableExtensions, migrate, openPglite } from '../../../api/src/store/index.js';
import { PgVectorStore } from '../../../api/src/knowledge/vectors/pgvector.js';
import { printHardware } from './stores.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const n = arg('n', 5000);
const dims = arg('dims', 768);
const queries = arg('queries', 40);

let seed = 42;
const random = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32 - 0.5;
const unit = () => {
  const v = Array.from({ length: dims }, random);
  const norm = Math.hypot(...v);
  return v.map((x) => Number((x / norm).toFixed(6)));
};
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)]!;

printHardware();
const dir = mkdtempSync(join(tmpdir(), 'luna-bench-vectors-'));
const db = await openPglite(dir);
try {
  await enableExtensions(db);
  await migrate(db);
  const doc = '00000000-0000-4000-8000-000000000001';
  await db.query(
    `insert into knowledge_documents (id, doc_key, version, checksum, title, doc_type, filename, mime_type, size_bytes, language, pages, chunk_count)
     values ($1, 'bench', 1, $2, 'bench', 'note', 'bench.txt', 'text/plain', 1, 'english', 1, $3)`,
    [doc, 'b'.repeat(64), n],
  );
  await db.query(
    `insert into knowledge_chunks (id, document_id, ordinal, section, section_title, heading_path, text, tsv)
     select $1 || ':' || i, $1::uuid, i, 's', 's', array['s'], 'text', ''::tsvector from generate_series(0, $2 - 1) i`,
    [doc, n],
  );
  const log = { info: () => undefined, warn: (m: string) => console.log(`# ${m}`) };
  const store = new PgVectorStore(db, log);
  let t = performance.now();
  for (let i = 0; i < n; i += 250) {
    const items = Array.from({ length: Math.min(250, n - i) }, (_, j) => ({
      chunkId: `${doc}:${i + j}`,
      documentId: doc,
      contentSha: 'x',
      embedding: unit(),
    }));
    await store.upsert('bench', items);
  }
  console.log(`# ${n} vectors × ${dims} stored in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  const qs = Array.from({ length: queries }, unit);
  const measure = async () => {
    const times: number[] = [];
    for (const q of qs) {
      const s = performance.now();
      await store.search('bench', q, 20, {});
      times.push(performance.now() - s);
    }
    return times;
  };
  const exact = await measure();
  t = performance.now();
  await store.buildIndexInBackground('bench', dims);
  const buildS = (performance.now() - t) / 1000;
  const hnsw = await measure();
  const tag = `pglite_${n}x${dims}`;
  console.log(`BENCH vectors.exact_search_p50_ms.${tag} ${pct(exact, 50).toFixed(1)} ms`);
  console.log(`BENCH vectors.exact_search_p95_ms.${tag} ${pct(exact, 95).toFixed(1)} ms`);
  console.log(`BENCH vectors.hnsw_build_s.${tag} ${buildS.toFixed(1)} s`);
  console.log(`BENCH vectors.hnsw_search_p50_ms.${tag} ${pct(hnsw, 50).toFixed(1)} ms`);
  console.log(`BENCH vectors.hnsw_search_p95_ms.${tag} ${pct(hnsw, 95).toFixed(1)} ms`);
} finally {
  await db.close();
  rmSync(dir, { recursive: true, force: true });
}
