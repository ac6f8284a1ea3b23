export {
  DatabaseUnavailableError,
  enableExtensions,
  type Database,
  type Extensions,
  type Queryable,
  type QueryResult,
} from './database.js';
export { migrate, readMigrations, MIGRATIONS_DIR, type Migration, type MigrationReport } from './migrate.js';
export { openPglite, ensureWritableDir } from './pglite.js';
export { openPostgres } from './postgres.js';

import type { Config } from '../config/index.js';
import type { Database } from './database.js';
import { openPglite } from './pglite.js';
import { openPostgres } from './postgres.js';

/** Opens the configured database adapter. */
export function openDatabase(config: Config['database']): Promise<Database> {
  return config.adapter === 'postgres' ? openPostgres(config.url, config.poolSize) : openPglite(config.dataDir);
}
