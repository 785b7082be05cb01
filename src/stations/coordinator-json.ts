import type { AccountSummary } from '../accounts/index.js';
import type { AuditRecord, AuditVerification } from '../audit/index.js';
import type { CallerRequestAnswer, CallerRequestExtension, CallerRequestView } from '../rights/caller-request-types.js';
import type { IncidentAlertView, IncidentView, PendingDisclosureView, RetentionStatusView } from './coordinator-backend.js';

/**
 * Field-by-field copies of what the backend returns, for the same reason as toStationContactJson:
 * an object typed as a view may carry more (a pseudonym, a sealed copy), and only the listed
 * fields reach the wire.
 */

export function callerRequestJson(view: CallerRequestView): CallerRequestView {
  return {
    reference: view.reference,
    kind: view.kind,
    channel: view.channel,
    status: view.status,
    receivedAt: view.receivedAt,
    registeredBy: view.registeredBy,
    identityCheckedAt: view.identityCheckedAt,
    identityCheckedBy: view.identityCheckedBy,
    dueAt: view.dueAt,
    extension: view.extension && extensionJson(view.extension),
    answeredAt: view.answeredAt,
    answeredBy: view.answeredBy,
    answer: view.answer && answerJson(view.answer),
    alert: view.alert,
  };
}

function extensionJson(extension: CallerRequestExtension): CallerRequestExtension {
  return { reason: extension.reason, noticeSentAt: extension.noticeSentAt, extendedBy: extension.extendedBy, extendedAt: extension.extendedAt };
}

function answerJson(answer: CallerRequestAnswer): CallerRequestAnswer {
  return {
    matchedContacts: answer.matchedContacts,
    transcriptLines: answer.transcriptLines,
    erasedContacts: answer.erasedContacts,
    erasedTranscriptLines: answer.erasedTranscriptLines,
    nothingLinkableRemains: answer.nothingLinkableRemains,
    summary: answer.summary,
  };
}

export interface IncidentJson extends IncidentView {
  /** When the authority must have heard of it (72 h after detection). */
  readonly authorityDueAt: number;
  readonly alert: IncidentAlertView['kind'] | null;
}

export function incidentJson(incident: IncidentView, authorityDueAt: number, alert: IncidentAlertView['kind'] | null): IncidentJson {
  return {
    id: incident.id,
    kind: incident.kind,
    severity: incident.severity,
    summary: incident.summary,
    detectedAt: incident.detectedAt,
    assessment: incident.assessment,
    reportedToAuthorityAt: incident.reportedToAuthorityAt,
    notifiedPersonsAt: incident.notifiedPersonsAt,
    closedAt: incident.closedAt,
    authorityDueAt,
    alert,
  };
}

export function pendingDisclosureJson(request: PendingDisclosureView): PendingDisclosureView {
  return {
    requestId: request.requestId,
    reference: request.reference,
    requestedBy: request.requestedBy,
    reason: request.reason,
    requestedAt: request.requestedAt,
    expiresAt: request.expiresAt,
  };
}

export interface AuditEntryJson {
  readonly seq: number;
  readonly at: string;
  readonly actorRole: string;
  readonly actorId: string;
  readonly action: string;
  readonly target: string | null;
  readonly details: Readonly<Record<string, number | string | boolean>>;
  /** SHA-256 of the entry, lower-case hex. */
  readonly hash: string;
}

export function auditEntryJson(record: AuditRecord): AuditEntryJson {
  return {
    seq: record.seq,
    at: record.at,
    actorRole: record.actorRole,
    actorId: record.actorId,
    action: record.action,
    target: record.target,
    details: { ...record.details },
    hash: Buffer.from(record.hash).toString('hex'),
  };
}

export function auditVerificationJson(verification: AuditVerification): AuditVerification {
  if (verification.ok) return { ok: true, entries: verification.entries, head: verification.head && { ...verification.head } };
  return {
    ok: false,
    seq: verification.seq,
    reason: verification.reason,
    ...(verification.column === undefined ? {} : { column: verification.column }),
    intactEntries: verification.intactEntries,
    intactHead: verification.intactHead && { ...verification.intactHead },
  };
}

export function accountJson(account: AccountSummary): AccountSummary {
  return { id: account.id, role: account.role, createdAt: account.createdAt, disabledAt: account.disabledAt };
}

/** JSON has no undefined: absent times become null so the page can tell "none" from a missing key. */
export interface RetentionStatusJson {
  readonly dataClass: string;
  readonly kind: string;
  readonly oldestItemAt: number | null;
  readonly oldestLiveEpoch: string | null;
  readonly nextDeadline: number | null;
  readonly overdue: boolean;
  readonly text: string;
}

export function retentionStatusJson(line: RetentionStatusView): RetentionStatusJson {
  return {
    dataClass: line.dataClass,
    kind: line.kind,
    oldestItemAt: line.oldestItemAt ?? null,
    oldestLiveEpoch: line.oldestLiveEpoch ?? null,
    nextDeadline: line.nextDeadline ?? null,
    overdue: line.overdue,
    text: line.text,
  };
}
