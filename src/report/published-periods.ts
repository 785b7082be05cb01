import { GatewayError } from '../errors.js';
import type { StatsMessage } from '../upstream/stats-message.js';
import { UPSTREAM_PAYLOADS } from '../upstream/topics.js';

/** A row of `published_stats` as the report reads it. */
export interface PublishedRow {
  readonly seq: number;
  readonly periodStart: number;
  readonly periodEnd: number;
  readonly payload: string;
}

/** One period as published, its payload validated. */
export interface PublishedPeriod {
  readonly seq: number;
  readonly start: number;
  readonly end: number;
  readonly message: StatsMessage;
}

function damaged(seq: number, what: string): GatewayError {
  return new GatewayError('HGW_STORE_INTEGRITY', `published_stats #${seq}: ${what}`);
}

/**
 * The published periods, each payload checked against the helpline.stats/2 schema and its row, and
 * the periods checked not to overlap (a count must never be added twice). A row that fails is
 * damage, not something to report around.
 */
export function readPublishedPeriods(rows: readonly PublishedRow[]): PublishedPeriod[] {
  const periods = rows.map((row): PublishedPeriod => {
    let json: unknown;
    try {
      json = JSON.parse(row.payload);
    } catch {
      throw damaged(row.seq, 'payload is not JSON');
    }
    // The same schema every stats message passed before it was published.
    const parsed = UPSTREAM_PAYLOADS.stats.payload.safeParse(json);
    if (!parsed.success || parsed.data.schema !== 'helpline.stats/2') throw damaged(row.seq, 'payload is not a valid helpline.stats/2 message');
    const message = parsed.data;
    if (Date.parse(message.period.start) !== row.periodStart || Date.parse(message.period.end) !== row.periodEnd) throw damaged(row.seq, 'payload period differs from the row');
    return { seq: row.seq, start: row.periodStart, end: row.periodEnd, message };
  });
  periods.sort((a, b) => a.start - b.start);
  periods.forEach((period, i) => {
    const previous = periods[i - 1];
    if (previous && period.start < previous.end) throw damaged(period.seq, `period overlaps published period #${previous.seq}`);
  });
  return periods;
}
