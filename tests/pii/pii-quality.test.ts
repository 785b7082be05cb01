import { describe, expect, it } from 'vitest';
import { measurePiiQuality, renderPiiQualityReport } from '../../scripts/bench/pii-quality.js';
import { isValidBsn, isValidIban, isValidRrn, type PiiType } from '../../src/pii/index.js';
import { HELD_OUT_LINES } from './held-out-lines.js';
import { LABELLED_LINES, resolveLabels } from './labelled-set.js';

/** Types found by shape: missing one is a leak, so recall must be near perfect. */
const MUST_RECALL: readonly PiiType[] = ['PHONE', 'EMAIL', 'URL', 'IP', 'POSTCODE', 'BSN', 'RRN', 'IBAN'];

describe('the labelled set', () => {
  it('has at least 300 lines, many of them without any detail', () => {
    expect(LABELLED_LINES.length).toBeGreaterThanOrEqual(300);
    expect(LABELLED_LINES.filter((line) => line.pii.length === 0).length).toBeGreaterThanOrEqual(100);
  });

  it('resolves every label to its substring, and fails loudly on a label that is not in its line', () => {
    for (const line of [...LABELLED_LINES, ...HELD_OUT_LINES]) {
      for (const span of resolveLabels(line).spans) expect(span.end).toBeGreaterThan(span.start);
    }
    expect(() => resolveLabels({ text: 'bel 0612345678', pii: [['PHONE', '0687654321']] })).toThrow(/not in/);
  });

  it('labels only numbers that pass their checks as BSN, RRN and IBAN', () => {
    for (const line of [...LABELLED_LINES, ...HELD_OUT_LINES]) {
      for (const [type, substring] of line.pii) {
        const bare = substring.replace(/[\s.\-]/g, '').toUpperCase();
        if (type === 'BSN') expect(isValidBsn(bare), substring).toBe(true);
        if (type === 'RRN') expect(isValidRrn(bare), substring).toBe(true);
        if (type === 'IBAN') expect(isValidIban(bare), substring).toBe(true);
      }
    }
  });
});

describe('detection quality', () => {
  it('recalls at least 98 % of phone numbers, e-mail and web addresses, IPs, postcodes, BSNs, RRNs and IBANs', () => {
    const report = measurePiiQuality();
    console.log(renderPiiQualityReport(report));
    for (const type of MUST_RECALL) {
      expect(report.perType[type].truePositives + report.perType[type].falseNegatives, `${type} is labelled`).toBeGreaterThan(0);
      expect(report.perType[type].recall, type).toBeGreaterThanOrEqual(0.98);
    }
  });

  it('does as well on the held-out lines for the types found by shape', () => {
    const report = measurePiiQuality(HELD_OUT_LINES);
    console.log(renderPiiQualityReport(report, 'held-out set'));
    for (const type of MUST_RECALL) expect(report.perType[type].recall, type).toBeGreaterThanOrEqual(0.98);
  });
});
