/** Runs a benchmark on a fresh PGlite and, when DATABASE_URL is set, on a fresh PostgreSQL database. */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { openPglite, openPostgres, type Database } from '../../../api/src/store/index.js';
import { freshPostgresDatabase } from '../../../api/src/test/services.js';

export function printHardware(): void {
  console.log(
    `# hardware: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}`,
  );
}

export async function onEachStore(run: (name: 'pglite' | 'postgres', db: Database) => Promise<void>, only?: string): Promise<void> {
  if (only !== 'postgres') {
    const dir = mkdtempSync(join(tmpdir(), 'luna-bench-pglite-'));
    try {
      const db = await openPglite(dir);
      await run('pglite', db);
      await db.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  if (only === 'pglite') return;
  const url = process.env.DATABASE_URL;
  if (!url) {
    console.log('# DATABASE_URL not set: PostgreSQL not measured (eval "$(bash scripts/services up)" first)');
    return;
  }
  const fresh = await freshPostgresDatabase(url);
  try {
    const db = await openPostgres(fresh.url);
    await run('postgres', db);
    await db.close();
  } finally {
    await fresh.drop();
  }
}
