import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // One real Temporal dev server and one real MLflow server for the whole run (test/setup).
    globalSetup: ['test/setup/servers.ts'],
    // TF.js training is CPU-heavy and the machine has 2 cores: run files one at a time.
    fileParallelism: false,
    testTimeout: 300_000,
    hookTimeout: 300_000,
  },
});
