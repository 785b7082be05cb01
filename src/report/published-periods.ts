import { z } from 'zod';
import { GatewayError } from '../errors.js';
import { statsMessageSchema, type StatsMessage } from '../upstream/stats-message.js';
import { isCategoryCode } from '../upstream/topics.js';

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

// The same shapes the upstream validator gives each field of an outgoing stats message.
const publishedStatsMessage = statsMessageSchema({
  site: z.string().regex(/^[a-z0-9-]{1,64}$/),
  session: z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/),
  instant: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{3})?(?:Z|[+-]\d{2}:\d{2})$/)
    .refine((text) => Number.isFinite(Date.parse(text))),
  category: z.string().refine(isCategoryCode),
});

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
    const parsed = publishedStatsMessage.safeParse(json);
    if (!parsed.success) throw damaged(row.seq, 'payload is not a valid helpline.stats/2 message');
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
