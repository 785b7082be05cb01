import type { Pseudonym } from '../privacy/types.js';
import type { MonthEpoch } from '../time/index.js';
import type { GatewayDatabase } from './open-database.js';

export interface ObjectionRow {
  readonly epoch: MonthEpoch;
  readonly pseudonym: Pseudonym;
  /** The request whose answer recorded it (or that the caller was followed under). */
  readonly requestId: number;
  readonly recordedAt: number;
}

interface StoredObjection {
  link_epoch: string;
  pseudonym: Uint8Array;
  request_id: number;
  recorded_at: number;
}

/**
 * Pseudonyms under objection (migration 5), one row per (link month, pseudonym). A month's rows go
 * when its link key is shredded: after that nobody can be recognized under them anyway.
 */
export class ObjectionsRepository {
  readonly #db: GatewayDatabase;

  constructor(db: GatewayDatabase) {
    this.#db = db;
  }

  /** False when that pseudonym of that month is under objection already. */
  insert(row: ObjectionRow): boolean {
    return (
      this.#db.run('INSERT INTO objections (link_epoch, pseudonym, request_id, recorded_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING', [
        row.epoch,
        row.pseudonym,
        row.requestId,
        row.recordedAt,
      ]).changes === 1
    );
  }

  /** Every objection; read once at start into memory. */
  all(): ObjectionRow[] {
    return this.#db
      .all<StoredObjection>('SELECT link_epoch, pseudonym, request_id, recorded_at FROM objections ORDER BY link_epoch, recorded_at')
      .map((stored) => ({
        epoch: stored.link_epoch as MonthEpoch,
        pseudonym: stored.pseudonym as Pseudonym,
        requestId: stored.request_id,
        recordedAt: stored.recorded_at,
      }));
  }

  /** Removes a shredded month's objections; follow with `db.checkpoint()` once committed. */
  forgetLinkEpoch(epoch: MonthEpoch): number {
    return this.#db.run('DELETE FROM objections WHERE link_epoch = ?', [epoch]).changes;
  }

  /** The same for every month before `epoch` (month epochs sort as text). */
  forgetLinkEpochsBefore(epoch: MonthEpoch): number {
    return this.#db.run('DELETE FROM objections WHERE link_epoch < ?', [epoch]).changes;
  }

  count(): number {
    return this.#db.get<{ n: number }>('SELECT count(*) AS n FROM objections')?.n ?? 0;
  }
}
