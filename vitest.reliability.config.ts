import { defineConfig } from 'vitest/config';

// `npm run test:reliability`: the long load, race and fault runs, one file at a time (they
// start several server processes or a private PostgreSQL cluster of their own).
export default defineConfig({
  test: {
    include: ['test/reliability/**/*.slow.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 300_000,
    hookTimeout: 120_000,
    maxWorkers: 1,
    fileParallelism: false,
    pool: 'forks',
  },
});
