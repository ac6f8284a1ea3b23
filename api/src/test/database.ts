/**
 * A migrated, empty database for store tests: PGlite in a temporary directory, or a fresh database
 * on the test PostgreSQL server (`scripts/services`); `close()` closes and removes it.
 */
import { migrate, openDatabase, type Database } from '../store/index.js';
import { freshPostgresDatabase, services, tempDir } from './services.js';

export async function migratedTestDatabase(store: 'pglite' | 'postgres'): Promise<{ db: Database; close: () => Promise<void> }> {
  let db: Database;
  let close: () => Promise<void>;
  if (store === 'pglite') {
    const tmp = tempDir();
    db = await openDatabase({ adapter: 'pglite', dataDir: `${tmp.dir}/pglite` });
    close = async () => {
      await db.close();
      tmp.remove();
    };
  } else {
    if (!services.postgres) throw new Error('no test PostgreSQL: run scripts/services up and load .services/env');
    const fresh = await freshPostgresDatabase(services.postgres);
    db = await openDatabase({ adapter: 'postgres', url: fresh.url, poolSize: 2 });
    close = async () => {
      await db.close();
      await fresh.drop();
    };
  }
  await migrate(db);
  return { db, close };
}
