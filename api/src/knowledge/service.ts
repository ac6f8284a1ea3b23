/**
 * The knowledge service: document ingest (checksum dedup, versions, object store), the shipped
 * corpus preload, and question answering (retrievers → fusion → filters → answer → cache).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { Logger } from '../ops/index.js';
import type { ObjectStore } from '../objects/index.js';
import type { Database } from '../store/index.js';
import { ExtractionError, type TextExtractor } from './extract/index.js';
import { extractiveAnswer, NOT_FOUND } from './extractive.js';
import { LexicalRetriever, type LexicalHit } from './lexical.js';
import { ConceptIndex, KNOWLEDGE_DIR, loadOntology, type Ontology } from './ontology.js';
import { looksLikeLaw, prepareExtracted, prepareLaw, type PreparedDocument } from './prepare.js';
import {
  fuse,
  type AnswerGenerator,
  type ChunkFilters,
  type ChunkIndexer,
  type DocumentType,
  type Passage,
  type Retriever,
} from './retrieve.js';
import { corpusVersion, findActiveByChecksum, getDocument, hydrate, insertDocument, listDocuments, type DocumentRow } from './store.js';

/**
 * Relevance verdict: a question is answered ("found") when a top chunk matches at least this share
 * of the question's topical weight — or the lower share when the question names a law, a section
 * or a domain term of the ontology. Below that: "not found in the knowledge base".
 */
export const MIN_COVERAGE = 0.3;
export const MIN_COVERAGE_ON_TOPIC = 0.15;
export const DEFAULT_K = 5;
export const MAX_K = 20;
/** At most this many passages of one section among the citations (keeps the list diverse). */
export const MAX_PER_SECTION = 2;
const CACHE_SIZE = 500;

export type DocumentErrorCode = 'unsupported_type' | 'corrupt' | 'encrypted' | 'too_large' | 'empty' | 'unavailable' | 'invalid';

/** A document that cannot be ingested; `status` is the HTTP status the route answers with. */
export class DocumentError extends Error {
  constructor(
    readonly code: DocumentErrorCode,
    message: string,
    readonly retryable = code === 'unavailable',
  ) {
    super(message);
    this.name = 'DocumentError';
  }
  get status(): number {
    return { unsupported_type: 415, too_large: 413, corrupt: 422, encrypted: 422, empty: 422, unavailable: 503, invalid: 400 }[this.code];
  }
}

export interface UploadMeta {
  filename: string;
  mimeType?: string;
  /** versions share a key; default: the file name (lower case) */
  key?: string;
  title?: string;
  type?: DocumentType;
  jurisdiction?: string;
  validFrom?: string;
  validTo?: string;
  source?: string;
  siteId?: string;
  tags?: string[];
  createdBy?: string;
}

export interface IngestOutcome {
  /** created: first version; superseded: a new version replaced the active one; unchanged: same bytes already active */
  outcome: 'created' | 'superseded' | 'unchanged';
  document: DocumentRow;
  supersededId?: string;
}

export interface AskRequest {
  question: string;
  k?: number;
  filters?: ChunkFilters;
}

export interface Citation {
  document: string;
  section: string;
  paragraph?: string;
  page?: number;
  score: number;
  text: string;
  documentId: string;
  chunkId: string;
  headingPath: string[];
}

export interface AskResponse {
  answer: string;
  found: boolean;
  citations: Citation[];
  /** "extractive" or the generator's name */
  mode: string;
  retrievers: string[];
  corpusVersion: number;
}

export interface KnowledgeOptions {
  db: Database;
  objects: ObjectStore;
  extractor: TextExtractor;
  log: Logger;
  docMaxBytes: number;
  concepts?: ConceptIndex;
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

export class KnowledgeService {
  readonly concepts: ConceptIndex;
  readonly lexical: LexicalRetriever;
  private readonly retrievers: Retriever[] = [];
  private readonly indexers: ChunkIndexer[] = [];
  private generator: AnswerGenerator | undefined;
  private readonly cache = new Map<string, AskResponse>();

  constructor(private readonly opts: KnowledgeOptions) {
    this.concepts = opts.concepts ?? new ConceptIndex(ontologyOrEmpty(opts.log));
    this.lexical = new LexicalRetriever(opts.db, this.concepts, () => this.corpusVersion(), shippedLawAliases());
  }

  /** Largest accepted upload in bytes (LUNA_DOC_MAX_BYTES). */
  get maxBytes(): number {
    return this.opts.docMaxBytes;
  }

  /** A further retriever (vectors), fused with the lexical one by reciprocal rank fusion. */
  addRetriever(r: Retriever): void {
    this.retrievers.push(r);
    this.cache.clear();
  }
  /** A secondary index kept in step with ingest (vectors). */
  addIndexer(i: ChunkIndexer): void {
    this.indexers.push(i);
  }
  /** An LLM answer step; without one, answers are extractive. */
  setGenerator(g: AnswerGenerator | undefined): void {
    this.generator = g;
    this.cache.clear();
  }

  /** Read on every question (cheap) so that several service instances on one PostgreSQL agree. */
  corpusVersion(): Promise<number> {
    return corpusVersion(this.opts.db);
  }

  list(opts: { includeSuperseded?: boolean; siteId?: string } = {}): Promise<DocumentRow[]> {
    return listDocuments(this.opts.db, opts);
  }

  get(id: string): Promise<DocumentRow | undefined> {
    return getDocument(this.opts.db, id);
  }

  /** Upload path: size/type checks, checksum dedup, original to the object store, extraction, chunking, one transaction. */
  async ingestDocument(bytes: Uint8Array, meta: UploadMeta): Promise<IngestOutcome> {
    if (bytes.length === 0) throw new DocumentError('empty', 'The document is empty: send the file as the request body');
    if (bytes.length > this.opts.docMaxBytes)
      throw new DocumentError(
        'too_large',
        `The document has ${bytes.length} bytes; the limit is ${this.opts.docMaxBytes} (LUNA_DOC_MAX_BYTES)`,
      );
    const checksum = sha256(bytes);
    const existing = await findActiveByChecksum(this.opts.db, checksum);
    if (existing) return { outcome: 'unchanged', document: existing };

    let prepared: PreparedDocument;
    let mimeType = meta.mimeType ?? 'application/octet-stream';
    let title = meta.title;
    const asText = /\.(md|markdown|txt)$/i.test(meta.filename) ? new TextDecoder('utf-8').decode(bytes) : undefined;
    if (asText !== undefined && looksLikeLaw(asText)) {
      prepared = prepareLaw(asText, this.concepts);
      mimeType = 'text/markdown';
    } else {
      let extracted;
      try {
        extracted = await this.opts.extractor.extract(bytes, {
          filename: meta.filename,
          ...(meta.mimeType ? { mimeType: meta.mimeType } : {}),
        });
      } catch (err) {
        if (err instanceof ExtractionError) throw new DocumentError(err.code, err.message, err.retryable);
        throw err;
      }
      mimeType = extracted.mimeType;
      title ??= extracted.title ?? meta.filename.replace(/\.[^.]+$/, '');
      prepared = prepareExtracted(extracted.pages, title, this.concepts);
    }
    if (prepared.chunks.length === 0) throw new DocumentError('empty', `No text found in ${meta.filename}`);
    const law = prepared.law;
    const objectKey = `documents/${checksum}`;
    await this.opts.objects.put(objectKey, bytes);
    const result = await insertDocument(
      this.opts.db,
      checksum,
      {
        docKey: meta.key ?? (law ? `law:${law.abbreviation.toLowerCase()}` : meta.filename.toLowerCase()),
        title: title ?? law?.title ?? meta.filename,
        ...(law ? { law: law.abbreviation, lawName: law.shortName } : {}),
        type: meta.type ?? (law ? 'regulation' : 'note'),
        ...((meta.jurisdiction ?? (law ? 'DE' : undefined)) ? { jurisdiction: meta.jurisdiction ?? 'DE' } : {}),
        ...(meta.validFrom ? { validFrom: meta.validFrom } : {}),
        ...(meta.validTo ? { validTo: meta.validTo } : {}),
        ...(meta.source ? { source: meta.source } : {}),
        ...(meta.siteId ? { siteId: meta.siteId } : {}),
        tags: meta.tags ?? [],
        filename: meta.filename,
        mimeType,
        sizeBytes: bytes.length,
        objectKey,
        language: prepared.language,
        pages: prepared.pages,
        builtin: false,
        ...(meta.createdBy ? { createdBy: meta.createdBy } : {}),
      },
      prepared.chunks,
    );
    await this.afterInsert(result);
    return {
      outcome: result.superseded ? 'superseded' : 'created',
      document: result.document,
      ...(result.superseded ? { supersededId: result.superseded.id } : {}),
    };
  }

  /** A shipped law file; skipped when this key already has a version with the same checksum (idempotent restarts). */
  async ingestShippedLaw(
    markdown: string,
    entry: { file: string; docKey: string; source: string; validFrom?: string },
  ): Promise<{ skipped: boolean; pages: number; chunks: number; law?: string }> {
    const bytes = new TextEncoder().encode(markdown);
    const checksum = sha256(bytes);
    const { rows } = await this.opts.db.query<{ n: number }>(
      'select count(*)::int as n from knowledge_documents where doc_key = $1 and checksum = $2',
      [entry.docKey, checksum],
    );
    if ((rows[0]?.n ?? 0) > 0) return { skipped: true, pages: 0, chunks: 0 };
    const prepared = prepareLaw(markdown, this.concepts);
    const law = prepared.law!;
    const result = await insertDocument(
      this.opts.db,
      checksum,
      {
        docKey: entry.docKey,
        title: law.title,
        law: law.abbreviation,
        lawName: law.shortName,
        type: 'regulation',
        jurisdiction: 'DE',
        ...(entry.validFrom ? { validFrom: entry.validFrom } : {}),
        source: entry.source,
        tags: ['shipped'],
        filename: entry.file.split('/').pop()!,
        mimeType: 'text/markdown',
        sizeBytes: bytes.length,
        language: 'german',
        pages: prepared.pages,
        builtin: true,
      },
      prepared.chunks,
    );
    await this.afterInsert(result);
    return { skipped: false, pages: prepared.pages, chunks: prepared.chunks.length, law: law.abbreviation };
  }

  /**
   * Indexes the shipped corpus (knowledge/corpus.json) one law at a time, logging progress.
   * Stops between documents when `shouldStop()` turns true (service shutdown).
   */
  async preloadShipped(
    shouldStop: () => boolean = () => false,
    dir: string = KNOWLEDGE_DIR,
    onProgress?: (p: { indexed: number; skipped: number; total: number }) => void,
  ): Promise<{ indexed: number; skipped: number; pages: number; ms: number }> {
    const log = this.opts.log;
    const manifest = JSON.parse(await readFile(`${dir}corpus.json`, 'utf8')) as {
      source: string;
      documents: Array<{ file: string; docKey: string; fileCommit: string; mirrorDate: string }>;
    };
    const started = performance.now();
    let indexed = 0;
    let skipped = 0;
    let pages = 0;
    for (const [i, doc] of manifest.documents.entries()) {
      if (shouldStop()) break;
      const markdown = await readFile(`${dir}${doc.file}`, 'utf8');
      const t = performance.now();
      const r = await this.ingestShippedLaw(markdown, {
        file: doc.file,
        docKey: doc.docKey,
        source: `${manifest.source}; file commit ${doc.fileCommit}`,
      });
      if (r.skipped) skipped++;
      else {
        indexed++;
        pages += r.pages;
        log.info(
          {
            law: r.law,
            sections: r.pages,
            chunks: r.chunks,
            ms: Math.round(performance.now() - t),
            progress: `${i + 1}/${manifest.documents.length}`,
          },
          `knowledge: indexed ${r.law} (${r.pages} sections, ${r.chunks} chunks) ${i + 1}/${manifest.documents.length}`,
        );
      }
      onProgress?.({ indexed, skipped, total: manifest.documents.length });
      await new Promise((resolve) => setImmediate(resolve)); // let requests in between documents
    }
    return { indexed, skipped, pages, ms: performance.now() - started };
  }

  private async afterInsert(result: Awaited<ReturnType<typeof insertDocument>>): Promise<void> {
    this.cache.clear();
    for (const ix of this.indexers) {
      try {
        if (result.superseded) await ix.remove(result.superseded.chunkIds);
        await ix.add(result.chunks);
      } catch (err) {
        this.opts.log.warn(
          { err: (err as Error).message, indexer: ix.name },
          `knowledge: indexer ${ix.name} failed; lexical search still has the document`,
        );
      }
    }
  }

  /** Answers a question from the corpus: deterministic, cached per corpus version. */
  async ask(req: AskRequest): Promise<AskResponse> {
    const question = req.question.trim().replace(/\s+/g, ' ');
    const k = Math.max(1, Math.min(req.k ?? DEFAULT_K, MAX_K));
    const filters = req.filters ?? {};
    const version = await this.corpusVersion();
    const key = JSON.stringify([version, k, question, sortKeys(filters)]);
    const cached = this.cache.get(key);
    if (cached) return cached;

    const { passages, found } = await this.retrieve(question, k, filters);
    let response: AskResponse;
    const retrievers = [this.lexical.name, ...this.retrievers.map((r) => r.name)];
    if (!found || passages.length === 0) {
      response = { answer: NOT_FOUND, found: false, citations: [], mode: 'extractive', retrievers, corpusVersion: version };
    } else if (this.generator) {
      const g = await this.generator.generate(question, passages);
      const cited = g.citations.length
        ? [...new Set(g.citations)].sort((a, b) => a - b).filter((i) => passages[i])
        : passages.map((_, i) => i);
      response = {
        answer: g.found ? g.answer : NOT_FOUND,
        found: g.found,
        citations: g.found ? cited.map((i) => toCitation(passages[i]!)) : [],
        // (H1b) a degraded answer is the extractive fallback after an LLM failure
        mode: g.degraded ? 'extractive' : this.generator.name,
        retrievers,
        corpusVersion: version,
      };
      if (g.degraded) {
        this.opts.log.warn({ reason: g.degraded }, 'knowledge: LLM answer failed; answered extractively (not cached)');
        return response;
      }
    } else {
      response = {
        answer: extractiveAnswer(question, passages),
        found: true,
        citations: passages.map(toCitation),
        mode: 'extractive',
        retrievers,
        corpusVersion: version,
      };
    }
    if (this.cache.size >= CACHE_SIZE) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(key, response);
    return response;
  }

  /** Retrieval only (the eval harness uses this): fused, filtered, diversified passages and the relevance verdict. */
  async retrieve(question: string, k: number, filters: ChunkFilters): Promise<{ passages: Passage[]; found: boolean; best?: LexicalHit }> {
    const depth = Math.max(k * 4, 20);
    const { hits: lexical, signals } = await this.lexical.searchWithSignals(question, depth, filters);
    const others = await Promise.all(this.retrievers.map((r) => r.search(question, depth, filters)));
    const fused = fuse([lexical, ...others]);
    const hydrated = await hydrate(this.opts.db, fused, filters);
    const perSection = new Map<string, number>();
    const named = new Set(lexical.filter((h) => h.sectionMatch).map((h) => h.chunkId));
    const passages: Passage[] = [];
    for (const p of hydrated) {
      const key = `${p.documentId}|${p.section}`;
      const n = perSection.get(key) ?? 0;
      // a section the question names is cited whole; others at most MAX_PER_SECTION times
      if (n >= MAX_PER_SECTION && !named.has(p.chunkId)) continue;
      perSection.set(key, n + 1);
      passages.push(p);
      if (passages.length >= k) break;
    }
    const best = lexical[0];
    const coverage = Math.max(0, ...lexical.slice(0, k).map((h) => h.coverage));
    const onTopic = signals.namesLaw || signals.domainConcepts > 0;
    const found = best !== undefined && (best.sectionMatch || coverage >= MIN_COVERAGE || (onTopic && coverage >= MIN_COVERAGE_ON_TOPIC));
    return { passages, found, ...(best ? { best } : {}) };
  }
}

/** The shipped ontology; without it (an image built without knowledge/) search still works, unexpanded. */
function ontologyOrEmpty(log: Logger): Ontology {
  try {
    return loadOntology();
  } catch (err) {
    log.warn({ err: (err as Error).message }, 'knowledge: ontology not loaded — questions are not expanded with synonyms');
    return { concepts: [], fillers: [] };
  }
}

/** English names of the shipped laws by law key (knowledge/corpus.json), so "Electricity Tax Act" finds the StromStG. */
function shippedLawAliases(dir: string = KNOWLEDGE_DIR): Map<string, string[]> {
  const out = new Map<string, string[]>();
  try {
    const manifest = JSON.parse(readFileSync(`${dir}corpus.json`, 'utf8')) as { documents: Array<{ file: string; englishName?: string }> };
    for (const d of manifest.documents) {
      const key = (d.file.split('/').pop() ?? '').split(/[-_]/)[0]!.toLowerCase();
      if (d.englishName) out.set(key, [...(out.get(key) ?? []), d.englishName]);
    }
  } catch {
    /* no manifest: no aliases */
  }
  return out;
}

function toCitation(p: Passage): Citation {
  return {
    document: p.document,
    section: p.section,
    ...(p.paragraph ? { paragraph: p.paragraph } : {}),
    ...(p.page !== undefined ? { page: p.page } : {}),
    score: Math.round(p.score * 1e6) / 1e6,
    text: p.text,
    documentId: p.documentId,
    chunkId: p.chunkId,
    headingPath: p.headingPath,
  };
}

function sortKeys(o: object): unknown {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)));
}
