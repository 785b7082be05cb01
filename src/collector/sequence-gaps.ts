import type { PoolClient } from 'pg';

/**
 * Gaps in a site's sequence, kept as ranges of missing seqs. Called inside the ingest transaction,
 * with the site's row locked, so two collectors storing the same site's messages take turns.
 *
 * A message above highest + 1 opens the range in between; a message below the highest fills its
 * seq: the range holding it shrinks, splits in two, or is marked 'filled' when nothing is left.
 * Out of order is therefore not a gap once the late message is in. A range the box reported
 * dropped by its outbox cap (its birth message) is 'dropped-by-box' instead of 'open'; if such a
 * message arrives after all, received wins and it fills its seq like any other.
 */
export interface OpenedGap {
  readonly first: number;
  readonly last: number;
}

interface GapRow {
  readonly id: string;
  readonly first_seq: string;
  readonly last_seq: string;
  readonly state: 'open' | 'dropped-by-box';
  readonly reason: string | null;
  readonly opened_at: Date;
}

export const DROPPED_BY_BOX_REASON = 'dropped by the box: its outbox was over its byte cap (reported in its birth message)';

export async function openGap(client: PoolClient, site: string, gap: OpenedGap, at: Date): Promise<void> {
  await client.query('INSERT INTO gaps (site, first_seq, last_seq, opened_at) VALUES ($1, $2, $3, $4)', [site, gap.first, gap.last, at]);
}

/** Takes `seq` out of the open or dropped range holding it; false when no range held it. */
export async function fillGap(client: PoolClient, site: string, seq: number, at: Date): Promise<boolean> {
  const found = await client.query<GapRow>(
    `SELECT id, first_seq, last_seq, state, reason, opened_at FROM gaps
     WHERE site = $1 AND state IN ('open', 'dropped-by-box') AND first_seq <= $2 AND last_seq >= $2
     FOR UPDATE`,
    [site, seq],
  );
  const gap = found.rows[0];
  if (!gap) return false;
  const first = Number(gap.first_seq);
  const last = Number(gap.last_seq);
  if (first === last) {
    await client.query(`UPDATE gaps SET state = 'filled', closed_at = $2 WHERE id = $1`, [gap.id, at]);
  } else if (seq === first) {
    await client.query('UPDATE gaps SET first_seq = $2 WHERE id = $1', [gap.id, seq + 1]);
  } else if (seq === last) {
    await client.query('UPDATE gaps SET last_seq = $2 WHERE id = $1', [gap.id, seq - 1]);
  } else {
    await client.query('UPDATE gaps SET last_seq = $2 WHERE id = $1', [gap.id, seq - 1]);
    await insertRange(client, site, { first: seq + 1, last }, gap, gap.state === 'open' ? null : at);
  }
  return true;
}

/** Records the ranges a box reported dropped (idempotent) and explains the open gaps they cover. */
export async function recordDroppedRanges(client: PoolClient, site: string, ranges: readonly (readonly [number, number])[], at: Date): Promise<void> {
  for (const [first, last] of ranges) {
    await client.query('INSERT INTO dropped_ranges (site, first_seq, last_seq, reported_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING', [site, first, last, at]);
  }
  await explainDroppedGaps(client, site, at);
}

/**
 * Splits every open gap of the site along the ranges the box reported dropped: the parts inside
 * become 'dropped-by-box', the rest stays open. Run after a birth and after a gap is opened (the
 * birth usually comes first: it announces the drops before the replay shows the hole).
 */
export async function explainDroppedGaps(client: PoolClient, site: string, at: Date): Promise<void> {
  const dropped = await client.query<{ first_seq: string; last_seq: string }>('SELECT first_seq, last_seq FROM dropped_ranges WHERE site = $1 ORDER BY first_seq', [site]);
  if (dropped.rows.length === 0) return;
  const ranges = dropped.rows.map((row) => ({ first: Number(row.first_seq), last: Number(row.last_seq) }));
  const open = await client.query<GapRow>(`SELECT id, first_seq, last_seq, state, reason, opened_at FROM gaps WHERE site = $1 AND state = 'open' FOR UPDATE`, [site]);
  for (const gap of open.rows) {
    const pieces = splitAlong({ first: Number(gap.first_seq), last: Number(gap.last_seq) }, ranges);
    if (pieces.every((piece) => !piece.dropped)) continue;
    await client.query('DELETE FROM gaps WHERE id = $1', [gap.id]);
    for (const piece of pieces) await insertRange(client, site, piece, gap, piece.dropped ? at : null);
  }
}

async function insertRange(client: PoolClient, site: string, range: OpenedGap, from: GapRow, droppedAt: Date | null): Promise<void> {
  await client.query(
    'INSERT INTO gaps (site, first_seq, last_seq, state, reason, opened_at, closed_at) VALUES ($1, $2, $3, $4, $5, $6, $7)',
    [site, range.first, range.last, droppedAt ? 'dropped-by-box' : 'open', droppedAt ? DROPPED_BY_BOX_REASON : from.reason, from.opened_at, droppedAt],
  );
}

/** The gap cut into consecutive pieces, each wholly inside or wholly outside the (sorted) dropped ranges. */
export function splitAlong(gap: OpenedGap, dropped: readonly OpenedGap[]): Array<OpenedGap & { readonly dropped: boolean }> {
  const pieces: Array<OpenedGap & { dropped: boolean }> = [];
  let at = gap.first;
  for (const range of dropped) {
    if (range.last < at || range.first > gap.last) continue;
    if (range.first > at) pieces.push({ first: at, last: range.first - 1, dropped: false });
    const end = Math.min(range.last, gap.last);
    pieces.push({ first: Math.max(range.first, at), last: end, dropped: true });
    at = end + 1;
    if (at > gap.last) break;
  }
  if (at <= gap.last) pieces.push({ first: at, last: gap.last, dropped: false });
  return pieces;
}
