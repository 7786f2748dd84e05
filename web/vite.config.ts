/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// Node's process, without pulling in all of @types/node for one variable.
declare const process: { env: Record<string, string | undefined> };

// The dev server (npx vite) forwards API, router and hub calls to a server started with scripts/start.sh.
const server = process.env.PLEXUS_URL ?? 'http://127.0.0.1:5080';

export default defineConfig({
  plugins: [react()],
  build: { outDir: '../src/Plexus.Server/wwwroot', emptyOutDir: true, chunkSizeWarningLimit: 1200 },
  server: {
    proxy: {
      '/api': server,
      '/p/': server,
      '/openapi': server,
      '/hubs': { target: server, ws: true },
    },
  },
  test: { environment: 'jsdom', include: ['src/**/*.test.ts', 'src/**/*.test.tsx'] },
});
