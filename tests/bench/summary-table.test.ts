import { describe, expect, it } from 'vitest';
import { formatValue, renderSummaryTable, summaryRow, summaryRows } from '../../scripts/bench/summary-table.js';
import type { PiiQualityReport } from '../../scripts/bench/pii-quality.js';
import type { RtpRelayResults } from '../../scripts/bench/rtp-relay-bench.js';

describe('a summary row', () => {
  it('reads a ratio target on measured ÷ baseline and says by how much it is missed', () => {
    const row = summaryRow({ figure: 'intake mean', unit: 'ms', measured: 1.5, baseline: { value: 1, what: 'plaintext pipeline' }, target: { on: 'ratio', relation: '≤', value: 1.25 } });
    expect(row).toEqual({
      figure: 'intake mean',
      measured: '1.50 ms',
      baseline: '1.00 ms (plaintext pipeline)',
      ratio: '1.50×',
      target: 'ratio ≤ 1.25×',
      verdict: '**MISSED** by 0.25×',
      met: false,
    });
    expect(summaryRow({ figure: 'x', unit: 'ms', measured: 1.2, baseline: { value: 1, what: 'b' }, target: { on: 'ratio', relation: '≤', value: 1.25 } }).verdict).toBe('met');
  });

  it('reads an added target on measured − baseline (call setup: through the box less SIPp → SIPp)', () => {
    const missed = summaryRow({ figure: 'setup p99', unit: 'ms', measured: 34.4, baseline: { value: 4.2, what: 'SIPp → SIPp' }, target: { on: 'added', relation: '<', value: 20 } });
    expect(missed.target).toBe('added < 20.00 ms');
    expect(missed.verdict).toBe('**MISSED** by 10.20 ms (added 30.20 ms)');
    expect(summaryRow({ figure: 'setup p99', unit: 'ms', measured: 18, baseline: { value: 4, what: 'SIPp → SIPp' }, target: { on: 'added', relation: '<', value: 20 } }).met).toBe(true);
  });

  it('reads a plain target on the figure, strict or not, and shows — where there is no baseline or target', () => {
    expect(summaryRow({ figure: 'p99', unit: 'ms', measured: 10, target: { on: 'measured', relation: '<', value: 10 } }).met).toBe(false);
    expect(summaryRow({ figure: 'recall', unit: 'fraction', measured: 0.98, target: { on: 'measured', relation: '≥', value: 0.98 } }).verdict).toBe('met');
    expect(summaryRow({ figure: 'apply', unit: 's', measured: 5.98 })).toMatchObject({ measured: '5.98 s', baseline: '—', ratio: '—', target: '—', verdict: '—', met: undefined });
  });

  it('cannot judge a ratio target without a baseline', () => {
    expect(summaryRow({ figure: 'x', unit: 'ms', measured: 2, target: { on: 'ratio', relation: '≤', value: 1.25 } })).toMatchObject({ verdict: '—', met: undefined });
  });

  it('formats each unit', () => {
    expect([formatValue(0.25, 'ms'), formatValue(12.345, 'ms'), formatValue(3.2, '%'), formatValue(349.4, 'MB'), formatValue(40, 'per-second'), formatValue(0.976, 'fraction')]).toEqual(['250 µs', '12.35 ms', '3.2 %', '349 MB', '40.0/s', '0.976']);
  });
});

describe('the summary table', () => {
  const perfect = { truePositives: 10, falsePositives: 0, falseNegatives: 0, precision: 1, recall: 1 };
  const pii = (ibanRecall: number): PiiQualityReport => ({
    lines: 10,
    linesWithoutPii: 2,
    perType: new Proxy({}, { get: (_, type) => (type === 'IBAN' ? { ...perfect, recall: ibanRecall } : perfect) }) as PiiQualityReport['perType'],
    overall: perfect,
  });
  const relay = (calls: number): RtpRelayResults => ({
    calls, listenAlong: 0, seconds: 10, node: 'v20', cpu: 'cpu', cores: 2, cpuPercentOfOneCore: 13, cpuMillisecondsPerCallPerSecond: 4.3,
    packetsSent: 1, packetsReceived: 1, packetsForwarded: 1, lossPercent: 0, supervisorFramesReceived: 0, supervisorFramesExpectedAbout: 0,
  });

  it('takes the lowest recall of the issue\'s structured types and judges the relay only at the calls its target names', () => {
    const rows = summaryRows({ pii: { labelled: pii(1), heldOut: pii(0.9) }, rtpRelay: relay(1) });
    expect(rows.map((row) => [row.figure, row.verdict])).toEqual([
      ['RTP relay CPU, 1 calls (% of one core; target for 30)', '—'],
      ['PII recall, lowest of the structured types (labelled set)', 'met'],
      ['PII recall, all types (labelled set)', '—'],
      ['PII precision, all types (labelled set)', '—'],
      ['PII recall, lowest of the structured types (held-out set)', '**MISSED** by 0.080'],
      ['PII recall, all types (held-out set)', '—'],
      ['PII precision, all types (held-out set)', '—'],
    ]);
    expect(summaryRows({ rtpRelay: relay(30) })[0]).toMatchObject({ target: '< 50.0 %', verdict: 'met' });
  });

  it('renders a Markdown table with a count of the targets met and missed', () => {
    const table = renderSummaryTable([
      summaryRow({ figure: 'a', unit: 'ms', measured: 5, target: { on: 'measured', relation: '<', value: 10 } }),
      summaryRow({ figure: 'b', unit: 'ms', measured: 15, target: { on: 'measured', relation: '<', value: 10 } }),
      summaryRow({ figure: 'c', unit: 's', measured: 1 }),
    ]);
    expect(table).toContain('1 of 2 targets met, **1 missed**; 1 without a target (—).');
    expect(table).toContain('| figure | measured | baseline (same run) | ratio | target | verdict |');
    expect(table).toContain('| b | 15.00 ms | — | — | < 10.00 ms | **MISSED** by 5.00 ms |');
  });
});
