import type { GatewayDatabase } from './open-database.js';

/** An audit_log row with the column types the schema declares. */
export interface AuditRow {
  readonly seq: number;
  readonly at: string;
  readonly actorRole: string;
  readonly actorId: string;
  readonly action: string;
  readonly target: string | null;
  /** Canonical JSON, exactly as hashed. */
  readonly details: string;
  readonly prevHash: Uint8Array;
  readonly hash: Uint8Array;
}

/**
 * A row whose stored value has the wrong type. SQLite checks types only on write through SQL; an
 * edit of the file itself can leave, say, a number where text belongs.
 */
export interface UnreadableAuditRow {
  readonly seq: number;
  readonly unreadableColumn: string;
}

interface StoredAuditRow {
  seq: number;
  at: unknown;
  actor_role: unknown;
  actor_id: unknown;
  action: unknown;
  target: unknown;
  details: unknown;
  prev_hash: unknown;
  hash: unknown;
}

const COLUMNS = 'seq, at, actor_role, actor_id, action, target, details, prev_hash, hash';
const HASH_BYTES = 32;

/**
 * The audit_log table. Append-only by convention of this class: it has no update or delete. The
 * hash chain (src/audit/) is what makes a change made any other way visible.
 */
export class AuditRepository {
  readonly #db: GatewayDatabase;

  constructor(db: GatewayDatabase) {
    this.#db = db;
  }

  insert(row: AuditRow): void {
    this.#db.run(`INSERT INTO audit_log (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, [
      row.seq,
      row.at,
      row.actorRole,
      row.actorId,
      row.action,
      row.target,
      row.details,
      row.prevHash,
      row.hash,
    ]);
  }

  /** The entry with the highest seq: the head of the chain. */
  last(): AuditRow | UnreadableAuditRow | undefined {
    const stored = this.#db.get<StoredAuditRow>(`SELECT ${COLUMNS} FROM audit_log ORDER BY seq DESC LIMIT 1`);
    return stored && toAuditRow(stored);
  }

  /** Up to `limit` entries with seq above `afterSeq`, in seq order: one page of a walk over the log. */
  page(afterSeq: number, limit: number): Array<AuditRow | UnreadableAuditRow> {
    return this.#db
      .all<StoredAuditRow>(`SELECT ${COLUMNS} FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?`, [afterSeq, limit])
      .map(toAuditRow);
  }

  count(): number {
    return this.#db.get<{ n: number }>('SELECT count(*) AS n FROM audit_log')?.n ?? 0;
  }
}

export function isUnreadableAuditRow(row: AuditRow | UnreadableAuditRow): row is UnreadableAuditRow {
  return 'unreadableColumn' in row;
}

function toAuditRow(stored: StoredAuditRow): AuditRow | UnreadableAuditRow {
  const seq = Number(stored.seq);
  const { at, actor_role: actorRole, actor_id: actorId, action, target, details, prev_hash: prevHash, hash } = stored;
  const unreadable = (column: string): UnreadableAuditRow => ({ seq, unreadableColumn: column });
  if (typeof at !== 'string') return unreadable('at');
  if (typeof actorRole !== 'string') return unreadable('actor_role');
  if (typeof actorId !== 'string') return unreadable('actor_id');
  if (typeof action !== 'string') return unreadable('action');
  if (target !== null && typeof target !== 'string') return unreadable('target');
  if (typeof details !== 'string') return unreadable('details');
  if (!isHash(prevHash)) return unreadable('prev_hash');
  if (!isHash(hash)) return unreadable('hash');
  return { seq, at, actorRole, actorId, action, target, details, prevHash, hash };
}

function isHash(value: unknown): value is Uint8Array {
  return value instanceof Uint8Array && value.length === HASH_BYTES;
}
