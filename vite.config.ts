import { defineConfig } from 'vitest/config';
import react from '@vitejs/plugin-react';
import tailwindcss from '@tailwindcss/vite';

// One config for the page's build and for the test suite: server tests run in Node, page tests in jsdom.
export default defineConfig({
  plugins: [react(), tailwindcss()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // three.js is one 614 KB chunk (156 KB gzip), loaded only when an asset's 3D preview opens; the list page's
    // own entry stays near 430 KB. The limit sits just above the 3D chunk so a new large chunk still warns.
    chunkSizeWarningLimit: 650,
  },
  server: { proxy: { '/api': 'http://127.0.0.1:3000' } },
  test: {
    globals: true,
    projects: [
      {
        extends: true,
        test: {
          name: 'server',
          environment: 'node',
          include: ['tests/server/**/*.test.ts', 'tests/contract/**/*.test.ts', 'tests/build/**/*.test.ts'],
          testTimeout: 30_000,
          hookTimeout: 30_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'web',
          environment: 'jsdom',
          include: ['tests/web/**/*.test.{ts,tsx}'],
          setupFiles: ['tests/web/setup.ts'],
        },
      },
      {
        // Real browser (Debian's Chromium) against the real server; .ci/run installs Chromium.
        extends: true,
        test: {
          name: 'e2e',
          environment: 'node',
          include: ['tests/e2e/**/*.e2e.test.ts'],
          // Each file starts a server that rebuilds dist/ when stale; two at once would race in one folder.
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 180_000,
        },
      },
      {
        // Minutes-long loops (SIGKILL at random points, sustained load): `npm run test:faults`, also run by .ci/run.
        extends: true,
        test: {
          name: 'faults',
          environment: 'node',
          include: ['tests/faults/**/*.faults.test.ts'],
          fileParallelism: false,
          testTimeout: 600_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
