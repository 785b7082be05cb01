import { STATS_MARGIN_GROUPS, type StatsDimensions, type StatsTable } from './stats-message.js';
import { marginIndexes, marginSums } from './stats-table.js';

/**
 * Small-count suppression of a period's table. Primary: a count 0 < n < threshold is withheld
 * (published as null); zeros are published, they are part of the fixed shape.
 *
 * Secondary ('published-cells-only'): a margin is published only when every cell under it is
 * published, so a margin never adds anything to what the cells already tell and no suppressed
 * cell can be worked back from a total. Safe, but it withholds most margins of a sparse table.
 * The box itself uses the interval audit (disclosure/); this plainer rule stays for tools and
 * tests that build messages of their own.
 */
export interface SuppressedTable {
  readonly cells: (number | null)[];
  readonly margins: StatsTable[];
}

/** A count of 1 up to threshold − 1 is withheld; 0 is published. */
export function isSuppressed(count: number, threshold: number): boolean {
  return count > 0 && count < threshold;
}

export function suppressTable(dimensions: StatsDimensions, cells: readonly number[], threshold: number): SuppressedTable {
  if (!Number.isInteger(threshold) || threshold < 1) throw new RangeError('suppression threshold must be a positive integer');
  const published = cells.map((count) => (isSuppressed(count, threshold) ? null : count));
  const sums = marginSums(dimensions, cells);
  const margins = STATS_MARGIN_GROUPS.map((group, g) => {
    const complete = new Array<boolean>(sums[g]?.length ?? 0).fill(true);
    marginIndexes(dimensions, group).forEach((index, cell) => {
      if (published[cell] === null) complete[index] = false;
    });
    return { by: [...group], counts: (sums[g] ?? []).map((sum, i) => (complete[i] ? sum : null)) };
  });
  return { cells: published, margins };
}
