import { describe, expect, it } from 'vitest';
import { renderStatsBench, runStatsBench } from '../../scripts/bench/stats-bench.js';

// Performance lives in `npm run bench`; this only proves the statistics bench runs end to end, small.
describe('the statistics bench at a small scale (3,000 contacts, monthly)', () => {
  it('closes every month of the year through the aggregator and renders one table row per period length', async () => {
    const results = await runStatsBench({ contacts: 3000, periods: ['month'] });
    expect(results.distinctCallers).toBeGreaterThan(0);
    expect(results.runs).toHaveLength(1);
    const [month] = results.runs;
    expect(month).toMatchObject({ periodLength: 'month', periods: 12, messages: 12 });
    expect(month?.bytes).toBeGreaterThan(12 * 1000);
    expect(month?.p50).toBeGreaterThan(0);
    expect(month?.baselineP50).toBeGreaterThan(0);
    const table = renderStatsBench(results);
    expect(table).toContain('| month | 12 |');
    expect(month?.eventLoopStallMs).toBeGreaterThan(0);
    expect(month?.longestReadMs).toBeGreaterThan(0);
    expect(month?.longestCommitMs).toBeGreaterThan(0);
    // The figures table and the table of what held the loop longest: a header, a rule and a row each.
    expect(table.split('\n').filter((line) => line.startsWith('|'))).toHaveLength(6);
  }, 60_000);
});
