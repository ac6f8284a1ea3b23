import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

const backend = 'http://127.0.0.1:8080';
// Everything the service answers besides the dashboard files (see api/src/auth/route-table.ts).
const proxied = [
  '/health',
  '/ready',
  '/metrics',
  '/docs',
  '/api',
  '/auth',
  '/sites',
  '/users',
  '/api-keys',
  '/settings',
  '/audit',
  '/device-models',
  '/rag',
  '/knowledge',
  '/ingest',
] as const;

export default defineConfig({
  base: '/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
  },
  server: {
    // ws: the live WebSocket API (GET /sites/:siteId/live) goes through the same proxy
    proxy: Object.fromEntries(proxied.map((path) => [path, { target: backend, changeOrigin: false, ws: path === '/sites' }])),
  },
});
