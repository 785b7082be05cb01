import { z } from 'zod';
import type { Channel } from '../../src/privacy/types.js';
import { closedPeriodsBetween, formatLocalIso, type Period, type PeriodLength } from '../../src/upstream/period-calendar.js';
import { STATS_DIMENSIONS, STATS_MARGIN_GROUPS, STATS_SCHEMA, statsMessageSchema, tableIndex, tableKeys, tableSize, type StatsDimension, type StatsDimensions, type StatsMessage, type StatsNoise } from '../../src/upstream/stats-message.js';
import { isCategoryCode } from '../../src/upstream/topics.js';
import type { GatewayDatabase } from '../../src/store/open-database.js';

export const AMSTERDAM = 'Europe/Amsterdam';
export const SESSION = '3f1c9a52-8d0e-4b7a-9c61-2e5f0b7d4a18';

export const dimensions: StatsDimensions = {
  channel: ['phone', 'chat', 'mail'],
  topic: ['bullying', 'family', 'school', 'mental-health', 'other'],
  ageBand: ['8-11', '12-14', '15-17', 'other'],
  outcome: ['conversation', 'referred', 'other'],
};

/** The validator the upstream applies to every stats message, built the same way. */
export const validStatsMessage = statsMessageSchema({
  site: z.string().regex(/^[a-z0-9-]{1,64}$/),
  session: z.string().uuid(),
  instant: z.string().refine((text) => Number.isFinite(Date.parse(text))),
  category: z.string().refine(isCategoryCode),
});

/** True registrations of a period, per cell. */
export interface TrueCount {
  readonly channel: Channel;
  readonly topic: string;
  readonly ageBand: string;
  readonly outcome: string;
  readonly count: number;
}

export interface ReleaseOptions {
  readonly seq: number;
  readonly period: Period;
  readonly length?: PeriodLength;
  readonly counts: readonly TrueCount[];
  readonly threshold?: number;
  readonly noise?: StatsNoise | null;
  /** Secondary suppression stand-in: counts of these margin groups (by index) also become null. */
  readonly alsoSuppress?: ReadonlyArray<{ readonly margin: number; readonly categories: Partial<Record<StatsDimension, string>> }>;
  readonly dims?: StatsDimensions;
}

/** A released message whose cells and margins are the sums of `counts`, small ones suppressed; validated. */
export function releasedMessage(options: ReleaseOptions): StatsMessage {
  const dims = options.dims ?? dimensions;
  const threshold = options.threshold ?? 10;
  const full = new Array<number>(tableSize(dims, STATS_DIMENSIONS)).fill(0);
  for (const entry of options.counts) {
    const index = tableIndex(dims, STATS_DIMENSIONS, entry);
    full[index] = (full[index] ?? 0) + entry.count;
  }
  const allKeys = tableKeys(dims, STATS_DIMENSIONS);
  const suppress = (count: number): number | null => (count > 0 && count < threshold ? null : count);
  const margins = STATS_MARGIN_GROUPS.map((group, m) => {
    const counts = new Array<number>(tableSize(dims, group)).fill(0);
    allKeys.forEach((key, i) => {
      const index = tableIndex(dims, group, key);
      counts[index] = (counts[index] ?? 0) + (full[i] ?? 0);
    });
    const published: Array<number | null> = counts.map(suppress);
    for (const extra of options.alsoSuppress ?? []) if (extra.margin === m) published[tableIndex(dims, group, extra.categories)] = null;
    return { by: [...group], counts: published };
  });
  return validStatsMessage.parse({
    schema: STATS_SCHEMA,
    site: 'utrecht-1',
    session: SESSION,
    seq: options.seq,
    period: { start: formatLocalIso(options.period.start, AMSTERDAM), end: formatLocalIso(options.period.end, AMSTERDAM), length: options.length ?? 'week' },
    dimensions: dims,
    disclosure: { threshold, contributionCap: 3, secondarySuppression: 'interval-audit', protectionWidth: 2, noise: options.noise ?? null },
    withheld: null,
    cells: full.map(suppress),
    margins,
  });
}

export function withheldMessage(seq: number, period: Period, length: PeriodLength = 'week'): StatsMessage {
  return validStatsMessage.parse({
    schema: STATS_SCHEMA,
    site: 'utrecht-1',
    session: SESSION,
    seq,
    period: { start: formatLocalIso(period.start, AMSTERDAM), end: formatLocalIso(period.end, AMSTERDAM), length },
    dimensions,
    disclosure: { threshold: 10, contributionCap: 3, secondarySuppression: 'interval-audit', protectionWidth: 2, noise: { mechanism: 'discrete-laplace', epsilon: 0.5, sensitivity: 3, budget: { year: 2026, spent: 12, total: 12 } } },
    withheld: 'privacy-budget-spent',
    cells: [],
    margins: [],
  });
}

/** The ISO weeks (Amsterdam) that start from `fromLocal` up to `untilLocal`, as periods. */
export function weeks(from: string, until: string): Period[] {
  return closedPeriodsBetween(Date.parse(from), Date.parse(until), 'week', AMSTERDAM);
}

export function publishedRow(seq: number, message: StatsMessage): { seq: number; periodStart: number; periodEnd: number; payload: string } {
  return { seq, periodStart: Date.parse(message.period.start), periodEnd: Date.parse(message.period.end), payload: JSON.stringify(message) };
}

/** Stores messages as the aggregator does: one published_stats row each. */
export function insertPublished(database: GatewayDatabase, messages: readonly StatsMessage[]): void {
  for (const message of messages) {
    const row = publishedRow(message.seq, message);
    database.run('INSERT INTO published_stats (seq, period_start, period_end, payload) VALUES (?, ?, ?, ?)', [row.seq, row.periodStart, row.periodEnd, row.payload]);
  }
}

/** A deterministic year of weekly counts: busy, with a few small (suppressed) cells. */
export function yearOfWeeks(year: number, startSeq = 1): StatsMessage[] {
  let state = 12345;
  const next = (): number => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
  const topicWeights: Readonly<Record<string, number>> = { bullying: 3, family: 2, school: 5, 'mental-health': 4, other: 0.3 };
  return weeks(`${year - 1}-12-29T00:00:00+01:00`, `${year + 1}-01-04T00:00:00+01:00`).map((period, i) => {
    const counts: TrueCount[] = [];
    for (const channel of dimensions.channel) {
      for (const topic of dimensions.topic) {
        for (const ageBand of ['8-11', '12-14', '15-17']) {
          const scale = (channel === 'phone' ? 4 : channel === 'chat' ? 3 : 0.4) * (topicWeights[topic] ?? 1) * (ageBand === '12-14' ? 1.5 : 1);
          counts.push({ channel, topic, ageBand, outcome: 'conversation', count: Math.floor(next() * scale * 2) });
        }
      }
    }
    return releasedMessage({ seq: startSeq + i, period, counts });
  });
}
