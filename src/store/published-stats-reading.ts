import type { GatewayDatabase } from './open-database.js';

/** One statistics message as it was published: its payload is the JSON that went into the outbox. */
export interface PublishedStatsRow {
  readonly seq: number;
  readonly periodStart: number;
  readonly periodEnd: number;
  readonly payload: string;
}

/**
 * Reads `published_stats` (migration 8) for the annual report, which is made from what the box
 * published and nothing else. Writing the table is the statistics aggregator's business.
 */
export class PublishedStatsReader {
  readonly #database: GatewayDatabase;

  constructor(database: GatewayDatabase) {
    this.#database = database;
  }

  /** Every published period that overlaps [start, end), oldest first. */
  overlapping(start: number, end: number): PublishedStatsRow[] {
    return this.#database
      .all<{ seq: number; period_start: number; period_end: number; payload: string }>(
        'SELECT seq, period_start, period_end, payload FROM published_stats WHERE period_start < ? AND period_end > ? ORDER BY period_start',
        [end, start],
      )
      .map((row) => ({ seq: Number(row.seq), periodStart: Number(row.period_start), periodEnd: Number(row.period_end), payload: row.payload }));
  }
}
