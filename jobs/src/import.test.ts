/** The import command against a running service: detection printed, bad rows listed, readings stored. */
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, startTestApp, type TestApp } from '../../api/src/test/app.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const FIXTURES = 'api/src/ingest/csv/fixtures';

describe('npm run import', () => {
  let t: TestApp;
  let token = '';
  beforeAll(async () => {
    t = await startTestApp({ LUNA_ADMIN_PASSWORD: 'Sonnenstrom-2026!' });
    token = (await call(t.base, 'POST', '/auth/login', { body: { username: 'admin', password: 'Sonnenstrom-2026!' } })).body.accessToken;
    await call(t.base, 'POST', '/sites', { token, body: { id: 'musterwerk', name: 'Musterwerk' } });
  });
  afterAll(() => t.close());

  /** Async: the service runs in this process, so the test must not block while the command talks to it. */
  const run = (...args: string[]) =>
    new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', 'jobs/src/import.ts', '--site', 'musterwerk', '--url', t.base, '--token', token, ...args],
        { cwd: REPO },
      );
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('close', (status) => resolve({ status, stdout, stderr }));
    });

  it('imports a Windows-1252 Lastgang of the autumn DST day: 100 quarter hours, then nothing new on a second run', async () => {
    const first = await run(
      '--file',
      `${FIXTURES}/c_lastgang_autumn_windows1252.csv`,
      '--column',
      '2=netz/bezug:energy_import:interval:900',
    );
    expect(first.status, first.stderr).toBe(0);
    expect(first.stdout).toContain('file: c_lastgang_autumn_windows1252.csv (windows-1252, lastgang');
    expect(first.stdout).toContain('created series netz/bezug');
    expect(first.stdout).toContain('done: 100 new, 0 corrected, 0 unchanged, 0 buffered, 0 rejected');
    expect(first.stderr).toContain('[##############################] 100% 100/100 readings');
    const second = await run('--file', `${FIXTURES}/c_lastgang_autumn_windows1252.csv`, '--column', '2=netz/bezug');
    expect(second.stdout).toContain('done: 0 new, 0 corrected, 100 unchanged, 0 buffered, 0 rejected');
    const { rows } = await t.app.db.query<{ first: Date; last: Date; n: number }>(
      `select min(ts) as first, max(ts) as last, count(*)::int as n from readings r join series s on s.id = r.series_id where s.key = 'netz/bezug'`,
    );
    expect(rows[0]!.n).toBe(100);
    expect(new Date(rows[0]!.first).toISOString()).toBe('2025-10-25T22:00:00.000Z');
    expect(new Date(rows[0]!.last).toISOString()).toBe('2025-10-26T22:45:00.000Z');
  });

  it('lists the rejected rows with line and reason and keeps the good ones', async () => {
    const r = await run('--file', `${FIXTURES}/e_text_in_number.csv`, '--column', '2=netz/leistung:active_power:instantaneous');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('3 rows read, 4 rejected');
    expect(r.stdout).toContain('  line 3, Wirkleistung [kW]: "abc" in column "Wirkleistung [kW]" is not a number');
    expect(r.stdout).toContain('done: 3 new, 0 corrected, 0 unchanged, 0 buffered, 4 rejected');
  });

  it('explains a usage error', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'jobs/src/import.ts', '--file', 'x.csv'], { cwd: REPO, encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('import: --site is required');
  });
});
