import { describe, expect, it } from 'vitest';
import { parseSeqRanges, seqCount, withoutRanges, withSeqs } from '../../src/store/seq-ranges.js';

describe('seq ranges', () => {
  it('adds seqs, merging neighbours and overlaps into sorted ranges', () => {
    expect(withSeqs([], [5, 3, 4, 9])).toEqual([[3, 5], [9, 9]]);
    expect(withSeqs([[3, 5], [9, 9]], [6, 7, 8])).toEqual([[3, 9]]);
    expect(withSeqs([[3, 5]], [4])).toEqual([[3, 5]]);
  });

  it('keeps at most maxRanges by merging the closest pair, never losing a seq', () => {
    const merged = withSeqs([], [1, 10, 12, 30], 3);
    expect(merged).toEqual([[1, 1], [10, 12], [30, 30]]);
    expect(withSeqs(merged, [50], 3)).toEqual([[1, 12], [30, 30], [50, 50]]);
  });

  it('removes reported ranges, splitting where needed', () => {
    expect(withoutRanges([[1, 10]], [[3, 4]])).toEqual([[1, 2], [5, 10]]);
    expect(withoutRanges([[1, 10], [20, 25]], [[1, 10]])).toEqual([[20, 25]]);
    expect(withoutRanges([[1, 3]], [[0, 100]])).toEqual([]);
  });

  it('counts and parses', () => {
    expect(seqCount([[1, 3], [7, 7]])).toBe(4);
    expect(parseSeqRanges([[1, 3], [5, 4], 'x', [0, 1], [2.5, 3]])).toEqual([[1, 3]]);
    expect(parseSeqRanges('nonsense')).toEqual([]);
  });
});
