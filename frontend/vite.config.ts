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
] as const;

export default defineConfig({
  base: '/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
  },
  server: {
    proxy: Object.fromEntries(proxied.map((path) => [path, { target: backend, changeOrigin: false }])),
  },
});
