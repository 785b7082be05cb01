import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // Most files wait on child processes, brokers, browsers and fsyncs rather than compute, so two
    // files run at once even on two cores (vitest's default there is one).
    maxWorkers: Math.max(2, availableParallelism() - 1),
  },
});
