/** Server adapter: PostgreSQL (TimescaleDB where installed) through a pg connection pool. */
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { redactUrl } from '../config/index.js';
import { DatabaseUnavailableError, type Database, type Queryable } from './database.js';

export async function openPostgres(url: string, poolSize = 10, connectTimeoutMs = 5000): Promise<Database> {
  const target = redactUrl(url);
  const pool = new pg.Pool({ connectionString: url, max: poolSize, connectionTimeoutMillis: connectTimeoutMs });
  // An idle client losing its connection (server restart) must not crash the process; the pool replaces it.
  pool.on('error', () => undefined);
  try {
    const client = await pool.connect();
    client.release();
  } catch (err) {
    await pool.end().catch(() => undefined);
    const e = err as NodeJS.ErrnoException;
    const reason = e.code ? `${e.code}: ${e.message}` : e.message;
    throw new DatabaseUnavailableError(
      `Cannot reach PostgreSQL at ${target} (${reason}) — check DATABASE_URL and that the server runs (for tests: scripts/services up)`,
      { cause: err },
    );
  }
  const asQueryable = (q: pg.Pool | pg.PoolClient): Queryable => ({
    async query<Row>(sql: string, params?: unknown[]) {
      const res = await q.query(sql, params as unknown[] | undefined);
      return { rows: res.rows as Row[] };
    },
    async exec(sql: string) {
      await q.query(sql);
    },
    ...('release' in q
      ? {
          async copyIn(table: string, columns: readonly string[], text: string) {
            const stream = q.query(copyFrom(`copy ${table} (${columns.join(', ')}) from stdin`));
            await pipeline(Readable.from([text]), stream);
          },
        }
      : {}),
  });
  return {
    adapter: 'postgres',
    target,
    ...asQueryable(pool),
    async transaction(fn) {
      const client = await pool.connect();
      // A server that dies mid-transaction makes the client emit 'error'; the query's rejection reports it.
      const ignore = () => undefined;
      client.on('error', ignore);
      try {
        await client.query('begin');
        const result = await fn(asQueryable(client));
        await client.query('commit');
        return result;
      } catch (err) {
        await client.query('rollback').catch(() => undefined);
        throw err;
      } finally {
        client.off('error', ignore);
        client.release();
      }
    },
    close: () => pool.end(),
  };
}
