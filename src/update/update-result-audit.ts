import type { AuditDetails, NewAuditEntry } from '../audit/audit-entry.js';
import type { UpdateResult } from './update-state.js';

/** The outcomes that change which version runs; the upload itself is audited by its route. */
const AUDITED_OUTCOMES = {
  committed: 'update.installed',
  reverted: 'update.rolled-back',
  'rolled-back': 'update.rolled-back',
} as const satisfies Partial<Record<UpdateResult['outcome'], NewAuditEntry['action']>>;

/** Where the time of the last result already in the audit log is kept (the store's `meta` table). */
export interface AuditedResultMark {
  read(): number | undefined;
  write(at: number): void;
}

/**
 * Writes the update state's last result into the audit log once: a commit by the running trial, a
 * revert by the start check (which runs before the gateway, with no database open) or a rollback
 * by the technician's command. The gateway calls it whenever it reads the update state; a result
 * at or before the mark is already there. A crash between the entry and the mark writes it twice,
 * never not at all.
 */
export function auditUpdateResult(result: UpdateResult | null, audit: { append(entry: NewAuditEntry): unknown }, mark: AuditedResultMark): boolean {
  if (!result || !(result.outcome in AUDITED_OUTCOMES)) return false;
  if ((mark.read() ?? Number.NEGATIVE_INFINITY) >= result.at) return false;
  const details: Record<string, string> = { outcome: result.outcome, resultAt: new Date(result.at).toISOString() };
  if (result.version !== undefined) details.version = result.version;
  if (result.code !== undefined) details.code = result.code;
  audit.append({ actorRole: 'system', actorId: 'update', action: AUDITED_OUTCOMES[result.outcome as keyof typeof AUDITED_OUTCOMES], details: details satisfies AuditDetails });
  mark.write(result.at);
  return true;
}
