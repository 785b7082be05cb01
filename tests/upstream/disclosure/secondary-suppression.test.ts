import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { suppressTable } from '../../../src/upstream/disclosure/secondary-suppression.js';
import { entryValues, tableLayout, type TableLayout } from '../../../src/upstream/disclosure/table-layout.js';
import { integerRanges } from './integer-attacker.js';

// The margin groups of helpline.stats/2 over (channel, topic, ageBand, outcome) as dimension indexes.
const STATS_GROUPS = [[], [0], [0, 1], [0, 2], [0, 3], [1], [1, 2]];

function publishedOf(values: readonly number[], suppressed: readonly boolean[]): (number | null)[] {
  return values.map((value, entry) => (suppressed[entry] ? null : value));
}

/** Every claim the box makes about a suppressed table, checked by the independent integer attacker. */
function expectProtected(layout: TableLayout, cells: readonly number[], threshold: number, protectionWidth: number): void {
  const values = entryValues(layout, cells);
  const result = suppressTable({ layout, values, threshold, protectionWidth });
  const published = publishedOf(values, result.suppressed);
  // Nothing small is published; zeros always are; the shape is the table's.
  expect(published).toHaveLength(layout.entryCount);
  values.forEach((value, entry) => {
    if (value > 0 && value < threshold) expect(published[entry], `entry ${entry}`).toBeNull();
    if (value === 0) expect(published[entry], `entry ${entry}`).toBe(0);
  });
  const cap = Math.max(...cells) + threshold + protectionWidth;
  const knowsSmall = threshold - 2 >= protectionWidth;
  expect(result.knowsSmall).toBe(knowsSmall);
  const ranges = integerRanges({ layout, published, truth: values, threshold, cap, knowsSmall });
  const width = protectionWidth;
  const pinned = new Set(result.underProtected);
  for (const [entry, [low, high]] of ranges) {
    if (pinned.has(entry)) {
      // Said to be pinned by the zeros alone: then suppressing everything does not help either.
      const everything = integerRanges({ layout, published: values.map((value) => (value > 0 ? null : 0)), truth: values, threshold, cap, knowsSmall });
      const [allLow, allHigh] = everything.get(entry) ?? [0, 0];
      expect(allHigh - allLow, `entry ${entry} said to be pinned`).toBeLessThan(width);
    } else {
      expect(high - low, `entry ${entry} (value ${values[entry]}) range ${low}..${high}`).toBeGreaterThanOrEqual(width);
    }
  }
}

describe('secondary suppression by interval audit', () => {
  it('a week with one 11-year-old on a rare topic among ordinary traffic: nothing below the threshold is published or derivable', () => {
    // channel (phone, chat, mail) × topic (bullying, family, rare, other) × age (8-11, 12-14, 15-17, other) × outcome (conversation, other)
    const sizes = [3, 4, 4, 2];
    const layout = tableLayout(sizes, STATS_GROUPS);
    const cells = new Array<number>(layout.cellCount).fill(0);
    const at = (c: number, t: number, a: number, o: number): number => ((c * 4 + t) * 4 + a) * 2 + o;
    // Ordinary traffic: every common topic and age band well above the threshold on phone and chat.
    for (const c of [0, 1]) for (const t of [0, 1, 3]) for (const a of [1, 2]) for (const o of [0, 1]) cells[at(c, t, a, o)] = 12 + ((c + t + a + o) % 5) * 3;
    for (const t of [0, 1]) cells[at(2, t, 2, 0)] = 10;
    // The one 11-year-old on the rare topic, by phone.
    cells[at(0, 2, 0, 0)] = 1;
    const values = entryValues(layout, cells);
    const result = suppressTable({ layout, values, threshold: 10, protectionWidth: 2 });
    expect(result.suppressed[at(0, 2, 0, 0)]).toBe(true);
    // The rare topic's totals are 1 as well: suppressed too, and it needed secondary suppression.
    expect(result.primary).toBeGreaterThan(1);
    expect(result.secondary).toBeGreaterThan(0);
    expect(result.underProtected).toEqual([]);
    expectProtected(layout, cells, 10, 2);
  });

  it('suppresses a margin that is itself small, even when every cell under it is zero but one', () => {
    const layout = tableLayout([3, 2, 2, 1], STATS_GROUPS);
    const cells = [30, 25, 20, 3, 0, 0, 0, 40, 15, 22, 18, 27];
    const values = entryValues(layout, cells);
    const result = suppressTable({ layout, values, threshold: 5, protectionWidth: 2 });
    values.forEach((value, entry) => {
      if (value > 0 && value < 5) expect(result.suppressed[entry]).toBe(true);
    });
    expectProtected(layout, cells, 5, 2);
  });

  it('at threshold 2, where a small count is always 1, protects against the attacker who cannot tell which nulls are small', () => {
    // One lone registration beside three in another cell of the same channel.
    const layout = tableLayout([3, 2, 2, 2], STATS_GROUPS);
    const cells = new Array<number>(layout.cellCount).fill(0);
    cells[0] = 3;
    cells[5] = 1;
    const values = entryValues(layout, cells);
    const result = suppressTable({ layout, values, threshold: 2, protectionWidth: 2 });
    expect(result.knowsSmall).toBe(false);
    expect(result.secondary).toBeGreaterThan(0);
    expectProtected(layout, cells, 2, 2);
  });

  it('keeps the shape and publishes every zero, also for an empty period', () => {
    const layout = tableLayout([3, 2, 2, 2], STATS_GROUPS);
    const empty = suppressTable({ layout, values: new Array<number>(layout.entryCount).fill(0), threshold: 10, protectionWidth: 2 });
    expect(empty.suppressed).toEqual(new Array<boolean>(layout.entryCount).fill(false));
    expect(empty.primary + empty.secondary).toBe(0);
  });

  it('refuses counts that are not non-negative integers', () => {
    const layout = tableLayout([2, 2], [[], [0]]);
    expect(() => suppressTable({ layout, values: [1, 2, 3, -1, 0, 0, 0], threshold: 5, protectionWidth: 1 })).toThrow(RangeError);
    expect(() => suppressTable({ layout, values: [1, 2, 3], threshold: 5, protectionWidth: 1 })).toThrow(RangeError);
  });

  it('holds for random small tables: no small count published, none derivable to a range narrower than required', () => {
    const layout = tableLayout([3, 2, 2, 1], STATS_GROUPS);
    const count = fc.oneof({ arbitrary: fc.constant(0), weight: 4 }, { arbitrary: fc.integer({ min: 1, max: 5 }), weight: 4 }, { arbitrary: fc.integer({ min: 6, max: 14 }), weight: 3 });
    fc.assert(
      fc.property(fc.array(count, { minLength: layout.cellCount, maxLength: layout.cellCount }), fc.integer({ min: 1, max: 3 }), fc.constantFrom(2, 3, 6), (cells, width, threshold) => {
        expectProtected(layout, cells, threshold, width);
      }),
      { numRuns: 60, seed: 20261206 },
    );
  });
});
