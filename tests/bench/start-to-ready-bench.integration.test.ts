import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderStartToReadyReport, runStartToReadyBench } from '../../scripts/bench/start-to-ready-bench.js';

// The figures live in the README; this only proves the bench runs end to end, small.
describe('the start-to-ready bench at a small scale (an empty store and 2,000 contacts)', () => {
  it('starts the compiled gateway in processes of its own and renders the table', async () => {
    const cacheRoot = mkdtempSync(join(tmpdir(), 'hgw-start-bench-cache-'));
    try {
      const results = await runStartToReadyBench({ contacts: [0, 2000], repetitions: 1, cacheRoot });
      expect(results.rows.map((row) => row.contacts)).toEqual([0, 2000]);
      for (const { median: start } of results.rows) {
        // The marks come in the order the box passes them.
        expect(0 < start.modulesLoadedMs && start.modulesLoadedMs < start.storeOpenMs && start.storeOpenMs < start.indexLoadedMs && start.indexLoadedMs < start.readyMs).toBe(true);
        expect(start.spawnToReadyMs).toBeGreaterThan(start.readyMs);
        expect(start.cpuMs).toBeGreaterThan(0);
        expect(start.rssBytes).toBeGreaterThan(start.heapUsedBytes);
      }
      const report = renderStartToReadyReport(results);
      expect(report).toMatch(/^\| 2,000 \| [\d.]+ s \| [\d.]+ s \| [\d.]+ s \| \*\*[\d.]+ s\*\* \|/m);
    } finally {
      rmSync(cacheRoot, { recursive: true, force: true });
    }
  }, 120_000);
});
