import { GatewayError } from '../errors.js';
import type { Clock } from '../time/clock.js';
import { AuditRepository, isUnreadableAuditRow, type AuditRow } from '../store/audit-repository.js';
import type { GatewayDatabase } from '../store/open-database.js';
import {
  assertAuditEntry,
  auditEntryHash,
  canonicalDetailsJson,
  GENESIS_HASH,
  isAuditAction,
  isAuditActorRole,
  parseDetailsJson,
  type AuditRecord,
  type NewAuditEntry,
} from './audit-entry.js';
import { headOf, verifyAuditLog, type AuditHead, type AuditVerification, type VerifyAuditLogOptions } from './audit-verify.js';

export interface AuditLogOptions {
  readonly database: GatewayDatabase;
  readonly clock: Clock;
}

/**
 * The append-only, hash-chained audit log. Holds no state of its own: the head is read from the
 * table inside each append's transaction, so an append rolled back with its caller's work leaves
 * nothing behind to go stale.
 */
export class AuditLog {
  readonly #database: GatewayDatabase;
  readonly #clock: Clock;
  readonly #repository: AuditRepository;

  constructor(options: AuditLogOptions) {
    if (!options?.database || !options.clock) throw new TypeError('AuditLog needs a database and a clock');
    this.#database = options.database;
    this.#clock = options.clock;
    this.#repository = new AuditRepository(options.database);
  }

  /**
   * Adds one entry after the current head. Joins the caller's transaction when one is open, so the
   * entry commits or rolls back with the work it records. Throws a TypeError, writing nothing, for
   * an entry that could hold an identifier.
   */
  append(entry: NewAuditEntry): AuditRecord {
    assertAuditEntry(entry);
    const at = new Date(this.#clock.now()).toISOString();
    const details = { ...(entry.details ?? {}) };
    const detailsJson = canonicalDetailsJson(details);
    const target = entry.target ?? null;
    return this.#database.transaction(() => {
      const head = this.#repository.last();
      if (head && isUnreadableAuditRow(head)) throw unreadable(head.seq, head.unreadableColumn);
      const seq = (head?.seq ?? 0) + 1;
      const prevHash = head?.hash ?? GENESIS_HASH;
      const fields = { seq, at, actorRole: entry.actorRole, actorId: entry.actorId, action: entry.action, target, detailsJson };
      const hash = auditEntryHash(prevHash, fields);
      this.#repository.insert({ seq, at, actorRole: entry.actorRole, actorId: entry.actorId, action: entry.action, target, details: detailsJson, prevHash, hash });
      return { seq, at, actorRole: entry.actorRole, actorId: entry.actorId, action: entry.action, target, details, prevHash, hash };
    });
  }

  /** The head to publish as an anchor; null while the log is empty. */
  latest(): AuditHead | null {
    const head = this.#repository.last();
    if (head && isUnreadableAuditRow(head)) throw unreadable(head.seq, head.unreadableColumn);
    return head ? headOf(head) : null;
  }

  /** Up to `limit` entries after `afterSeq`, oldest first (for a viewer or an export). */
  entries(afterSeq = 0, limit = 100): AuditRecord[] {
    return this.#repository.page(afterSeq, limit).map((row) => {
      if (isUnreadableAuditRow(row)) throw unreadable(row.seq, row.unreadableColumn);
      return toRecord(row);
    });
  }

  count(): number {
    return this.#repository.count();
  }

  verify(options?: VerifyAuditLogOptions): AuditVerification {
    return verifyAuditLog(this.#database, options);
  }
}

function toRecord(row: AuditRow): AuditRecord {
  if (!isAuditActorRole(row.actorRole)) throw unreadable(row.seq, 'actor_role');
  if (!isAuditAction(row.action)) throw unreadable(row.seq, 'action');
  let details: AuditRecord['details'];
  try {
    details = parseDetailsJson(row.details);
  } catch (error) {
    throw unreadable(row.seq, 'details', error);
  }
  return { ...row, actorRole: row.actorRole, action: row.action, details };
}

function unreadable(seq: number, column: string, cause?: unknown): GatewayError {
  return new GatewayError('HGW_STORE_INTEGRITY', `audit entry #${seq}: ${column} cannot be read; run audit verify`, { cause });
}
