import type { Role } from '../accounts/roles.js';
import type { AuditDetails } from '../audit/audit-entry.js';

/**
 * The audit actions of this folder. They are not in AUDIT_ACTIONS yet (src/audit is a contract
 * file); until they are, AuditLog does not fit this port and refuses them at run time.
 */
export const TRANSCRIPT_AUDIT_ACTIONS = ['transcript.read', 'chat-address.revealed', 'fragment.drafted', 'fragment.saved', 'fragment.deleted'] as const;
export type TranscriptAuditAction = (typeof TRANSCRIPT_AUDIT_ACTIONS)[number];

export interface TranscriptAuditEntry {
  readonly actorRole: Role;
  readonly actorId: string;
  readonly action: TranscriptAuditAction;
  /** A chat's reference, or `fragment-<id>`. */
  readonly target?: string;
  /** Counts and codes only: never a line, a title, a fragment's text or an address. */
  readonly details?: AuditDetails;
}

/** Satisfied by AuditLog, which joins the caller's transaction, so an entry commits with its read. */
export interface TranscriptAudit {
  append(entry: TranscriptAuditEntry): unknown;
}
