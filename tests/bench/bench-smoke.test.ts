import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBenchmarks, type BenchResults } from '../../scripts/bench/bench-harness.js';
import { renderReport, renderRetentionReport } from '../../scripts/bench/bench-report.js';
import { runRetentionBench, type RetentionResults } from '../../scripts/bench/retention-bench.js';
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

// The retention run is timed by `npm run bench`; this proves it sweeps for real and reports every figure.
describe('the retention benchmark at a small scale (5,000 contacts over twelve months)', () => {
  let cacheRoot: string;
  let results: RetentionResults;

  beforeAll(async () => {
    cacheRoot = mkdtempSync(join(tmpdir(), 'hgw-retention-bench-'));
    results = await runRetentionBench({ contacts: 5000, cacheRoot, variants: [{}, { batchSize: 1000 }] });
  }, 120_000);

  afterAll(() => {
    rmSync(cacheRoot, { recursive: true, force: true });
  });

  it('sweeps the six due months of both runs: rows unlinked, sealed copies destroyed, six keys of each kind shredded', () => {
    expect(results.meta.dueMonths).toHaveLength(6);
    expect(results.meta.liveMonths).toHaveLength(6);
    for (const run of results.runs) {
      expect(run.contactsUnlinked).toBeGreaterThan(1000);
      expect(run.sealsDestroyed).toBe(run.contactsUnlinked);
      expect([run.linkKeysShredded, run.sealKeysShredded]).toEqual([6, 6]);
    }
    expect(results.runs[1]?.contactsUnlinked).toBe(results.runs[0]?.contactsUnlinked);
  });

  it('measures the loop, the calls and every step of the sweep with positive, finite figures', () => {
    for (const run of results.runs) {
      for (const window of [run.baseline, run.sweep]) {
        expect(window.calls.offered).toBeGreaterThan(0);
        for (const value of [window.wallMs, window.loop.longestStallMs, window.loop.histogramMaxMs, window.loop.histogramP99Ms, window.calls.worstMs, window.calls.p99Ms, window.calls.p50Ms, window.calls.worstServiceMs]) {
          expect(Number.isFinite(value) && value > 0).toBe(true);
        }
      }
      const { breakdown } = run;
      for (const value of [breakdown.rangeTransactionMaxMs, breakdown.rangeTransactionTotalMs, breakdown.shredTotalMs, breakdown.shredMaxMs, breakdown.checkpointMs, breakdown.auditMs, breakdown.tailMs]) {
        expect(Number.isFinite(value) && value > 0).toBe(true);
      }
    }
    expect(results.runs[0]?.breakdown.rangeTransactions).toBe(1);
    expect(results.runs[1]?.breakdown.rangeTransactions).toBeGreaterThanOrEqual(5);
  });

  it('renders the retention section with every row, one column per batch size', () => {
    const report = renderRetentionReport(results);
    for (const row of [
      '### Retention run (contacts; transcripts do not exist yet, issue 5)',
      '| LinkageSweeper.sweep() | shipped batch size | batch 1,000 |',
      '| rows unlinked (pseudonym nulled) |',
      '| sealed copies destroyed |',
      '| keys shredded (link + sealed-number) | 6 + 6 | 6 + 6 |',
      '| **longest event-loop stall** (1 ms setInterval, largest gap) |',
      '| call latency, line due → station frame: worst / p99 / p50 |',
      '| WAL checkpoint at the end (WAL size before it) |',
      '| longest event-loop stall during the retention run < 50 ms (shipped batch size) |',
    ]) {
      expect(report).toContain(row);
    }
    expect(report).toContain('5,000 stored contacts');
    expect(report).not.toMatch(/NaN|Infinity|undefined/);
  });
});
