/**
 * TimescaleDB features, switched on when the extension is installed (server mode): readings become
 * a hypertable (7-day chunks) with native compression of chunks older than 30 days (segmented by
 * series), and — when LUNA_RETENTION_RAW_DAYS is set — raw readings older than that are dropped
 * by a retention policy (the rollups stay). Without TimescaleDB the plain schema (primary key on
 * series and time, BRIN on time) serves, and nothing is dropped.
 *
 * NOT TESTED HERE: no TimescaleDB package exists for Debian 12 and no container engine runs on our
 * build machines; the statements follow TimescaleDB 2.13+ documentation. The compose file runs
 * timescale/timescaledb-ha, where this path is taken.
 */
import type { Logger } from '../ops/logger.js';
import type { Queryable } from '../store/index.js';

export async function enableTimescale(db: Queryable, log: Logger, retentionDays: number | undefined): Promise<void> {
  const { rows } = await db.query<{ is_hypertable: boolean }>(
    `select exists (select 1 from timescaledb_information.hypertables where hypertable_name = 'readings') as is_hypertable`,
  );
  if (!rows[0]?.is_hypertable) {
    await db.query(`select create_hypertable('readings', by_range('ts', interval '7 days'), migrate_data => true, if_not_exists => true)`);
    await db.exec(
      `alter table readings set (timescaledb.compress, timescaledb.compress_segmentby = 'series_id', timescaledb.compress_orderby = 'ts')`,
    );
    await db.query(`select add_compression_policy('readings', interval '30 days', if_not_exists => true)`);
    log.info('timescaledb: readings is now a hypertable (7-day chunks, compression after 30 days)');
  }
  if (retentionDays !== undefined) {
    await db.query(`select remove_retention_policy('readings', if_exists => true)`);
    await db.query(`select add_retention_policy('readings', make_interval(days => $1::int), if_not_exists => true)`, [retentionDays]);
    log.info(`timescaledb: raw readings older than ${retentionDays} days are dropped (rollups are kept)`);
  }
}
