import type { ContactReference } from '../contacts/contact-view.js';
import type { GatewayDatabase } from '../store/open-database.js';

export interface ClosedChatRow {
  readonly id: number;
  readonly reference: ContactReference;
  readonly openedAt: number;
  readonly endedAt: number;
}

/**
 * Read-only queries for the coordinator's list of closed chats. They belong in ContactsRepository
 * and TranscriptsRepository (`closedChatsSince`, `lineCounts`); they live here until those grow
 * them, and select columns that hold no identifier.
 */
export class ClosedChatsQuery {
  readonly #db: GatewayDatabase;

  constructor(db: GatewayDatabase) {
    this.#db = db;
  }

  /**
   * Ended chats opened at or after `since`, newest first, at most `limit`. Contacts are inserted
   * in time order and the table has no index on time or channel (every index costs each call a
   * page write), so the first id of the window is found by bisecting the ids and only the
   * window's rows are scanned.
   */
  closedSince(since: number, limit: number): ClosedChatRow[] {
    const firstId = this.#firstIdOpenedAtOrAfter(since);
    return this.#db
      .all<{ id: number; reference: string; opened_at: number; ended_at: number }>(
        `SELECT id, reference, opened_at, ended_at FROM contacts
         WHERE id >= ? AND channel = 'chat' AND ended_at IS NOT NULL AND opened_at >= ?
         ORDER BY id DESC LIMIT ?`,
        [firstId, since, limit],
      )
      .map((row) => ({ id: row.id, reference: row.reference as ContactReference, openedAt: row.opened_at, endedAt: row.ended_at }));
  }

  /** Stored lines per contact id (through the transcript_lines_by_contact index). */
  lineCounts(contactIds: readonly number[]): Map<number, number> {
    const counts = new Map<number, number>();
    if (contactIds.length === 0) return counts;
    const rows = this.#db.all<{ contact_id: number; n: number }>(
      `SELECT contact_id, count(*) AS n FROM transcript_lines WHERE contact_id IN (${contactIds.map(() => '?').join(', ')}) GROUP BY contact_id`,
      contactIds,
    );
    for (const row of rows) counts.set(row.contact_id, row.n);
    return counts;
  }

  #firstIdOpenedAtOrAfter(since: number): number {
    let low = 1;
    let high = (this.#db.get<{ id: number | null }>('SELECT max(id) AS id FROM contacts')?.id ?? 0) + 1;
    while (low < high) {
      const middle = Math.floor((low + high) / 2);
      const row = this.#db.get<{ id: number; opened_at: number }>('SELECT id, opened_at FROM contacts WHERE id >= ? ORDER BY id LIMIT 1', [middle]);
      if (row === undefined || row.opened_at >= since) high = middle;
      else low = row.id + 1;
    }
    return low;
  }
}
