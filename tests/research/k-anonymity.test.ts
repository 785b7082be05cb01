import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ageBandHierarchy, anonymize, keepOrHideHierarchy, periodHierarchy, type Hierarchy, type QuasiRecord } from '../../src/research/index.js';

const MONTHS = ['2026-01', '2026-02', '2026-03', '2026-04', '2026-05', '2026-06', '2026-07', '2026-08', '2026-09', '2026-10', '2026-11', '2026-12'];
const AGE_BANDS = ['8-11', '12-14', '15-17', '18-21', 'unknown', 'other'];
const CHANNELS = ['phone', 'chat', 'mail'];
const OUTCOMES = ['conversation', 'referred', 'hung-up', 'other'];
const TOPICS = ['bullying', 'family', 'school', 'mental-health', 'abuse', 'other'];

const hierarchies: Hierarchy[] = [periodHierarchy(), ageBandHierarchy(AGE_BANDS), keepOrHideHierarchy('channel', CHANNELS), keepOrHideHierarchy('outcome', OUTCOMES)];

/** Skewed towards a few values, as real registrations are, so that classes of every size occur. */
const skewed = (values: readonly string[]): fc.Arbitrary<string> =>
  fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...values.slice(0, 2)) }, { weight: 1, arbitrary: fc.constantFrom(...values) });

const record: fc.Arbitrary<QuasiRecord> = fc
  .tuple(skewed(MONTHS), skewed(AGE_BANDS), skewed(CHANNELS), skewed(OUTCOMES), skewed(TOPICS))
  .map(([month, ageBand, channel, outcome, topic]) => ({ quasi: [month, ageBand, channel, outcome], topic }));

const model = fc.record({ k: fc.integer({ min: 2, max: 12 }), l: fc.integer({ min: 2, max: 4 }), maxSuppressedPercent: fc.integer({ min: 0, max: 20 }) }).filter((m) => m.l <= m.k);

function classesOf(kept: ReturnType<typeof anonymize>['kept'], records: readonly QuasiRecord[]): Map<string, { size: number; topics: Set<string> }> {
  const classes = new Map<string, { size: number; topics: Set<string> }>();
  for (const row of kept) {
    const key = row.quasi.join('|');
    const found = classes.get(key) ?? { size: 0, topics: new Set<string>() };
    found.size += 1;
    found.topics.add(records[row.index]?.topic ?? '');
    classes.set(key, found);
  }
  return classes;
}

describe('anonymize (k-anonymity with distinct l-diversity)', () => {
  it('leaves every equivalence class with at least k records and l distinct topics, over random registration sets', () => {
    fc.assert(
      fc.property(fc.array(record, { maxLength: 400 }), model, (records, m) => {
        const result = anonymize(records, hierarchies, { k: m.k, l: m.l, maxSuppressed: Math.floor((records.length * m.maxSuppressedPercent) / 100) });
        const classes = classesOf(result.kept, records);
        for (const found of classes.values()) {
          expect(found.size).toBeGreaterThanOrEqual(m.k);
          expect(found.topics.size).toBeGreaterThanOrEqual(m.l);
        }
        expect(result.kept.length + result.suppressed).toBe(records.length);
        expect(result.classes).toBe(classes.size);
        expect(result.smallestClass).toBe(classes.size === 0 ? 0 : Math.min(...[...classes.values()].map((found) => found.size)));
      }),
      { numRuns: 150 },
    );
  });

  it('writes every kept record at the chosen levels, each value its own generalization', () => {
    fc.assert(
      fc.property(fc.array(record, { minLength: 1, maxLength: 200 }), (records) => {
        const result = anonymize(records, hierarchies, { k: 3, l: 2, maxSuppressed: Math.floor(records.length / 20) });
        for (const row of result.kept) {
          const original = records[row.index];
          expect(row.quasi).toEqual(original?.quasi.map((value, i) => hierarchies[i]?.generalize(value, result.levels[i] ?? 0)));
        }
        const changed = result.kept.filter((row) => row.quasi.some((value, i) => value !== records[row.index]?.quasi[i])).length;
        expect(result.generalized).toBe(changed);
      }),
      { numRuns: 100 },
    );
  });

  it('generalizes minimally: one level less on any quasi-identifier would suppress more than the limit', () => {
    fc.assert(
      fc.property(fc.array(record, { minLength: 1, maxLength: 300 }), model, (records, m) => {
        const maxSuppressed = Math.floor((records.length * m.maxSuppressedPercent) / 100);
        const result = anonymize(records, hierarchies, { k: m.k, l: m.l, maxSuppressed });
        if (!result.withinSuppressionLimit) return;
        expect(result.suppressed).toBeLessThanOrEqual(maxSuppressed);
        result.levels.forEach((level, i) => {
          if (level === 0) return;
          const finer = result.levels.map((other, j) => (j === i ? other - 1 : other));
          expect(suppressedAt(records, finer, m.k, m.l)).toBeGreaterThan(maxSuppressed);
        });
      }),
      { numRuns: 100 },
    );
  });

  it('keeps everything as registered when every class is already large and diverse', () => {
    const records: QuasiRecord[] = [];
    for (const topic of ['school', 'family', 'school', 'family', 'bullying']) records.push({ quasi: ['2026-03', '12-14', 'phone', 'conversation'], topic });
    const result = anonymize(records, hierarchies, { k: 5, l: 2, maxSuppressed: 0 });
    expect(result.levels).toEqual([0, 0, 0, 0]);
    expect(result.generalized).toBe(0);
    expect(result.suppressed).toBe(0);
  });

  it('suppresses a class with one topic only, however large (distinct l-diversity)', () => {
    const records: QuasiRecord[] = [
      ...Array.from({ length: 10 }, (_, i): QuasiRecord => ({ quasi: ['2026-03', '12-14', 'phone', 'conversation'], topic: i % 2 === 0 ? 'school' : 'family' })),
      ...Array.from({ length: 6 }, (): QuasiRecord => ({ quasi: ['2026-03', '15-17', 'chat', 'conversation'], topic: 'abuse' })),
    ];
    const result = anonymize(records, hierarchies, { k: 5, l: 2, maxSuppressed: 6 });
    expect(result.levels).toEqual([0, 0, 0, 0]);
    expect(result.suppressed).toBe(6);
    expect(result.kept.every((row) => records[row.index]?.topic !== 'abuse')).toBe(true);
  });

  it('generalizes the month to the quarter rather than suppress beyond the limit', () => {
    const records: QuasiRecord[] = ['2026-01', '2026-02', '2026-03'].flatMap((month) =>
      ['school', 'family'].map((topic): QuasiRecord => ({ quasi: [month, '12-14', 'phone', 'conversation'], topic })),
    );
    const result = anonymize(records, hierarchies, { k: 5, l: 2, maxSuppressed: 0 });
    expect(result.levels).toEqual([1, 0, 0, 0]);
    expect(new Set(result.kept.map((row) => row.quasi[0]))).toEqual(new Set(['2026-Q1']));
    expect(result.suppressed).toBe(0);
  });

  it('suppresses everything rather than publish a class below k when even the coarsest level is too small', () => {
    const records: QuasiRecord[] = [
      { quasi: ['2026-01', '12-14', 'phone', 'conversation'], topic: 'school' },
      { quasi: ['2026-05', '8-11', 'chat', 'referred'], topic: 'family' },
    ];
    const result = anonymize(records, hierarchies, { k: 5, l: 2, maxSuppressed: 0 });
    expect(result.kept).toEqual([]);
    expect(result.suppressed).toBe(2);
    expect(result.withinSuppressionLimit).toBe(false);
  });
});

function suppressedAt(records: readonly QuasiRecord[], levels: readonly number[], k: number, l: number): number {
  const classes = new Map<string, { size: number; topics: Set<string> }>();
  for (const row of records) {
    const key = row.quasi.map((value, i) => hierarchies[i]?.generalize(value, levels[i] ?? 0)).join('|');
    const found = classes.get(key) ?? { size: 0, topics: new Set<string>() };
    found.size += 1;
    found.topics.add(row.topic);
    classes.set(key, found);
  }
  return [...classes.values()].filter((found) => found.size < k || found.topics.size < l).reduce((sum, found) => sum + found.size, 0);
}
