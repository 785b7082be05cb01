import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBenchmarks, type BenchResults } from '../../scripts/bench/bench-harness.js';
import { renderReport } from '../../scripts/bench/bench-report.js';
import type { LatencySummary } from '../../scripts/bench/statistics.js';
import { STEP } from '../../scripts/bench/step-profile.js';

// Performance lives in `npm run bench`; this only proves the harness runs end to end, small.
describe('the benchmark harness at a small scale (2,000 contacts, 200 calls)', () => {
  let cacheRoot: string;
  let results: BenchResults;
  let report: string;

  beforeAll(() => {
    cacheRoot = mkdtempSync(join(tmpdir(), 'hgw-bench-'));
    results = runBenchmarks({ contacts: 2000, calls: 200, warmup: 20, cacheRoot });
    report = renderReport(results);
  }, 120_000);

  afterAll(() => {
    rmSync(cacheRoot, { recursive: true, force: true });
  });

  function expectPositive(summary: LatencySummary): void {
    for (const value of [summary.p50Micros, summary.p99Micros, summary.meanMicros, summary.perSecond]) {
      expect(Number.isFinite(value) && value > 0).toBe(true);
    }
  }

  it('measures every pipeline row with positive, finite figures', () => {
    for (const durability of ['durable', 'cpu'] as const) {
      expect(results.pipeline[durability].privacy.samples).toBe(200);
      expect(results.pipeline[durability].plaintext.samples).toBe(200);
      expectPositive(results.pipeline[durability].privacy);
      expectPositive(results.pipeline[durability].plaintext);
    }
    for (const summary of [results.lookups.privacy, results.lookups.privacySqlOnly, results.lookups.plaintext]) expectPositive(summary);
    for (const summary of [results.crypto.hmacPerCall, results.crypto.sealPerCall, results.crypto.monthEpoch]) expectPositive(summary);
  });

  it('shows stations the same prior counts from both stores, and some are not zero', () => {
    expect(results.priorContactsShown.durable.privacy).toBe(results.priorContactsShown.durable.plaintext);
    expect(results.priorContactsShown.cpu.privacy).toBeGreaterThan(0);
  });

  it('profiles each step of both pipelines in both phases', () => {
    for (const durability of ['durable', 'cpu'] as const) {
      const privacySteps = results.steps[durability].privacy.map(({ step }) => step);
      expect(privacySteps).toEqual(expect.arrayContaining([STEP.earlierMonths, STEP.seal, STEP.count, STEP.insert, STEP.frame]));
      expect(results.steps[durability].plaintext.map(({ step }) => step)).toEqual([STEP.parse, STEP.count, STEP.insert, STEP.frame]);
      for (const { summary } of [...results.steps[durability].privacy, ...results.steps[durability].plaintext]) expectPositive(summary);
    }
  });

  it('renders a Markdown table with every row and ratio', () => {
    for (const row of [
      '| durable: synchronous=FULL (shipped) | privacy (shipped desk) |',
      '|  | plaintext baseline |',
      '| CPU only: synchronous=OFF (not shipped) | privacy (shipped desk) |',
      '**privacy ÷ baseline**',
      '| p99 line to station < 10 ms |',
      '| privacy (shipped): 6 HMACs (one per live link month) + count in the in-memory index |',
      '| for comparison: the same count over 6 precomputed pseudonyms in the SQLite pseudonym index |',
      '| for information: the same ratio at p50 |',
      '| plaintext: count where number = ? |',
      '| secretbox seal × 1 (tweetnacl, fresh nonce) |',
      '| **sum of means** |',
    ]) {
      expect(report).toContain(row);
    }
    expect(report).toContain('2,000 stored contacts');
    expect(report).not.toMatch(/NaN|Infinity|undefined/);
  });

  it('builds the population once and reuses it from the cache', () => {
    expect(results.meta.populationSeconds).toBeGreaterThan(0);
    const again = runBenchmarks({ contacts: 2000, calls: 20, warmup: 2, cacheRoot });
    expect(again.meta.populationSeconds).toBeUndefined();
  }, 120_000);
});
