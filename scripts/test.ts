/**
 * `npm test` — runs every workspace's tests with Vitest and ends with one plain line
 * `N passed, N failed, N skipped` counted from Vitest's JSON report (not from its console text).
 * Tests that need a real server read its URL from the environment (`eval "$(scripts/services up)"`)
 * and are counted as skipped without it. Extra arguments go to Vitest (e.g. a path filter).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';

interface VitestJson {
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
  numTodoTests: number;
  testResults: Array<{ name: string; status: string; message?: string; assertionResults: Array<{ status: string }> }>;
}

const report = 'test-results/vitest.json';
mkdirSync('test-results', { recursive: true });
rmSync(report, { force: true });

const run = spawnSync(
  process.execPath,
  [
    'node_modules/vitest/vitest.mjs',
    'run',
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${report}`,
    ...process.argv.slice(2),
  ],
  { stdio: 'inherit' },
);

let result: VitestJson;
try {
  result = JSON.parse(readFileSync(report, 'utf8')) as VitestJson;
} catch {
  console.log(`test: Vitest wrote no report (exit ${run.status ?? run.signal})`);
  console.log('0 passed, 1 failed');
  process.exit(1);
}

// A file that fails outside its tests (import error, crash in beforeAll/afterAll) counts as one failure.
const brokenFiles = result.testResults.filter((f) => f.status === 'failed' && !f.assertionResults.some((a) => a.status === 'failed'));
for (const f of brokenFiles) console.log(`test: ${f.name} failed outside its tests: ${f.message?.split('\n')[0] ?? ''}`);
const passed = result.numPassedTests;
const failed = result.numFailedTests + brokenFiles.length;
const skipped = result.numPendingTests + result.numTodoTests;
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 || run.status !== 0 || passed === 0 ? 1 : 0);
