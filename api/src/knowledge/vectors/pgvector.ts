/**
 * pgvector store: table `chunk_embeddings` (migration 20261127045000), cosine distance, one
 * partial HNSW index per model built in the background (building it blocks PGlite's single
 * connection for a while: ~25 s for 10k×384 measured here, so never on the request path).
 * Without the `vector` extension (Debian's PostgreSQL) `openPgVector` returns undefined and logs why.
 */
import { createHash } from 'node:crypto';
import type { Database, Extensions, Queryable } from '../../store/index.js';
import type { ChunkFilters } from '../retrieve.js';
import type { FilterClause, VectorHit, VectorItem, VectorStore } from './types.js';

/** Same statement as in migrations/20261127045000_chunk_embeddings.sql, for an extension installed after that migration ran. */
const CREATE_TABLE = `create table if not exists chunk_embeddings (
  model text not null,
  chunk_id text not null references knowledge_chunks (id) on delete cascade,
  dims integer not null check (dims > 0),
  content_sha text not null,
  embedding vector not null,
  created_at timestamptz not null default now(),
  primary key (model, chunk_id)
)`;

export interface PgVectorLog {
  info(msg: string): void;
  warn(msg: string): void;
}

/** A string literal for SQL (the model name goes into index predicates, where parameters cannot). */
export const sqlLiteral = (s: string): string => `'${s.replace(/'/g, "''")}'`;
/** Vector literal '[0.1,0.2,…]' as pgvector reads it. */
export const vectorLiteral = (v: readonly number[]): string => `[${v.join(',')}]`;
const indexName = (model: string, dims: number) =>
  `chunk_embeddings_hnsw_${createHash('sha256').update(`${model}/${dims}`).digest('hex').slice(0, 12)}`;

/** Lowest HNSW candidate list per query (pgvector's default is 40). */
export const EF_SEARCH_MIN = 200;

export class PgVectorStore implements VectorStore {
  readonly name = 'pgvector' as const;
  /** with transactions, ef_search is set per query (SET LOCAL); else for the session */
  private readonly hasTransactions: boolean;
  private readonly indexBuilds = new Map<string, Promise<void>>();

  constructor(
    private readonly db: Queryable,
    private readonly log: PgVectorLog,
    /** metadata filters as SQL over chunks c / documents d; without it only `documentIds` is applied */
    private readonly filterClause?: FilterClause,
    /**
     * PostgreSQL server: build with CREATE INDEX CONCURRENTLY so writes go on meanwhile (NOT tested
     * here: Debian's PostgreSQL has no pgvector). PGlite has one connection: its build blocks all
     * queries while it runs (measured: 5,000×768 11.9 s, 20,000×768 231 s) — once, then it persists.
     */
    private readonly concurrently = false,
  ) {
    this.hasTransactions = typeof (db as Partial<Database>).transaction === 'function';
  }

  async upsert(model: string, items: readonly VectorItem[]): Promise<void> {
    if (items.length === 0) return;
    const values: string[] = [];
    const params: unknown[] = [model];
    for (const item of items) {
      const p = params.length;
      values.push(`($1, $${p + 1}, $${p + 2}, $${p + 3}, $${p + 4}::vector)`);
      params.push(item.chunkId, item.embedding.length, item.contentSha, vectorLiteral(item.embedding));
    }
    await this.db.query(
      `insert into chunk_embeddings (model, chunk_id, dims, content_sha, embedding) values ${values.join(', ')}
       on conflict (model, chunk_id) do update set dims = excluded.dims, content_sha = excluded.content_sha,
         embedding = excluded.embedding, created_at = now()`,
      params,
    );
  }

  async search(model: string, vector: readonly number[], k: number, filters: ChunkFilters): Promise<VectorHit[]> {
    const dims = vector.length;
    const params: unknown[] = [vectorLiteral(vector), k];
    let where = '';
    if (this.filterClause) {
      const f = this.filterClause(filters, params.length + 1);
      if (f.sql.trim()) where = ` and (${f.sql})`;
      params.push(...f.params);
    } else if (filters.documentIds?.length) {
      params.push(filters.documentIds);
      where = ` and c.document_id::text = any($${params.length}::text[])`;
    }
    // model and dims are literals so the partial expression index (see buildIndex) matches.
    const distance = `(e.embedding::vector(${dims})) <=> $1::vector(${dims})`;
    const sql = `select e.chunk_id, ${distance} as distance
         from chunk_embeddings e
         join knowledge_chunks c on c.id = e.chunk_id
         join knowledge_documents d on d.id = c.document_id
        where e.model = ${sqlLiteral(model)} and e.dims = ${dims} and c.active${where}
        order by ${distance}, e.chunk_id
        limit $2`;
    // HNSW returns at most ef_search candidates, and pgvector's default of 40 found only 75 % of the
    // exact top 40 on the shipped corpus (measured: recall@40 0.752 at 40, 0.948 at 200).
    const efSearch = Math.min(1000, Math.max(EF_SEARCH_MIN, 2 * k));
    const run = async (q: Queryable) => {
      await q.query(`set ${this.hasTransactions ? 'local ' : ''}hnsw.ef_search = ${efSearch}`);
      return (await q.query<{ chunk_id: string; distance: number }>(sql, params)).rows;
    };
    const rows = this.hasTransactions ? await (this.db as Database).transaction(run) : await run(this.db);
    return rows.map((r) => ({ chunkId: r.chunk_id, score: 1 - Number(r.distance) }));
  }

  async remove(chunkIds: readonly string[]): Promise<void> {
    if (chunkIds.length === 0) return;
    await this.db.query('delete from chunk_embeddings where chunk_id = any($1::text[])', [chunkIds]);
  }

  async stored(model: string): Promise<Map<string, string>> {
    const { rows } = await this.db.query<{ chunk_id: string; content_sha: string }>(
      'select chunk_id, content_sha from chunk_embeddings where model = $1',
      [model],
    );
    return new Map(rows.map((r) => [r.chunk_id, r.content_sha]));
  }

  /** Dimension of the model's stored vectors (undefined when none are stored). */
  async dimsOf(model: string): Promise<number | undefined> {
    const { rows } = await this.db.query<{ dims: number }>('select dims from chunk_embeddings where model = $1 limit 1', [model]);
    return rows[0]?.dims;
  }

  /**
   * Builds the HNSW index of one model (idempotent). Returns at once with the build's promise; the
   * caller must not await it on a request path. Exact search works meanwhile (sequential scan).
   */
  buildIndexInBackground(model: string, dims: number): Promise<void> {
    const name = indexName(model, dims);
    const running = this.indexBuilds.get(name);
    if (running) return running;
    const started = performance.now();
    const build = (async () => {
      const exists = await this.db.query<{ valid: boolean }>(
        'select i.indisvalid as valid from pg_class c join pg_index i on i.indexrelid = c.oid where c.relname = $1',
        [name],
      );
      if (exists.rows[0]?.valid) return;
      // an interrupted CREATE INDEX CONCURRENTLY leaves an invalid index behind: drop it and build again
      if (exists.rows.length > 0) await this.db.exec(`drop index if exists ${name}`);
      this.log.info(`pgvector: building HNSW index ${name} for ${model} (${dims} dimensions) in the background`);
      await this.db.exec(
        `create index ${this.concurrently ? 'concurrently ' : ''}if not exists ${name} on chunk_embeddings
           using hnsw ((embedding::vector(${dims})) vector_cosine_ops) where model = ${sqlLiteral(model)} and dims = ${dims}`,
      );
      this.log.info(`pgvector: HNSW index ${name} ready after ${Math.round(performance.now() - started)} ms`);
    })().catch((err: unknown) => {
      this.indexBuilds.delete(name);
      this.log.warn(`pgvector: HNSW index ${name} could not be built (${(err as Error).message}); search stays exact (sequential)`);
    });
    this.indexBuilds.set(name, build);
    return build;
  }
}

/**
 * The pgvector store when the database has the extension, else undefined with a log line saying
 * why. Creates the table when the extension appeared after the migration ran.
 */
export async function openPgVector(
  db: Queryable,
  extensions: Pick<Extensions, 'vector'>,
  log: PgVectorLog,
  filterClause?: FilterClause,
  concurrently = false,
): Promise<PgVectorStore | undefined> {
  if (!extensions.vector) {
    log.warn('pgvector: the database has no vector extension — vector retrieval is off, answers use full-text search only');
    return undefined;
  }
  const { rows } = await db.query<{ t: string | null }>(`select to_regclass('chunk_embeddings')::text as t`);
  if (!rows[0]?.t) {
    await db.exec(CREATE_TABLE);
    await db.exec('create index if not exists chunk_embeddings_chunk on chunk_embeddings (chunk_id)');
    log.info('pgvector: created table chunk_embeddings (the vector extension was installed after the migration ran)');
  }
  return new PgVectorStore(db, log, filterClause, concurrently);
}
