/**
 * The same cases against the embedded store (PGlite) and the real PostgreSQL server
 * (when DATABASE_URL is set by `scripts/services up`; skipped otherwise).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshPostgresDatabase, services, tempDir } from '../test/services.js';
import { enableExtensions, migrate, openPglite, openPostgres, readMigrations, type Database, type Migration } from './index.js';

interface StoreCase {
  name: string;
  skip: boolean;
  open: () => Promise<{ db: Database; reopen: () => Promise<Database>; cleanup: () => Promise<void> }>;
}

const cases: StoreCase[] = [
  {
    name: 'pglite',
    skip: false,
    async open() {
      const tmp = tempDir();
      const dir = join(tmp.dir, 'pglite');
      return { db: await openPglite(dir), reopen: () => openPglite(dir), cleanup: async () => tmp.remove() };
    },
  },
  {
    name: 'postgres',
    skip: !services.postgres,
    async open() {
      const fresh = await freshPostgresDatabase(services.postgres!);
      return { db: await openPostgres(fresh.url), reopen: () => openPostgres(fresh.url), cleanup: fresh.drop };
    },
  },
];

const extra = (version: string, sql: string): Migration => ({ version, name: 'extra', sql, checksum: `sum-${sql}` });

describe.each(cases)('store on $name', (c) => {
  let db: Database;
  let reopen: () => Promise<Database>;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    if (c.skip) return;
    ({ db, reopen, cleanup } = await c.open());
  });
  afterAll(async () => {
    if (c.skip) return;
    await db.close();
    await cleanup();
  });

  it.skipIf(c.skip)('applies the shipped migrations once and records them', async () => {
    const first = await migrate(db);
    expect(first.applied).toEqual(readMigrations().map((m) => `${m.version}_${m.name}`));
    const second = await migrate(db);
    expect(second).toEqual({ applied: [], alreadyApplied: first.applied.length });
    const { rows } = await db.query<{ n: number }>('select count(*)::int as n from instance');
    expect(rows[0]!.n).toBe(1);
  });

  it.skipIf(c.skip)('keeps data across a reopen', async () => {
    await db.query(
      `insert into settings (key, value) values ('site.name', '"Musterwerk"') on conflict (key) do update set value = excluded.value`,
    );
    await db.close();
    db = await reopen();
    const { rows } = await db.query<{ value: string }>(`select value from settings where key = 'site.name'`);
    expect(rows[0]!.value).toBe('Musterwerk');
    expect((await migrate(db)).applied).toEqual([]);
  });

  it.skipIf(c.skip)('refuses an applied migration that was edited afterwards', async () => {
    const shipped = readMigrations();
    const edited = shipped.map((m, i) => (i === 0 ? { ...m, checksum: 'edited' } : m));
    await expect(migrate(db, edited)).rejects.toThrow(/was changed after it was applied — restore it and add a new migration/);
  });

  it.skipIf(c.skip)('refuses a database written by a newer version', async () => {
    const shipped = readMigrations();
    await migrate(db, [...shipped, extra('29990101000000', 'create table from_the_future (id int)')]);
    await expect(migrate(db, shipped)).rejects.toThrow(/29990101000000_extra which this version of Luna does not know/);
    await db.exec('drop table from_the_future');
    await db.query(`delete from schema_migrations where version = '29990101000000'`);
  });

  it.skipIf(c.skip)('rolls back all pending migrations when one fails', async () => {
    const shipped = readMigrations();
    const broken = [
      ...shipped,
      extra('29990101000001', 'create table half_done (id int)'),
      extra('29990101000002', 'select * from no_such_table'),
    ];
    await expect(migrate(db, broken)).rejects.toThrow(/no_such_table/);
    const { rows } = await db.query<{ n: number }>(
      `select count(*)::int as n from information_schema.tables where table_name = 'half_done'`,
    );
    expect(rows[0]!.n).toBe(0);
    expect((await migrate(db, shipped)).applied).toEqual([]);
  });

  it.skipIf(c.skip)('rolls back a failed transaction and keeps the connection usable', async () => {
    await expect(
      db.transaction(async (tx) => {
        await tx.query(`insert into settings (key, value) values ('tx.test', '1')`);
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    const { rows } = await db.query(`select 1 from settings where key = 'tx.test'`);
    expect(rows).toHaveLength(0);
  });

  it.skipIf(c.skip)('detects optional extensions and works without them', async () => {
    const ext = await enableExtensions(db);
    const { rows } = await db.query<{ name: string }>(
      `select extname as name from pg_extension where extname in ('timescaledb', 'vector')`,
    );
    const installed = new Set(rows.map((r) => r.name));
    expect(ext).toEqual({ timescaledb: installed.has('timescaledb'), vector: installed.has('vector') });
    if (c.name === 'pglite') expect(ext.vector).toBe(true); // pgvector ships with the embedded store
  });
});

describe('migration files', () => {
  it('are named <timestamp>_<intent>.sql; a malformed name is an error, not skipped', () => {
    const tmp = tempDir();
    mkdirSync(join(tmp.dir, 'm'));
    writeFileSync(join(tmp.dir, 'm', '20260101000000_ok.sql'), 'select 1');
    writeFileSync(join(tmp.dir, 'm', 'add-users.sql'), 'select 1');
    expect(() => readMigrations(join(tmp.dir, 'm'))).toThrow(/add-users\.sql .* must be named <yyyymmddhhmmss>_<intent>\.sql/);
    tmp.remove();
  });
});
