import type { Channel } from '../privacy/types.js';
import type { RegistrationCount } from '../store/stats-repository.js';
import {
  STATS_DIMENSIONS,
  STATS_MARGIN_GROUPS,
  tableIndex,
  tableSize,
  type StatsDimension,
  type StatsDimensions,
} from './stats-message.js';
import { OTHER_CATEGORY, STATS_CHANNELS } from './topics.js';

/**
 * The true counts of one period as the fixed-shape table of `helpline.stats/2`: every channel ×
 * topic × age band × outcome cell, zeros included, and the margins of STATS_MARGIN_GROUPS as sums
 * of the cells. Nothing here suppresses: see suppression.ts.
 */
export interface StatsCategories {
  readonly topics: readonly string[];
  readonly ageBands: readonly string[];
  readonly outcomes: readonly string[];
}

export interface CountTable {
  readonly dimensions: StatsDimensions;
  /** Over all four dimensions, row-major. */
  readonly cells: readonly number[];
  /** Registrations on a channel outside phone/chat/mail: not published, logged as a count. */
  readonly unknownChannel: number;
}

/** The configured list with 'other' at the end, where anything outside the list is counted. */
export function withOtherCategory(configured: readonly string[]): string[] {
  return configured.includes(OTHER_CATEGORY) ? [...configured] : [...configured, OTHER_CATEGORY];
}

export function statsDimensions(categories: StatsCategories): StatsDimensions {
  return {
    channel: [...STATS_CHANNELS],
    topic: withOtherCategory(categories.topics),
    ageBand: withOtherCategory(categories.ageBands),
    outcome: withOtherCategory(categories.outcomes),
  };
}

export function tabulateCounts(counts: readonly RegistrationCount[], dimensions: StatsDimensions): CountTable {
  const cells = new Array<number>(tableSize(dimensions, STATS_DIMENSIONS)).fill(0);
  const known = (dimension: StatsDimension, value: string): string => (dimensions[dimension].includes(value as never) ? value : OTHER_CATEGORY);
  let unknownChannel = 0;
  for (const row of counts) {
    if (!dimensions.channel.includes(row.channel as Channel)) {
      unknownChannel += row.count;
      continue;
    }
    const index = tableIndex(dimensions, STATS_DIMENSIONS, {
      channel: row.channel,
      topic: known('topic', row.topic),
      ageBand: known('ageBand', row.ageBand),
      outcome: known('outcome', row.outcome),
    });
    cells[index] = (cells[index] ?? 0) + row.count;
  }
  return { dimensions, cells, unknownChannel };
}

/**
 * For each cell, its index in a table over `by`: the cell's categories in the dimensions `by`
 * keeps. Margins are sums of cells along these indexes.
 */
export function marginIndexes(dimensions: StatsDimensions, by: readonly StatsDimension[]): number[] {
  const sizes = STATS_DIMENSIONS.map((dimension) => dimensions[dimension].length);
  const kept = STATS_DIMENSIONS.map((dimension) => by.includes(dimension));
  const indexes: number[] = [];
  const total = tableSize(dimensions, STATS_DIMENSIONS);
  for (let cell = 0; cell < total; cell += 1) {
    let rest = cell;
    const position = new Array<number>(sizes.length).fill(0);
    for (let d = sizes.length - 1; d >= 0; d -= 1) {
      const size = sizes[d] ?? 1;
      position[d] = rest % size;
      rest = Math.floor(rest / size);
    }
    let index = 0;
    for (let d = 0; d < sizes.length; d += 1) {
      if (kept[d]) index = index * (sizes[d] ?? 1) + (position[d] ?? 0);
    }
    indexes.push(index);
  }
  return indexes;
}

/** The sums of the cells for every margin group, in STATS_MARGIN_GROUPS order. */
export function marginSums(dimensions: StatsDimensions, cells: readonly number[]): number[][] {
  return STATS_MARGIN_GROUPS.map((group) => {
    const sums = new Array<number>(tableSize(dimensions, group)).fill(0);
    marginIndexes(dimensions, group).forEach((index, cell) => {
      sums[index] = (sums[index] ?? 0) + (cells[cell] ?? 0);
    });
    return sums;
  });
}
