import { describe, expect, it } from 'vitest';
import { renderUpdateApplyReport, runUpdateApplyBench } from '../../scripts/bench/update-apply-bench.js';

// The figure comes from the script run alone; this only proves it runs end to end, small.
describe('the update apply benchmark at a small scale', () => {
  it('applies a synthetic bundle and renders a table with positive, finite times', async () => {
    const results = await runUpdateApplyBench({ payload: 'synthetic', repetitions: 1, databaseMegabytes: 1, syntheticFiles: 40 });
    expect(results.files).toBe(41);
    for (const value of [results.median.verifyMs, results.median.stageMs, results.median.switchMs, results.median.totalMs, results.median.bootCheckMs]) {
      expect(Number.isFinite(value) && value > 0).toBe(true);
    }
    const table = renderUpdateApplyReport(results);
    expect(table).toMatch(/^### Update apply \(synthetic payload of the same shape\)/);
    expect(table).toMatch(/\| \d+\.\d MB \| 41 \| /);
  });
});
