import type { GatewayDatabase } from './open-database.js';

export type DisclosureState = 'pending' | 'approved' | 'refused';

export interface NewDisclosureRequest {
  readonly contactId: number;
  /** Account id of the coordinator who asks. */
  readonly requestedBy: string;
  /** The written reason, trimmed; checked for identifiers before it gets here. */
  readonly reason: string;
  readonly requestedAt: number;
}

export interface DisclosureRequestRow extends NewDisclosureRequest {
  readonly id: number;
  readonly approvedBy: string | null;
  readonly approvedAt: number | null;
  readonly refusedBy: string | null;
  readonly refusedAt: number | null;
  readonly state: DisclosureState;
}

interface StoredDisclosureRequest {
  id: number;
  contact_id: number;
  requested_by: string;
  reason: string;
  requested_at: number;
  approved_by: string | null;
  approved_at: number | null;
  refused_by: string | null;
  refused_at: number | null;
}

const COLUMNS = 'id, contact_id, requested_by, reason, requested_at, approved_by, approved_at, refused_by, refused_at';
const PENDING = 'approved_by IS NULL AND refused_by IS NULL';

/**
 * Break-glass disclosure requests (migration 3). Each is decided once: the updates only touch a
 * pending row, and the table refuses an approval by the requester and a row both approved and refused.
 * The service (src/rights/break-glass.ts) decides who may write what.
 */
export class DisclosuresRepository {
  readonly #db: GatewayDatabase;

  constructor(db: GatewayDatabase) {
    this.#db = db;
  }

  insert(request: NewDisclosureRequest): number {
    return this.#db.run('INSERT INTO disclosure_requests (contact_id, requested_by, reason, requested_at) VALUES (?, ?, ?, ?)', [
      request.contactId,
      request.requestedBy,
      request.reason,
      request.requestedAt,
    ]).lastInsertRowid;
  }

  findById(id: number): DisclosureRequestRow | undefined {
    const stored = this.#db.get<StoredDisclosureRequest>(`SELECT ${COLUMNS} FROM disclosure_requests WHERE id = ?`, [id]);
    return stored && toRow(stored);
  }

  /** False when the request is unknown or no longer pending. */
  markApproved(id: number, approvedBy: string, approvedAt: number): boolean {
    return this.#db.run(`UPDATE disclosure_requests SET approved_by = ?, approved_at = ? WHERE id = ? AND ${PENDING}`, [approvedBy, approvedAt, id]).changes === 1;
  }

  /** False when the request is unknown or no longer pending. */
  markRefused(id: number, refusedBy: string, refusedAt: number): boolean {
    return this.#db.run(`UPDATE disclosure_requests SET refused_by = ?, refused_at = ? WHERE id = ? AND ${PENDING}`, [refusedBy, refusedAt, id]).changes === 1;
  }

  /** Pending requests made at or after `since`, oldest first (expired ones are left out by the caller's `since`). */
  pendingSince(since: number): DisclosureRequestRow[] {
    return this.#db
      .all<StoredDisclosureRequest>(`SELECT ${COLUMNS} FROM disclosure_requests WHERE ${PENDING} AND requested_at >= ? ORDER BY requested_at, id`, [since])
      .map(toRow);
  }

  count(): number {
    return this.#db.get<{ n: number }>('SELECT count(*) AS n FROM disclosure_requests')?.n ?? 0;
  }
}

function toRow(stored: StoredDisclosureRequest): DisclosureRequestRow {
  return {
    id: stored.id,
    contactId: stored.contact_id,
    requestedBy: stored.requested_by,
    reason: stored.reason,
    requestedAt: stored.requested_at,
    approvedBy: stored.approved_by,
    approvedAt: stored.approved_at,
    refusedBy: stored.refused_by,
    refusedAt: stored.refused_at,
    state: stored.approved_by !== null ? 'approved' : stored.refused_by !== null ? 'refused' : 'pending',
  };
}
