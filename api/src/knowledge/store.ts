/**
 * The knowledge tables' SQL (repository): documents with versions, chunks with their weighted
 * full-text vectors, the corpus version, and the filter clause every retriever can reuse.
 * Runs unchanged on PGlite and PostgreSQL.
 */
import type { Database, Queryable } from '../store/index.js';
import type { ChunkFilters, DocumentType, Passage, StoredChunk } from './retrieve.js';

export type TextSearchLanguage = 'german' | 'english';

export interface DocumentMeta {
  docKey: string;
  title: string;
  law?: string;
  lawName?: string;
  type: DocumentType;
  jurisdiction?: string;
  validFrom?: string;
  validTo?: string;
  source?: string;
  siteId?: string;
  tags: string[];
  filename: string;
  mimeType: string;
  sizeBytes: number;
  objectKey?: string;
  language: TextSearchLanguage;
  pages: number;
  builtin: boolean;
  createdBy?: string;
}

export interface PreparedChunk {
  ordinal: number;
  section: string;
  sectionTitle: string;
  paragraph?: string;
  headingPath: string[];
  page?: number;
  text: string;
  terms: string[];
  /** weight A text: law abbreviation, section, title, paragraph */
  head: string;
  /** weight B text: ontology labels of the chunk's concepts */
  labels: string;
  /** weight C text: document/law name */
  docName: string;
}

export interface DocumentRow {
  id: string;
  docKey: string;
  version: number;
  checksum: string;
  title: string;
  law: string | null;
  lawName: string | null;
  type: DocumentType;
  jurisdiction: string | null;
  validFrom: string | null;
  validTo: string | null;
  source: string | null;
  siteId: string | null;
  tags: string[];
  filename: string;
  mimeType: string;
  sizeBytes: number;
  language: TextSearchLanguage;
  pages: number;
  chunkCount: number;
  status: 'active' | 'superseded';
  supersededBy: string | null;
  builtin: boolean;
  createdBy: string | null;
  createdAt: string;
}

const DOC_COLUMNS = `d.id::text as "id", d.doc_key as "docKey", d.version, d.checksum, d.title, d.law, d.law_name as "lawName",
  d.doc_type as "type", d.jurisdiction, to_char(d.valid_from, 'YYYY-MM-DD') as "validFrom", to_char(d.valid_to, 'YYYY-MM-DD') as "validTo",
  d.source, d.site_id as "siteId", d.tags, d.filename, d.mime_type as "mimeType", d.size_bytes::float8 as "sizeBytes", d.language,
  d.pages, d.chunk_count as "chunkCount", d.status, d.superseded_by::text as "supersededBy", d.builtin, d.created_by as "createdBy",
  to_char(d.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as "createdAt"`;

/** Rows per multi-row INSERT of chunks (11 parameters each). */
const CHUNK_BATCH = 250;

export async function findActiveByChecksum(db: Queryable, checksum: string): Promise<DocumentRow | undefined> {
  const { rows } = await db.query<DocumentRow>(
    `select ${DOC_COLUMNS} from knowledge_documents d where d.checksum = $1 and d.status = 'active'`,
    [checksum],
  );
  return rows[0];
}

export async function getDocument(db: Queryable, id: string): Promise<DocumentRow | undefined> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) return undefined;
  const { rows } = await db.query<DocumentRow>(`select ${DOC_COLUMNS} from knowledge_documents d where d.id = $1::uuid`, [id]);
  return rows[0];
}

export async function listDocuments(db: Queryable, opts: { includeSuperseded?: boolean; siteId?: string } = {}): Promise<DocumentRow[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  if (!opts.includeSuperseded) where.push(`d.status = 'active'`);
  if (opts.siteId !== undefined) {
    params.push(opts.siteId);
    where.push(`d.site_id = $${params.length}`);
  }
  const { rows } = await db.query<DocumentRow>(
    `select ${DOC_COLUMNS} from knowledge_documents d ${where.length ? `where ${where.join(' and ')}` : ''}
     order by d.builtin desc, coalesce(d.law, d.title), d.version desc`,
    params,
  );
  return rows;
}

export async function corpusVersion(db: Queryable): Promise<number> {
  const { rows } = await db.query<{ version: string | number }>('select version from knowledge_corpus where id = 1');
  return Number(rows[0]?.version ?? 0);
}

export interface InsertResult {
  document: DocumentRow;
  superseded: { id: string; chunkIds: string[] } | undefined;
  chunks: StoredChunk[];
}

/**
 * Stores a new document version and its chunks in one transaction: the active version with the
 * same key (if any) is marked superseded and its chunks leave the search; the corpus version is bumped.
 */
export async function insertDocument(
  db: Database,
  checksum: string,
  meta: DocumentMeta,
  chunks: readonly PreparedChunk[],
): Promise<InsertResult> {
  return db.transaction(async (tx) => {
    const prev = (
      await tx.query<{ id: string; version: number }>(
        `select id::text as id, version from knowledge_documents where doc_key = $1 order by version desc limit 1`,
        [meta.docKey],
      )
    ).rows[0];
    const active = (
      await tx.query<{ id: string }>(`select id::text as id from knowledge_documents where doc_key = $1 and status = 'active'`, [
        meta.docKey,
      ])
    ).rows[0];
    let supersededChunkIds: string[] = [];
    if (active) {
      await tx.query(`update knowledge_documents set status = 'superseded' where id = $1::uuid`, [active.id]);
      supersededChunkIds = (
        await tx.query<{ id: string }>(`update knowledge_chunks set active = false where document_id = $1::uuid returning id`, [active.id])
      ).rows.map((r) => r.id);
    }
    const { rows } = await tx.query<{ id: string }>(
      `insert into knowledge_documents (doc_key, version, checksum, title, law, law_name, doc_type, jurisdiction, valid_from, valid_to,
         source, site_id, tags, filename, mime_type, size_bytes, object_key, language, pages, chunk_count, builtin, created_by)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9::date, $10::date, $11, $12, $13::text[], $14, $15, $16, $17, $18, $19, $20, $21, $22)
       returning id::text as id`,
      [
        meta.docKey,
        (prev?.version ?? 0) + 1,
        checksum,
        meta.title,
        meta.law ?? null,
        meta.lawName ?? null,
        meta.type,
        meta.jurisdiction ?? null,
        meta.validFrom ?? null,
        meta.validTo ?? null,
        meta.source ?? null,
        meta.siteId ?? null,
        meta.tags,
        meta.filename,
        meta.mimeType,
        meta.sizeBytes,
        meta.objectKey ?? null,
        meta.language,
        meta.pages,
        chunks.length,
        meta.builtin,
        meta.createdBy ?? null,
      ],
    );
    const id = rows[0]!.id;
    if (active) await tx.query(`update knowledge_documents set superseded_by = $1::uuid where id = $2::uuid`, [id, active.id]);
    const cfg = meta.language;
    for (let i = 0; i < chunks.length; i += CHUNK_BATCH) {
      const batch = chunks.slice(i, i + CHUNK_BATCH);
      // $1 document id, $2 document name; then 11 parameters per chunk
      const params: unknown[] = [id, chunks[0]!.docName];
      const values = batch.map((c) => {
        const b = params.length;
        params.push(
          `${id}:${c.ordinal}`,
          c.ordinal,
          c.section,
          c.sectionTitle,
          c.paragraph ?? null,
          c.headingPath,
          c.page ?? null,
          c.text,
          c.terms,
        );
        params.push(c.head, c.labels);
        const p = (n: number) => `$${b + n}`;
        return `(${p(1)}, $1::uuid, ${p(2)}, ${p(3)}, ${p(4)}, ${p(5)}, ${p(6)}::text[], ${p(7)}::int, ${p(8)}, ${p(9)}::text[],
          setweight(to_tsvector('${cfg}', ${p(10)}), 'A') || setweight(to_tsvector('${cfg}', ${p(11)}), 'B')
          || setweight(to_tsvector('${cfg}', $2), 'C') || setweight(to_tsvector('${cfg}', ${p(8)}), 'D'))`;
      });
      await tx.query(
        `insert into knowledge_chunks (id, document_id, ordinal, section, section_title, paragraph, heading_path, page, text, terms, tsv)
         values ${values.join(',\n')}`,
        params,
      );
    }
    await tx.query(`update knowledge_corpus set version = version + 1, updated_at = now() where id = 1`);
    const document = (await tx.query<DocumentRow>(`select ${DOC_COLUMNS} from knowledge_documents d where d.id = $1::uuid`, [id])).rows[0]!;
    return {
      document,
      superseded: active ? { id: active.id, chunkIds: supersededChunkIds } : undefined,
      chunks: chunks.map((c) => ({ id: `${id}:${c.ordinal}`, documentId: id, text: `${c.headingPath.join(' › ')}\n${c.text}` })),
    };
  });
}

/**
 * WHERE conditions for the filters over chunks `c` joined with documents `d` (always: active
 * chunks only). Parameters are numbered from `firstParam`.
 */
export function filterClause(filters: ChunkFilters, firstParam: number): { sql: string; params: unknown[] } {
  const conds: string[] = ['c.active'];
  const params: unknown[] = [];
  const add = (value: unknown) => {
    params.push(value);
    return `$${firstParam + params.length - 1}`;
  };
  const list = <T>(v: T | T[] | undefined): T[] | undefined => (v === undefined ? undefined : Array.isArray(v) ? v : [v]);
  const types = list(filters.type);
  if (types?.length) conds.push(`d.doc_type = any(${add(types)}::text[])`);
  if (filters.jurisdiction !== undefined) conds.push(`lower(d.jurisdiction) = lower(${add(filters.jurisdiction)})`);
  const laws = list(filters.law);
  if (laws?.length)
    conds.push(`lower(split_part(d.law, ' ', 1)) = any(${add(laws.map((l) => l.trim().split(/\s+/)[0]!.toLowerCase()))}::text[])`);
  if (filters.siteId !== undefined) conds.push(`d.site_id = ${add(filters.siteId)}`);
  if (filters.tags?.length) conds.push(`d.tags @> ${add(filters.tags)}::text[]`);
  if (filters.validAt !== undefined) {
    const p = add(filters.validAt);
    conds.push(`(d.valid_from is null or d.valid_from <= ${p}::date) and (d.valid_to is null or d.valid_to >= ${p}::date)`);
  }
  if (filters.documentIds?.length) conds.push(`d.id = any(${add(filters.documentIds)}::uuid[])`);
  return { sql: conds.join(' and '), params };
}

/** Whether any filter needs the documents table. */
export function needsDocumentJoin(filters: ChunkFilters): boolean {
  return Object.values(filters).some((v) => v !== undefined && !(Array.isArray(v) && v.length === 0));
}

interface PassageRow {
  chunkId: string;
  documentId: string;
  title: string;
  law: string | null;
  lawName: string | null;
  section: string;
  paragraph: string | null;
  headingPath: string[];
  page: number | null;
  text: string;
}

/** Loads the passages for chunk ids, keeping only those that pass the filters; order as given. */
export async function hydrate(
  db: Queryable,
  ranked: ReadonlyArray<{ chunkId: string; score: number }>,
  filters: ChunkFilters,
): Promise<Passage[]> {
  if (ranked.length === 0) return [];
  const f = filterClause(filters, 2);
  const { rows } = await db.query<PassageRow>(
    `select c.id as "chunkId", c.document_id::text as "documentId", d.title, d.law, d.law_name as "lawName", c.section, c.paragraph,
       c.heading_path as "headingPath", c.page, c.text
     from knowledge_chunks c join knowledge_documents d on d.id = c.document_id
     where c.id = any($1::text[]) and ${f.sql}`,
    [ranked.map((r) => r.chunkId), ...f.params],
  );
  const byId = new Map(rows.map((r) => [r.chunkId, r]));
  const out: Passage[] = [];
  for (const r of ranked) {
    const row = byId.get(r.chunkId);
    if (!row) continue;
    out.push({
      chunkId: row.chunkId,
      documentId: row.documentId,
      document: row.law ? `${row.law} – ${row.lawName ?? row.title}` : row.title,
      ...(row.law ? { law: row.law } : {}),
      section: row.section,
      ...(row.paragraph ? { paragraph: row.paragraph } : {}),
      headingPath: row.headingPath,
      ...(row.page !== null ? { page: row.page } : {}),
      score: r.score,
      text: row.text,
    });
  }
  return out;
}
