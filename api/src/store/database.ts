/**
 * The relational + time-series store behind one small interface. Two adapters: PGlite (embedded,
 * PostgreSQL in WebAssembly, data directory on disk) and PostgreSQL/TimescaleDB (server mode).
 * Both run the same SQL; TimescaleDB and pgvector features are switched on by detection.
 */
export interface QueryResult<Row> {
  rows: Row[];
}

export interface Queryable {
  /** One statement with $1…$n parameters. */
  query<Row = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<QueryResult<Row>>;
  /** Several statements, no parameters (migrations). */
  exec(sql: string): Promise<void>;
  /**
   * Bulk load in COPY text format (tab-separated, one row per line), where the adapter supports it
   * (PostgreSQL). Callers fall back to parameterised inserts when it is absent.
   */
  copyIn?(table: string, columns: readonly string[], text: string): Promise<void>;
}

export interface Extensions {
  /** The extension is installed in this database (CREATE EXTENSION done). */
  timescaledb: boolean;
  vector: boolean;
}

export interface Database extends Queryable {
  readonly adapter: 'pglite' | 'postgres';
  /** Where the data lives, safe to log (no password). */
  readonly target: string;
  /** Runs fn in one transaction on one connection; rolls back if it throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** The database could not be opened or reached; the message says what to do. Retrying may help when the server was down. */
export class DatabaseUnavailableError extends Error {
  readonly retryable = true;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DatabaseUnavailableError';
  }
}

/** Which optional extensions this server offers and which are installed; tries to install those offered. */
export async function enableExtensions(db: Queryable, log?: (msg: string) => void): Promise<Extensions> {
  const { rows } = await db.query<{ name: string; installed: string | null }>(
    `select name, installed_version as installed from pg_available_extensions where name in ('timescaledb', 'vector')`,
  );
  const result: Extensions = { timescaledb: false, vector: false };
  for (const row of rows) {
    const name = row.name as keyof Extensions;
    if (row.installed) {
      result[name] = true;
      continue;
    }
    try {
      await db.exec(`create extension if not exists ${name}`);
      result[name] = true;
    } catch (err) {
      // Available but not loadable (e.g. timescaledb not in shared_preload_libraries): run without it.
      log?.(`extension ${name} is available but could not be enabled: ${(err as Error).message}`);
    }
  }
  return result;
}
