import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    environment: 'node',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Each file builds its own database; running them one at a time keeps PGlite's memory and the
    // shared PostgreSQL server's connection count low.
    fileParallelism: false,
  },
});
