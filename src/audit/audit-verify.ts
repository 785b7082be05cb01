import { timingSafeEqual } from 'node:crypto';
import { AuditRepository, isUnreadableAuditRow, type AuditRow } from '../store/audit-repository.js';
import type { GatewayDatabase } from '../store/open-database.js';
import { auditEntryHash, GENESIS_HASH } from './audit-entry.js';

/** The newest entry: its hash commits to every entry before it, so it is what gets anchored upstream. */
export interface AuditHead {
  readonly seq: number;
  /** SHA-256, lower-case hex. */
  readonly hash: string;
}

/**
 * - `missing-entry`: a seq is skipped, so an entry was removed;
 * - `broken-link`: the entry's prev_hash is not the hash of the entry before it (an entry removed
 *   and the rest renumbered, entries swapped or moved, or the link itself edited);
 * - `hash-mismatch`: the entry's content no longer matches its hash (edited);
 * - `unreadable`: a column holds a value of the wrong type (an edit of the file itself);
 * - `anchor-mismatch`: the chain holds together but the entry at the anchored seq is not the one
 *   anchored (the history was rewritten and every hash after it recomputed).
 */
export type AuditBreakReason = 'missing-entry' | 'broken-link' | 'hash-mismatch' | 'unreadable' | 'anchor-mismatch';

export type AuditVerification =
  | {
      readonly ok: true;
      readonly entries: number;
      /** Null for an empty log. Compare with the last published anchor: the chain alone cannot see a removed tail. */
      readonly head: AuditHead | null;
    }
  | {
      readonly ok: false;
      /** The first seq that is missing, edited or out of place. */
      readonly seq: number;
      readonly reason: AuditBreakReason;
      /** For `unreadable`: which column. */
      readonly column?: string;
      /** Entries before the break that verified. */
      readonly intactEntries: number;
      /** The last entry that verified, or null when the break is at the start. */
      readonly intactHead: AuditHead | null;
    };

export interface VerifyAuditLogOptions {
  /** Entries read per query; the walk never holds more than one page. */
  readonly pageSize?: number;
  /**
   * A head published earlier: the entry at its seq must have its hash, and the log must reach it.
   * The chain alone cannot see a rewritten history or a removed tail; this can.
   */
  readonly anchor?: AuditHead;
}

const DEFAULT_PAGE_SIZE = 500;

/**
 * Walks the whole log in seq order, page by page, recomputing every hash, and reports the first
 * entry that is missing, edited or out of place. Run it on an open database, outside a write.
 */
export function verifyAuditLog(database: GatewayDatabase, options: VerifyAuditLogOptions = {}): AuditVerification {
  const { anchor } = options;
  const pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
  if (!Number.isSafeInteger(pageSize) || pageSize < 1) throw new TypeError('pageSize must be a positive integer');
  if (anchor && (!Number.isSafeInteger(anchor.seq) || anchor.seq < 1 || !/^[0-9a-f]{64}$/.test(anchor.hash))) {
    throw new TypeError('anchor must be { seq: a positive integer, hash: 64 lower-case hex digits }');
  }
  const repository = new AuditRepository(database);
  let previous: AuditRow | undefined;
  let intactEntries = 0;
  const broken = (seq: number, reason: AuditBreakReason, column?: string): AuditVerification => ({
    ok: false,
    seq,
    reason,
    ...(column === undefined ? {} : { column }),
    intactEntries,
    intactHead: previous ? headOf(previous) : null,
  });

  for (;;) {
    const page = repository.page(previous?.seq ?? 0, pageSize);
    for (const row of page) {
      const expectedSeq = (previous?.seq ?? 0) + 1;
      if (row.seq !== expectedSeq) return broken(expectedSeq, 'missing-entry');
      if (isUnreadableAuditRow(row)) return broken(row.seq, 'unreadable', row.unreadableColumn);
      if (!sameHash(row.prevHash, previous?.hash ?? GENESIS_HASH)) return broken(row.seq, 'broken-link');
      const recomputed = auditEntryHash(row.prevHash, {
        seq: row.seq,
        at: row.at,
        actorRole: row.actorRole,
        actorId: row.actorId,
        action: row.action,
        target: row.target,
        detailsJson: row.details,
      });
      if (!sameHash(recomputed, row.hash)) return broken(row.seq, 'hash-mismatch');
      if (anchor?.seq === row.seq && headOf(row).hash !== anchor.hash) return broken(row.seq, 'anchor-mismatch');
      previous = row;
      intactEntries += 1;
    }
    if (page.length < pageSize) break;
  }
  if (anchor && anchor.seq > intactEntries) return broken(intactEntries + 1, 'missing-entry');
  return { ok: true, entries: intactEntries, head: previous ? headOf(previous) : null };
}

/** One line for the `audit verify` command and for logs; holds no entry content. */
export function describeVerification(verification: AuditVerification): string {
  if (verification.ok) {
    if (verification.head === null) return 'audit log intact: no entries yet';
    return `audit log intact: ${verification.entries} entries, head #${verification.head.seq} ${verification.head.hash}`;
  }
  const intact = `${verification.intactEntries} ${verification.intactEntries === 1 ? 'entry' : 'entries'} before it verified`;
  return `audit log broken at entry #${verification.seq}: ${REASON_TEXT[verification.reason](verification.column)}; ${intact}`;
}

const REASON_TEXT: Readonly<Record<AuditBreakReason, (column?: string) => string>> = {
  'missing-entry': () => 'it is missing (removed)',
  'broken-link': () => 'it does not follow the entry before it (an entry was removed, moved or swapped)',
  'hash-mismatch': () => 'its content does not match its hash (edited)',
  unreadable: (column) => `its ${column ?? 'content'} has the wrong type (edited outside the gateway)`,
  'anchor-mismatch': () => 'it is not the entry the published anchor names (history rewritten)',
};

export function headOf(row: { readonly seq: number; readonly hash: Uint8Array }): AuditHead {
  return { seq: row.seq, hash: Buffer.from(row.hash).toString('hex') };
}

function sameHash(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
