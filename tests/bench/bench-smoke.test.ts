import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBenchmarks, type BenchResults } from '../../scripts/bench/bench-harness.js';
import { renderReport, renderRetentionReport } from '../../scripts/bench/bench-report.js';
import { benchCallers, runCallSetupBench, trunkShares, type CallSetupResults } from '../../scripts/bench/call-setup-bench.js';
import { runRtpRelayBench, type RtpRelayResults } from '../../scripts/bench/rtp-relay-bench.js';
import { callSetupVerdict, renderCallSetupReport, renderRtpRelayReport, rtpRelayVerdict } from '../../scripts/bench/telephony-report.js';
import { runRetentionBench, type RetentionResults } from '../../scripts/bench/retention-bench.js';
import type { LatencySummary } from '../../scripts/bench/statistics.js';
import { STEP } from '../../scripts/bench/step-profile.js';
import { renderBusyEveningReport, runBusyEveningBench, type BusyEveningResults } from '../../scripts/bench/busy-evening-bench.js';
import { runRawInsertBaseline } from '../../scripts/bench/raw-insert-baseline.js';
import { renderSummaryTable, summaryRows } from '../../scripts/bench/summary-table.js';

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
    for (const summary of [results.lookups.privacy, results.lookups.plaintext]) expectPositive(summary);
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
      '| for information: the same ratio at p50 |',
      '| plaintext: count where number = ? |',
      '| secretbox seal × 1 (tweetnacl, fresh nonce) |',
      '| **sum of means** |',
    ]) {
      expect(report).toContain(row);
    }
    expect(report).toContain('2,000 stored contacts');
    expect(report).not.toContain('SQLite pseudonym index');
    expect(report).not.toMatch(/NaN|Infinity|undefined/);
  });

  it('builds the population once and reuses it from the cache', () => {
    expect(results.meta.populationSeconds).toBeGreaterThan(0);
    const again = runBenchmarks({ contacts: 2000, calls: 20, warmup: 2, cacheRoot });
    expect(again.meta.populationSeconds).toBeUndefined();
  }, 120_000);
});

// The retention run is timed by `npm run bench`; this proves it sweeps for real and reports every figure.
describe('the retention benchmark at a small scale (5,000 phone contacts, 125 chats, 1,250 transcript lines over twelve months)', () => {
  let cacheRoot: string;
  let results: RetentionResults;

  beforeAll(async () => {
    cacheRoot = mkdtempSync(join(tmpdir(), 'hgw-retention-bench-'));
    results = await runRetentionBench({ contacts: 5000, cacheRoot, variants: [{}, { batchSize: 500 }] });
  }, 120_000);

  afterAll(() => {
    rmSync(cacheRoot, { recursive: true, force: true });
  });

  it('builds chats with sealed transcript lines beside the phone contacts', () => {
    expect(results.meta).toMatchObject({ policy: 'allesoke-nl', contacts: 5000, chats: 125, transcriptLines: 1250 });
    expect(results.meta.populationSeconds).toBeGreaterThan(0);
  });

  it('clears every class the Dutch rules make due: six phone months, nine chat months, and shreds their keys', () => {
    expect(results.meta.phoneDueMonths).toHaveLength(6);
    expect(results.meta.phoneLiveMonths).toHaveLength(6);
    expect(results.meta.chatDueMonths).toHaveLength(9);
    expect(results.meta.chatLiveMonths).toHaveLength(3);
    for (const run of results.runs) {
      expect(run.rows.contactsUnlinked).toBeGreaterThan(1000);
      expect(run.rows.phoneNumbersDestroyed).toBe(run.rows.contactsUnlinked);
      expect(run.rows.chatAddressesDestroyed).toBeGreaterThan(50);
      expect(run.rows.transcriptLinesDeleted).toBeGreaterThan(500);
      expect(run.rows.transcriptLinesDeleted).toBeLessThan(1250);
      expect(run.rows.mailAddressesDestroyed).toBe(0);
      expect(run.keysShredded).toEqual({ link: 6, 'phone-number': 6, 'chat-ip': 9, 'chat-transcript': 9 });
    }
    expect(results.runs[1]?.rows).toEqual(results.runs[0]?.rows);
  });

  it('measures the loop, the calls and every step of the sweep with positive, finite figures', () => {
    for (const run of results.runs) {
      for (const window of [run.baseline, run.sweep]) {
        expect(window.calls.offered).toBeGreaterThan(0);
        for (const value of [window.wallMs, window.loop.longestStallMs, window.loop.histogramMaxMs, window.loop.histogramP99Ms, window.calls.worstMs, window.calls.p99Ms, window.calls.p50Ms, window.calls.worstServiceMs, window.longestFsyncMs]) {
          expect(Number.isFinite(value) && value > 0).toBe(true);
        }
      }
      const { breakdown } = run;
      for (const value of [
        breakdown.contactRanges.longestMs,
        breakdown.contactRanges.totalMs,
        breakdown.transcriptRanges.longestMs,
        breakdown.transcriptRanges.totalMs,
        breakdown.priorIndexMs,
        breakdown.shredTotalMs,
        breakdown.shredLongestMs,
        breakdown.checkpointMs,
        breakdown.auditMs,
      ]) {
        expect(Number.isFinite(value) && value > 0).toBe(true);
      }
      expect(breakdown.shreds).toBe(30);
      expect(breakdown.longestStep.ms).toBeGreaterThan(0);
      // Ranges commit without an fsync of their own; the checkpoint before the shreds makes them durable.
      expect(breakdown.contactRanges.fsyncs).toBeLessThan(breakdown.contactRanges.count);
      expect(breakdown.transcriptRanges.fsyncs).toBeLessThan(breakdown.transcriptRanges.count);
      expect(breakdown.walBytesBeforeCheckpoint).toBeGreaterThan(0);
      expect(run.sweep.longestStallHeldBy).not.toBe('');
    }
    // 5,125 contacts (and the few hundred the calls before the sweep added) and 1,250 lines: ranges of the shipped 1,000 ids, then of 500.
    const [shipped, halved] = results.runs;
    expect(shipped?.breakdown.contactRanges.count).toBeGreaterThanOrEqual(6);
    expect(halved?.breakdown.contactRanges.count).toBeGreaterThanOrEqual(2 * (shipped?.breakdown.contactRanges.count ?? 0) - 1);
    expect([shipped?.breakdown.transcriptRanges.count, halved?.breakdown.transcriptRanges.count]).toEqual([2, 3]);
  });

  it('renders the retention section with every row, one column per variant, and the verdict', () => {
    const report = renderRetentionReport(results);
    for (const row of [
      '### Retention run: 5,000 phone contacts, 125 chats, 1,250 transcript lines',
      '| RetentionSweeper.sweep() | shipped (1,000 ids per range) | 500 ids per range |',
      '| pseudonyms nulled (phone linkage) |',
      '| sealed chat IP addresses destroyed |',
      '| transcript lines deleted |',
      '| keys shredded | 30: 6 link + 6 phone-number + 9 chat-ip + 9 chat-transcript + 0 mail |',
      '| **longest event-loop stall** (1 ms setInterval, largest gap) |',
      '| what ran during the longest stall (time in fsync) |',
      '| longest single step of the sweep itself (time in fsync, fsyncs) |',
      '| call latency during the sweep, line due → station frame: worst / p99 / p50 |',
      '| transcript ranges: count / longest / p99 / total (of it in fsync) |',
      '| WAL checkpoint at the end (WAL size before it) |',
      '| longest event-loop stall during the retention run < 50 ms (1 ms interval probe; shipped (1,000 ids per range)) |',
      '| for information: p99 call latency during the sweep vs calls alone |',
    ]) {
      expect(report).toContain(row);
    }
    expect(report).toContain('5,125 stored contacts');
    expect(report).not.toMatch(/NaN|Infinity|undefined/);
  });

  it('rebuilds the store rather than reuse one cached under another key', async () => {
    const again = await runRetentionBench({ contacts: 5000, cacheRoot, variants: [] });
    expect(again.meta.populationSeconds).toBeUndefined();
    const smaller = await runRetentionBench({ contacts: 4000, cacheRoot, variants: [] });
    expect(smaller.meta.populationSeconds).toBeGreaterThan(0);
    expect(smaller.meta.chats).toBe(100);
  }, 120_000);
});

// Issue 4's figures come from `npm run bench`; this proves the SIPp runs, the gateway and the relay work, small.
describe('the call-setup benchmark at a small scale (6 calls per path at 8/s, then 12 at 10/s over two trunk addresses)', () => {
  let results: CallSetupResults;

  beforeAll(async () => {
    results = await runCallSetupBench({ calls: 6, rate: 8, holdMs: 100, warmup: 2, stations: 4, peak: { rate: 10, calls: 12, holdMs: 100 } });
  }, 60_000);

  it('sets up every call directly and through the box, and times each one', () => {
    for (const pair of [results.steady, results.peak]) {
      if (!pair) throw new Error('no peak run');
      for (const run of [pair.direct, pair.box]) {
        expect(run.answered).toBe(run.offered);
        expect(run.sippFailures).toBe(0);
        expect(run.setup.samples).toBe(run.offered);
        expect(run.setup.p50Micros).toBeGreaterThan(0);
        expect(run.setupsPerSecond).toBeGreaterThan(0);
      }
      expect(pair.box.boxCpuMillisPerCall).toBeGreaterThan(0);
      expect(pair.addedP99Micros).toBe(pair.box.setup.p99Micros - pair.direct.setup.p99Micros);
    }
    expect(results.peak?.box.trunkAddresses).toBe(2);
    expect(results.steady.box.legs?.toDesk.samples).toBe(6);
    expect(results.line.callsConnected).toBe(2 + 6 + 12);
  });

  it('shows the desk phone the count for repeat callers and never a caller number', () => {
    expect(results.desk.invites).toBe(6 + 12);
    expect(results.desk.repeatCalls).toBeGreaterThan(0);
    expect(results.desk.knownCaller).toBe(results.desk.repeatCalls);
    expect(results.desk.firstContact + results.desk.knownCaller).toBe(results.desk.invites);
    expect(results.desk.leaks).toBe(0);
  });

  it('renders the tables, the split of a setup and the verdict', () => {
    const report = renderCallSetupReport(results);
    for (const row of ['| steady | SIPp → SIPp directly |', '|  | **through the box** |', '|  | **added by the box** |', '| peak | SIPp → SIPp directly |',
      "| trunk INVITE → desk phone's INVITE", '| setup delay the box adds, p99 < 20 ms (steady run) |']) {
      expect(report).toContain(row);
    }
    expect(report).not.toMatch(/NaN|Infinity|undefined/);
    expect(callSetupVerdict(results)).toMatch(/^call setup: added p99 -?\d+\.\d\d ms \(< 20 ms: (met|MISSED)\), \d+\.\d setups\/s/);
  });
});

describe('the call-setup benchmark callers and trunks', () => {
  it('draws distinct Dutch mobile numbers with a quarter repeat callers, the same for the same seed', () => {
    const callers = benchCallers(400, 0, 11);
    const distinct = new Set(callers.map((caller) => caller.e164)).size;
    expect(distinct).toBeGreaterThan(250);
    expect(distinct).toBeLessThan(350);
    expect(callers[0]).toEqual({ national: '0612000000', e164: '31612000000' });
    expect(benchCallers(400, 0, 11)).toEqual(callers);
  });

  it('keeps each trunk address under the shipped flood guard', () => {
    const callers = benchCallers(10, 0, 1);
    expect(trunkShares(callers, 8).map((share) => share.sourceAddress)).toEqual(['127.0.0.1']);
    const shares = trunkShares(callers, 40);
    expect(shares.map((share) => [share.sourceAddress, share.rate, share.callers.length])).toEqual([
      ['127.0.0.1', 8, 2], ['127.0.0.2', 8, 2], ['127.0.0.3', 8, 2], ['127.0.0.4', 8, 2], ['127.0.0.5', 8, 2],
    ]);
  });
});

describe('the RTP relay benchmark at a small scale (1 relayed call for 1 s)', () => {
  let results: RtpRelayResults;

  beforeAll(async () => {
    results = await runRtpRelayBench({ calls: 1, seconds: 1 });
  }, 30_000);

  it('relays both directions and counts the relay CPU', () => {
    expect(results.packetsSent).toBeGreaterThan(80);
    expect(results.packetsForwarded).toBeGreaterThan(80);
    expect(results.lossPercent).toBeLessThan(5);
    expect(results.cpuPercentOfOneCore).toBeGreaterThan(0);
    expect(results.cpuMillisecondsPerCallPerSecond).toBeGreaterThan(0);
  });

  it('renders its table and a verdict that says the target is for 30 calls', () => {
    const report = renderRtpRelayReport(results);
    expect(report).toContain('### RTP relay: concurrent relayed calls');
    expect(report).toContain('(at 1 call; the target is for 30)');
    expect(report).not.toMatch(/NaN|Infinity|undefined/);
    expect(rtpRelayVerdict(results)).toMatch(/^RTP relay: 1 call \d+(\.\d)?% of one core \(< 50% for 30: (met|MISSED)\)/);
  });
});

// The busy evening's figures come from `npm run bench`; this proves the whole box takes every flow at once, small.
describe('the busy evening at a small scale (2,000 contacts, 2 calls up at once, 4 chats, mail, a retention run and a statistics close)', () => {
  let cacheRoot: string;
  let results: BusyEveningResults;

  beforeAll(async () => {
    cacheRoot = mkdtempSync(join(tmpdir(), 'hgw-evening-bench-'));
    results = await runBusyEveningBench({ contacts: 2000, calls: 2, holdSeconds: 1, chats: 4, seconds: 2, mailsPerMinute: 60, registrations: 200, cacheRoot });
  }, 90_000);

  afterAll(() => {
    rmSync(cacheRoot, { recursive: true, force: true });
  });

  it('sees every call at the station and answers every chat line, alone and on the busy evening', () => {
    for (const phase of [results.callsAlone, results.busy, results.empty.callsAlone]) {
      expect(phase.lineToStation.offered).toBe(4);
      expect(phase.lineToStation.framesSeen).toBe(4);
      expect(phase.lineToStation.samples + phase.lineToStation.stampedLate).toBe(4);
      expect(phase.lineToStation.samples).toBeGreaterThan(0);
      expect(phase.lineToStation.p50Ms).toBeGreaterThan(0);
      expect(phase.longestStallMs).toBeGreaterThan(0);
      expect(phase.peakRssBytes).toBeGreaterThan(50 * 2 ** 20);
    }
    for (const phase of [results.chatsAlone, results.busy]) {
      expect(phase.chat?.callerToVolunteer.samples).toBeGreaterThanOrEqual(4);
      expect(phase.chat?.volunteerToCaller.samples).toBeGreaterThanOrEqual(4);
      expect(phase.chat?.lost).toBe(0);
    }
    expect(results.busy.httpFailures).toBe(0);
  });

  it('runs the month\'s retention and the week\'s statistics close inside the evening, with mail arriving', () => {
    expect(results.busy.sweep.rowsCleared).toBeGreaterThan(0);
    expect(results.busy.sweep.keysShredded).toBe(4);
    expect(results.busy.close.periods).toBeGreaterThan(0);
    expect(results.busy.mails.sent).toBeGreaterThan(0);
    expect(results.busy.mails.refused).toBe(0);
  });

  it('renders the evening, the peak RSS and their summary rows next to a raw-insert baseline', () => {
    const report = renderBusyEveningReport(results);
    for (const row of ['| line to station (trunk INVITE → station frame), **p99** |', '| chat volunteer → caller, **p99** |', '| **longest event-loop stall**', '| **2,000 stored contacts** |', '| empty store (baseline) |']) {
      expect(report).toContain(row);
    }
    const rawInsert = runRawInsertBaseline({ inserts: 20, warmup: 2 });
    expect(rawInsert.samples).toBe(20);
    const summary = renderSummaryTable(summaryRows({ busyEvening: results, rawInsert }));
    expect(summary).toContain('| busy evening: line to station, p99 |');
    expect(summary).toContain('| peak RSS with calls at 2,000 stored contacts |');
    expect(`${report}${summary}`).not.toMatch(/NaN|Infinity|undefined/);
  });
});
