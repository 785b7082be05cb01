import type { Channel } from '../privacy/types.js';
import type { RegistrationCount } from '../store/stats-repository.js';
import { OTHER_CATEGORY, STATS_CHANNELS, type StatsCell } from './topics.js';

/**
 * Turns raw counts into the published table. The table always has every channel × topic × age
 * band cell (zeros included), so its shape says nothing; small cells are suppressed.
 *
 * No totals or margins are published, in this message or any other, so a suppressed cell cannot
 * be recovered by subtraction: the schema in topics.ts has no field for one. Adding totals would
 * need secondary suppression here first.
 */
export interface StatsCategories {
  readonly topics: readonly string[];
  readonly ageBands: readonly string[];
}

export interface Tabulation {
  readonly cells: StatsCell[];
  /** Registrations on a channel outside phone/chat/mail: not published, logged as a count. */
  readonly unknownChannel: number;
}

/** The configured list with 'other' at the end, where anything outside the list is counted. */
export function withOtherCategory(configured: readonly string[]): string[] {
  return configured.includes(OTHER_CATEGORY) ? [...configured] : [...configured, OTHER_CATEGORY];
}

function cellKey(channel: string, topic: string, ageBand: string): string {
  return `${channel}\u0000${topic}\u0000${ageBand}`;
}

/** A count of 1 up to threshold − 1 is withheld; 0 is published (zeros are part of the fixed shape). */
export function isSuppressed(count: number, threshold: number): boolean {
  return count > 0 && count < threshold;
}

export function tabulate(counts: readonly RegistrationCount[], categories: StatsCategories, threshold: number): Tabulation {
  if (!Number.isInteger(threshold) || threshold < 1) throw new RangeError('suppression threshold must be a positive integer');
  const topics = withOtherCategory(categories.topics);
  const ageBands = withOtherCategory(categories.ageBands);
  const knownTopics = new Set(topics);
  const knownAgeBands = new Set(ageBands);
  const knownChannels = new Set<string>(STATS_CHANNELS);

  const totals = new Map<string, number>();
  let unknownChannel = 0;
  for (const row of counts) {
    if (!knownChannels.has(row.channel)) {
      unknownChannel += row.count;
      continue;
    }
    const topic = knownTopics.has(row.topic) ? row.topic : OTHER_CATEGORY;
    const ageBand = knownAgeBands.has(row.ageBand) ? row.ageBand : OTHER_CATEGORY;
    const key = cellKey(row.channel, topic, ageBand);
    totals.set(key, (totals.get(key) ?? 0) + row.count);
  }

  const cells: StatsCell[] = [];
  for (const channel of STATS_CHANNELS) {
    for (const topic of topics) {
      for (const ageBand of ageBands) {
        cells.push(publishedCell(channel, topic, ageBand, totals.get(cellKey(channel, topic, ageBand)) ?? 0, threshold));
      }
    }
  }
  return { cells, unknownChannel };
}

function publishedCell(channel: Channel, topic: string, ageBand: string, count: number, threshold: number): StatsCell {
  return isSuppressed(count, threshold)
    ? { channel, topic, ageBand, count: null, suppressed: true }
    : { channel, topic, ageBand, count, suppressed: false };
}
