import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/setup.ts'],
    globalSetup: ['test/global-setup.ts'],
    // tfjs keeps one global engine per process: run files in separate forks, one test at a time.
    pool: 'forks',
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
