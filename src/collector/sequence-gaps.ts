import type { PoolClient } from 'pg';

/**
 * Gaps in a site's sequence, kept as ranges of missing seqs. Called inside the ingest transaction,
 * with the site's row locked, so two collectors storing the same site's messages take turns.
 *
 * A message above highest + 1 opens the range in between; a message below the highest fills its
 * seq: the open range holding it shrinks, splits in two, or is marked 'filled' when nothing is left.
 * Out of order is therefore not a gap once the late message is in.
 */
export interface OpenedGap {
  readonly first: number;
  readonly last: number;
}

export async function openGap(client: PoolClient, site: string, gap: OpenedGap, at: Date): Promise<void> {
  await client.query('INSERT INTO gaps (site, first_seq, last_seq, opened_at) VALUES ($1, $2, $3, $4)', [site, gap.first, gap.last, at]);
}

/** Takes `seq` out of the open range holding it; false when no open range held it. */
export async function fillGap(client: PoolClient, site: string, seq: number, at: Date): Promise<boolean> {
  const found = await client.query<{ id: string; first_seq: string; last_seq: string; opened_at: Date }>(
    `SELECT id, first_seq, last_seq, opened_at FROM gaps
     WHERE site = $1 AND state = 'open' AND first_seq <= $2 AND last_seq >= $2
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
    await client.query('INSERT INTO gaps (site, first_seq, last_seq, opened_at) VALUES ($1, $2, $3, $4)', [site, seq + 1, last, gap.opened_at]);
  }
  return true;
}
