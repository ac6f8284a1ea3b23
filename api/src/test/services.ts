/**
 * Test helpers for the real servers started by `scripts/services up`. A test that needs one
 * uses `describe.skipIf(!services.postgres)` so it is reported as skipped, never passed, without it.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

export const services = {
  postgres: process.env.DATABASE_URL,
  redis: process.env.REDIS_URL,
  mqtt: process.env.MQTT_URL,
  prometheus: process.env.PROMETHEUS_URL,
  prometheusConfig: process.env.PROMETHEUS_CONFIG,
  tika: process.env.TIKA_URL,
  /** venv python with pymodbus (its `pymodbus.simulator`) and asyncua: third-party test peers */
  python: process.env.LUNA_PYTHON,
};

/** Creates an empty database on the test PostgreSQL server; `drop()` removes it. */
export async function freshPostgresDatabase(baseUrl: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `luna_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: baseUrl });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

/** A temporary directory removed by the returned function. */
export function tempDir(prefix = 'luna-test-'): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
