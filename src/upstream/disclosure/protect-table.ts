import { STATS_DIMENSIONS, STATS_MARGIN_GROUPS, type StatsDimensions, type StatsTable } from '../stats-message.js';
import { discreteLaplace } from './discrete-laplace.js';
import type { RandomBits } from './random-source.js';
import { suppressTable } from './secondary-suppression.js';
import { entryValues, splitEntries, tableLayout, type TableLayout } from './table-layout.js';

/**
 * A period's table as it may leave the box: optionally noised, then suppressed. Noise goes on the
 * cells first and the margins are sums of the noisy cells, so suppression (and everything after
 * it) is post-processing of a differentially private table; negative noisy cells become 0.
 */
export interface ProtectionSettings {
  readonly threshold: number;
  /** Required width of an attacker's range for every small count (docs/statistics.md). */
  readonly protectionWidth: number;
}

export interface TableNoise {
  readonly epsilon: number;
  /** Most one caller can change the cells in L1 (contribution cap × link months spanned). */
  readonly sensitivity: number;
  readonly random: RandomBits;
}

export interface ProtectedTable {
  readonly cells: (number | null)[];
  readonly margins: StatsTable[];
  readonly primary: number;
  readonly secondary: number;
  /** Small counts the zeros and bounds alone pin narrower than required (no suppression can help). */
  readonly underProtected: number;
  readonly pivots: number;
}

const layouts = new Map<string, TableLayout>();

function layoutFor(dimensions: StatsDimensions): TableLayout {
  const sizes = STATS_DIMENSIONS.map((dimension) => dimensions[dimension].length);
  const key = sizes.join('×');
  let layout = layouts.get(key);
  if (!layout) {
    layout = tableLayout(sizes, STATS_MARGIN_GROUPS.map((group) => group.map((dimension) => STATS_DIMENSIONS.indexOf(dimension))));
    layouts.set(key, layout);
  }
  return layout;
}

export function protectTable(dimensions: StatsDimensions, cells: readonly number[], settings: ProtectionSettings, noise?: TableNoise): ProtectedTable {
  const layout = layoutFor(dimensions);
  let counts = cells;
  if (noise) {
    const laplace = discreteLaplace(noise.epsilon, noise.sensitivity, noise.random);
    counts = cells.map((count) => Math.max(0, count + laplace.sample()));
  }
  const values = entryValues(layout, counts);
  const result = suppressTable({ layout, values, threshold: settings.threshold, protectionWidth: settings.protectionWidth });
  const published = values.map((value, entry) => (result.suppressed[entry] ? null : value));
  const split = splitEntries(layout, published);
  return {
    cells: split.cells,
    margins: STATS_MARGIN_GROUPS.map((group, g) => ({ by: [...group], counts: split.margins[g] ?? [] })),
    primary: result.primary,
    secondary: result.secondary,
    underProtected: result.underProtected.length,
    pivots: result.pivots,
  };
}
