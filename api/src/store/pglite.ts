/** Embedded adapter: PGlite (PostgreSQL compiled to WebAssembly) with its data directory on local disk. */
import { mkdirSync, accessSync, constants } from 'node:fs';
import { resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { DatabaseUnavailableError, type Database, type Queryable } from './database.js';

/** Checks that dir exists (or can be created) and is writable; throws a one-line actionable error otherwise. */
export function ensureWritableDir(dir: string, variable: string): string {
  const abs = resolve(dir);
  try {
    mkdirSync(abs, { recursive: true });
    accessSync(abs, constants.R_OK | constants.W_OK | constants.X_OK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    throw new DatabaseUnavailableError(
      `Data directory ${abs} is not usable (${code}): give the user running Luna write access or point ${variable} at another directory`,
      { cause: err },
    );
  }
  return abs;
}

export async function openPglite(dataDir: string): Promise<Database> {
  const abs = ensureWritableDir(dataDir, 'LUNA_DATA_DIR');
  let pg: PGlite;
  try {
    pg = await PGlite.create(abs, { extensions: { vector } });
  } catch (err) {
    throw new DatabaseUnavailableError(
      `PGlite could not open ${abs}: ${(err as Error).message} — is another Luna process using it? Stop it or set LUNA_DATA_DIR to another directory`,
      { cause: err },
    );
  }
  const asQueryable = (q: Pick<PGlite, 'query' | 'exec'>): Queryable => ({
    async query<Row>(sql: string, params?: unknown[]) {
      const res = await q.query<Row>(sql, params);
      return { rows: res.rows };
    },
    async exec(sql: string) {
      await q.exec(sql);
    },
  });
  return {
    adapter: 'pglite',
    target: abs,
    ...asQueryable(pg),
    transaction: (fn) => pg.transaction((tx) => fn(asQueryable(tx))),
    close: () => pg.close(),
  };
}
