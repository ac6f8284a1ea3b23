/** The knowledge service on both stores: preload of the shipped corpus (idempotent, versions), indexer hooks, retrievers. */
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../ops/logger.js';
import { localObjectStore } from '../objects/index.js';
import { migrate, openPglite, openPostgres, type Database } from '../store/index.js';
import { freshPostgresDatabase, services, tempDir } from '../test/services.js';
import { STORES } from '../test/app.js';
import { builtinExtractor } from './extract/index.js';
import { KNOWLEDGE_DIR } from './ontology.js';
import type { ChunkIndexer, RankedChunk, Retriever, StoredChunk } from './retrieve.js';
import { KnowledgeService } from './service.js';

describe.each(STORES)('knowledge service on $store', ({ store, skip }) => {
  let db: Database;
  let svc: KnowledgeService;
  const tmp = tempDir('luna-knowledge-');
  let drop: (() => Promise<void>) | undefined;
  const added: StoredChunk[] = [];
  const removed: string[] = [];

  /** A corpus folder with two small shipped laws (LSV, GEIG) and a manifest like knowledge/corpus.json. */
  function corpus(dir: string, lsvText?: string): string {
    mkdirSync(`${dir}/regulation`, { recursive: true });
    for (const f of ['LSV-BJNR16F0B0025.md', 'GEIG-BJNR035400021.md'])
      copyFileSync(`${KNOWLEDGE_DIR}regulation/${f}`, `${dir}/regulation/${f}`);
    if (lsvText) writeFileSync(`${dir}/regulation/LSV-BJNR16F0B0025.md`, lsvText);
    writeFileSync(
      `${dir}/corpus.json`,
      JSON.stringify({
        source: 'test',
        documents: [
          { file: 'regulation/LSV-BJNR16F0B0025.md', docKey: 'law:BJNR16F0B0025', fileCommit: 'x', mirrorDate: '2026-01-01' },
          { file: 'regulation/GEIG-BJNR035400021.md', docKey: 'law:BJNR035400021', fileCommit: 'x', mirrorDate: '2026-01-01' },
        ],
      }),
    );
    return `${dir}/`;
  }

  beforeAll(async () => {
    if (skip) return;
    if (store === 'postgres') {
      const fresh = await freshPostgresDatabase(services.postgres!);
      drop = fresh.drop;
      db = await openPostgres(fresh.url);
    } else db = await openPglite(`${tmp.dir}/db`);
    await migrate(db);
    svc = new KnowledgeService({
      db,
      objects: localObjectStore(`${tmp.dir}/objects`),
      extractor: builtinExtractor(),
      log: createLogger('silent'),
      docMaxBytes: 1024 * 1024,
    });
    const indexer: ChunkIndexer = {
      name: 'recorder',
      async add(chunks) {
        added.push(...chunks);
      },
      async remove(ids) {
        removed.push(...ids);
      },
    };
    svc.addIndexer(indexer);
  }, 60_000);
  afterAll(async () => {
    if (skip) return;
    await db.close();
    await drop?.();
    tmp.remove();
  });

  it.skipIf(skip)('indexes the shipped laws once; a restart with unchanged files skips them', async () => {
    const dir = corpus(`${tmp.dir}/c1`);
    const progress: number[] = [];
    const first = await svc.preloadShipped(undefined, dir, (p) => progress.push(p.indexed + p.skipped));
    expect(first).toMatchObject({ indexed: 2, skipped: 0 });
    expect(first.pages).toBeGreaterThan(20);
    expect(progress).toEqual([1, 2]);
    const version = await svc.corpusVersion();
    const again = await svc.preloadShipped(undefined, dir);
    expect(again).toMatchObject({ indexed: 0, skipped: 2 });
    expect(await svc.corpusVersion()).toBe(version);
    const docs = await svc.list();
    expect(docs.map((d) => d.law).sort()).toEqual(['GEIG', 'LSV']);
    expect(docs.every((d) => d.builtin && d.type === 'regulation' && d.jurisdiction === 'DE')).toBe(true);
    expect(added.length).toBe(docs.reduce((a, d) => a + d.chunkCount, 0));
    expect(added[0]!.text).toMatch(/^(LSV|GEIG) › § 1 – /);
  });

  it.skipIf(skip)('a changed shipped file becomes a new version that supersedes the old one', async () => {
    const lsv = readFileSync(`${KNOWLEDGE_DIR}regulation/LSV-BJNR16F0B0025.md`, 'utf8').replace(
      '# § 3 – Technische Anforderungen',
      '# § 3 – Technische Anforderungen\n\n(0) Jeder Ladepunkt muss eine Zahlung mit Girocard ermöglichen.',
    );
    const before = (await svc.list()).find((d) => d.law === 'LSV')!;
    const r = await svc.preloadShipped(undefined, corpus(`${tmp.dir}/c2`, lsv));
    expect(r).toMatchObject({ indexed: 1, skipped: 1 });
    const all = await svc.list({ includeSuperseded: true });
    const versions = all.filter((d) => d.law === 'LSV').map((d) => [d.version, d.status]);
    expect(versions).toEqual([
      [2, 'active'],
      [1, 'superseded'],
    ]);
    expect(removed.length).toBe(before.chunkCount);
    const a = await svc.ask({ question: 'Muss ein Ladepunkt die Zahlung mit Girocard ermöglichen?' });
    expect(a.found).toBe(true);
    expect(a.citations[0]).toMatchObject({ document: 'LSV – Ladesäulenverordnung', section: '§ 3' });
    expect(a.citations.every((c) => c.documentId !== before.id)).toBe(true);
  });

  it.skipIf(skip)('fuses a further retriever by reciprocal rank fusion and reports it', async () => {
    const target = (await svc.list()).find((d) => d.law === 'GEIG')!;
    const chunkId = `${target.id}:${target.chunkCount - 1}`;
    const vector: Retriever = {
      name: 'fake-vectors',
      async search(): Promise<RankedChunk[]> {
        return [{ chunkId, score: 0.99 }];
      },
    };
    svc.addRetriever(vector);
    const a = await svc.ask({ question: 'Welche Ausnahmen gelten für Ladepunkte in Gebäuden?', k: 10 });
    expect(a.retrievers).toEqual(['lexical', 'fake-vectors']);
    expect(a.citations.map((c) => c.chunkId)).toContain(chunkId);
  });
});
