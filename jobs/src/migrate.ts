/**
 * `npm run migrate` — applies pending SQL migrations to the configured database (PGlite in
 * LUNA_DATA_DIR by default, PostgreSQL with DATABASE_URL) and reports what it did.
 */
import { ConfigError, loadConfig } from '../../api/src/config/index.js';
import { DatabaseUnavailableError, enableExtensions, migrate, openDatabase } from '../../api/src/store/index.js';

try {
  const config = loadConfig();
  const db = await openDatabase(config.database);
  try {
    const ext = await enableExtensions(db, (msg) => console.warn(`warning: ${msg}`));
    const report = await migrate(db);
    console.log(`database: ${db.adapter} at ${db.target}`);
    console.log(`extensions: timescaledb ${ext.timescaledb ? 'on' : 'off'}, vector ${ext.vector ? 'on' : 'off'}`);
    console.log(
      report.applied.length
        ? `applied ${report.applied.length} migration(s): ${report.applied.join(', ')}`
        : `schema up to date (${report.alreadyApplied} migration(s) applied earlier)`,
    );
  } finally {
    await db.close();
  }
} catch (err) {
  const code = err instanceof ConfigError ? 78 : err instanceof DatabaseUnavailableError ? 69 : 1;
  console.error(`migrate: ${(err as Error).message}`);
  process.exit(code);
}
