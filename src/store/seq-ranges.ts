/**
 * Sets of upstream sequence numbers as sorted, disjoint, non-adjacent inclusive ranges
 * `[first, last]`: how the outbox records which messages its byte cap dropped. Pure functions.
 */
export type SeqRange = readonly [first: number, last: number];

/** More ranges than this are never kept: the two closest are merged (see `withSeqs`). */
export const MAX_SEQ_RANGES = 256;

/** The ranges with `seqs` added, kept sorted and merged; at most `maxRanges` long. */
export function withSeqs(ranges: readonly SeqRange[], seqs: readonly number[], maxRanges = MAX_SEQ_RANGES): SeqRange[] {
  const all = [...ranges.map(([first, last]) => [first, last] as [number, number]), ...seqs.map((seq) => [seq, seq] as [number, number])];
  all.sort((a, b) => a[0] - b[0]);
  const merged: Array<[number, number]> = [];
  for (const [first, last] of all) {
    const previous = merged.at(-1);
    if (previous && first <= previous[1] + 1) previous[1] = Math.max(previous[1], last);
    else merged.push([first, last]);
  }
  // Bounded so a birth message stays small: merging the closest pair claims a few seqs in the gap
  // as dropped too. Harmless, because a message the central office received counts as received.
  while (merged.length > maxRanges) {
    let closest = 0;
    for (let i = 1; i < merged.length - 1; i += 1) {
      if (gapAfter(merged, i) < gapAfter(merged, closest)) closest = i;
    }
    const [left, right] = [merged[closest], merged[closest + 1]];
    if (!left || !right) break;
    merged.splice(closest, 2, [left[0], right[1]]);
  }
  return merged;
}

function gapAfter(ranges: ReadonlyArray<readonly [number, number]>, i: number): number {
  return (ranges[i + 1]?.[0] ?? Infinity) - (ranges[i]?.[1] ?? 0);
}

/** The seqs of `ranges` that are not in `removed`. */
export function withoutRanges(ranges: readonly SeqRange[], removed: readonly SeqRange[]): SeqRange[] {
  let remaining: Array<[number, number]> = ranges.map(([first, last]) => [first, last]);
  for (const [cutFirst, cutLast] of removed) {
    remaining = remaining.flatMap(([first, last]): Array<[number, number]> => {
      if (cutLast < first || cutFirst > last) return [[first, last]];
      const pieces: Array<[number, number]> = [];
      if (first < cutFirst) pieces.push([first, cutFirst - 1]);
      if (last > cutLast) pieces.push([cutLast + 1, last]);
      return pieces;
    });
  }
  return remaining;
}

/** How many seqs the ranges hold. */
export function seqCount(ranges: readonly SeqRange[]): number {
  return ranges.reduce((sum, [first, last]) => sum + last - first + 1, 0);
}

/** Parses what `JSON.stringify` made of ranges; anything else is an empty set. */
export function parseSeqRanges(value: unknown): SeqRange[] {
  if (!Array.isArray(value)) return [];
  return value.filter(
    (range): range is [number, number] =>
      Array.isArray(range) && range.length === 2 && Number.isSafeInteger(range[0]) && Number.isSafeInteger(range[1]) && range[0] >= 1 && range[0] <= range[1],
  );
}
