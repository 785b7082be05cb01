import type { Channel } from '../privacy/types.js';
import type { RegistrationCount } from '../store/stats-repository.js';
import { STATS_DIMENSIONS, tableIndex, tableSize, type StatsDimension, type StatsDimensions } from './stats-message.js';
import { OTHER_CATEGORY, STATS_CHANNELS } from './topics.js';

/**
 * The true counts of one period as the fixed-shape table of `helpline.stats/2`: every channel ×
 * topic × age band × outcome cell, zeros included. Nothing here suppresses: see disclosure/.
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
