import { defineConfig } from 'vitest/config';

// One runner for all workspaces. Tests that need a real server (PostgreSQL, Redis, Mosquitto,
// Prometheus) read its URL from the environment (`scripts/services up` prints them) and are
// reported as skipped when it is not set.
export default defineConfig({
  test: {
    include: ['{api,jobs,frontend,deploy,scripts}/**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**'],
    environment: 'node',
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
