import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // expect.poll waits for what a page or server will show; its 1 s default is a race on a loaded
    // two-core run, where a login and two fetches in Chromium took longer. A real failure only
    // reports later.
    expect: { poll: { timeout: 10_000 } },
    pool: 'forks',
    // Most files wait on child processes, brokers, browsers and fsyncs rather than compute, so two
    // files run at once even on two cores (vitest's default there is one).
    maxWorkers: Math.max(2, availableParallelism() - 1),
  },
});
