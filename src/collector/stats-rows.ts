import { STATS_DIMENSIONS, STATS_MARGIN_GROUPS, tableKeys, type StatsDimension, type StatsMessage } from '../upstream/index.js';

/**
 * A `helpline.stats/2` table as rows for querying: one per category combination whose count is
 * not zero (a number, or null where the box suppressed it). Zeros are left out: a realistic table
 * is a thousand cells, most of them zero, and a stored message's missing combination reads as 0.
 */
export interface CountRow {
  readonly channel: string | null;
  readonly topic: string | null;
  readonly ageBand: string | null;
  readonly outcome: string | null;
  /** null: suppressed. */
  readonly count: number | null;
}

export interface MarginRow extends CountRow {
  /** The dimensions the margin keeps, comma-separated in STATS_DIMENSIONS order; 'total' for the grand total. */
  readonly margin: string;
}

export function marginName(by: readonly StatsDimension[]): string {
  return by.length === 0 ? 'total' : by.join(',');
}

function rowsOf(message: StatsMessage, by: readonly StatsDimension[], counts: readonly (number | null)[]): CountRow[] {
  const keys = tableKeys(message.dimensions, by);
  const rows: CountRow[] = [];
  keys.forEach((key, index) => {
    const count = counts[index];
    if (count === 0 || count === undefined) return;
    rows.push({ channel: key.channel ?? null, topic: key.topic ?? null, ageBand: key.ageBand ?? null, outcome: key.outcome ?? null, count });
  });
  return rows;
}

/** The cells that are not zero; none for a withheld period. */
export function cellRows(message: StatsMessage): CountRow[] {
  return message.withheld === null ? rowsOf(message, STATS_DIMENSIONS, message.cells) : [];
}

/** The margins' counts that are not zero, each named after its group; none for a withheld period. */
export function marginRows(message: StatsMessage): MarginRow[] {
  if (message.withheld !== null) return [];
  return STATS_MARGIN_GROUPS.flatMap((group, i) => {
    const margin = message.margins[i];
    return margin ? rowsOf(message, group, margin.counts).map((row) => ({ ...row, margin: marginName(group) })) : [];
  });
}
