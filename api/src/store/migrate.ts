/**
 * Forward-only SQL migrations from the repository's migrations/ folder, named
 * `<yyyymmddhhmmss>_<intent>.sql`, shared by PGlite and PostgreSQL. Applied in name order, all
 * pending ones in one transaction under an advisory lock (several API instances may start at once).
 * An applied file that was edited afterwards stops startup: migrations are history, add a new one.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Database } from './database.js';

export const MIGRATIONS_DIR = fileURLToPath(new URL('../../../migrations/', import.meta.url));

export interface Migration {
  version: string;
  name: string;
  sql: string;
  checksum: string;
}

const FILE_NAME = /^(\d{14})_([a-z0-9_]+)\.sql$/;

/** Reads and orders the migration files; a file with a malformed name is an error, not ignored. */
export function readMigrations(dir = MIGRATIONS_DIR): Migration[] {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .sort();
  return files.map((file) => {
    const match = FILE_NAME.exec(file);
    if (!match) throw new Error(`Migration file ${file} in ${dir} must be named <yyyymmddhhmmss>_<intent>.sql`);
    const sql = readFileSync(`${dir}/${file}`, 'utf8');
    return { version: match[1]!, name: match[2]!, sql, checksum: createHash('sha256').update(sql).digest('hex') };
  });
}

export interface MigrationReport {
  applied: string[];
  alreadyApplied: number;
}

export async function migrate(db: Database, migrations: Migration[] = readMigrations()): Promise<MigrationReport> {
  return db.transaction(async (tx) => {
    await tx.query('select pg_advisory_xact_lock(7243100)');
    await tx.exec(`create table if not exists schema_migrations (
      version text primary key,
      name text not null,
      checksum text not null,
      applied_at timestamptz not null default now()
    )`);
    const { rows } = await tx.query<{ version: string; name: string; checksum: string }>(
      'select version, name, checksum from schema_migrations order by version',
    );
    const done = new Map(rows.map((r) => [r.version, r]));
    const known = new Set(migrations.map((m) => m.version));
    for (const row of rows) {
      if (!known.has(row.version)) {
        throw new Error(
          `The database has migration ${row.version}_${row.name} which this version of Luna does not know — it was written by a newer version; upgrade Luna instead of downgrading`,
        );
      }
    }
    const applied: string[] = [];
    for (const m of migrations) {
      const prior = done.get(m.version);
      if (prior) {
        if (prior.checksum !== m.checksum) {
          throw new Error(
            `Migration ${m.version}_${m.name}.sql was changed after it was applied — restore it and add a new migration file instead`,
          );
        }
        continue;
      }
      await tx.exec(m.sql);
      await tx.query('insert into schema_migrations (version, name, checksum) values ($1, $2, $3)', [m.version, m.name, m.checksum]);
      applied.push(`${m.version}_${m.name}`);
    }
    return { applied, alreadyApplied: done.size };
  });
}
