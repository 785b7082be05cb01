import type { AccountSummary, AuthenticatedSession, LoginContext, LoginResult, Role } from '../accounts/index.js';
import type { AuditRecord, AuditVerification, NewAuditEntry } from '../audit/index.js';
import type { ContactReference } from '../contacts/contact-view.js';
import type { HealthReport } from '../health/health-report.js';
import type { IncidentKind } from '../incidents/index.js';
import type { CallerRequestDesk } from '../rights/caller-request-types.js';
import type { Clock } from '../time/clock.js';
import type { DisclosureRefusalReason } from '../rights/break-glass.js';
import type { CoordinatorModeration } from './coordinator-moderation-routes.js';
import type { CoordinatorTranscripts } from './coordinator-transcript-routes.js';
import type { CoordinatorUpdate } from './coordinator-update-routes.js';
import type { SupervisionBackend } from './supervision-backend.js';

/**
 * Everything the coordinator routes need, and nothing more. Each part is shaped so that main.ts can
 * pass the core object itself (AccountService, IncidentRegister, AuditLog, CallerRequestDesk); only
 * break-glass approval, retention status and system health need a few lines of adapter. No part
 * hands stations/ a raw identifier or a pseudonym: the one revealed number arrives already rendered
 * as text, for the approving coordinator only.
 */

/** Who acts, from the session: the same shape as DisclosureActor and RightsActor. */
export interface CoordinatorActor {
  readonly accountId: string;
  readonly role: Role;
}

/**
 * Satisfied by AccountService, which writes logins, logouts and account changes to the audit log
 * itself (`by` names the acting coordinator); the routes add no entries of their own for these.
 */
export interface CoordinatorAccounts {
  login(id: string, password: string, context: LoginContext): Promise<LoginResult>;
  authenticate(token: unknown): AuthenticatedSession | undefined;
  logout(token: unknown): boolean;
  listAccounts(): readonly AccountSummary[];
  createAccount(id: string, role: Role, password: string, by: CoordinatorActor): Promise<AccountSummary>;
  changeRole(id: string, role: Role, by: CoordinatorActor): AccountSummary;
  disable(id: string, by: CoordinatorActor): AccountSummary;
  enable(id: string, by: CoordinatorActor): AccountSummary;
}

/** The refusal reasons of BreakGlassDisclosure (a type only: stations/ never calls rights/). */
export type DisclosureRefusalCode = DisclosureRefusalReason;

export interface DisclosureRefusalView {
  readonly ok: false;
  readonly reason: DisclosureRefusalCode;
}

export interface PendingDisclosureView {
  readonly requestId: number;
  readonly reference: ContactReference;
  readonly requestedBy: string;
  readonly reason: string;
  readonly requestedAt: number;
  readonly expiresAt: number;
}

export type DisclosureApprovalView =
  | {
      readonly ok: true;
      readonly requestId: number;
      readonly reference: ContactReference;
      /** The unsealed identifier rendered as text by rights/ (E.164 or IP): shown once to the approver. */
      readonly revealed: string;
      readonly incidentId: number;
    }
  | DisclosureRefusalView;

/** BreakGlassDisclosure's request/refuse/pending as they are; approve adapted to a rendered `revealed`. */
export interface CoordinatorDisclosures {
  request(actor: CoordinatorActor, reference: ContactReference, reason: string): { readonly ok: true; readonly requestId: number } | DisclosureRefusalView;
  approve(actor: CoordinatorActor, requestId: number): DisclosureApprovalView;
  refuse(actor: CoordinatorActor, requestId: number): { readonly ok: true } | DisclosureRefusalView;
  pending(actor: CoordinatorActor): { readonly ok: true; readonly requests: readonly PendingDisclosureView[] } | DisclosureRefusalView;
}

export type IncidentSeverityView = 'low' | 'medium' | 'high' | 'critical';

/** The fields of an incident row (src/store/incidents-repository.ts), repeated: stations/ imports no store module. */
export interface IncidentView {
  readonly id: number;
  readonly kind: string;
  readonly severity: IncidentSeverityView;
  readonly summary: string;
  readonly detectedAt: number;
  readonly assessment: string | null;
  readonly reportedToAuthorityAt: number | null;
  readonly notifiedPersonsAt: number | null;
  readonly closedAt: number | null;
}

export interface IncidentAlertView {
  readonly kind: 'overdue' | 'nearly-due';
  readonly incident: IncidentView;
  readonly dueAt: number;
}

/**
 * Satisfied by IncidentRegister (which audits `incident.raised` itself when given the audit log;
 * the routes audit updates, closing, and who raised an incident by hand). Its methods throw RangeError for an unknown id and TypeError for
 * text that is empty, too long or shaped like an identifier; the routes answer 404 / 400.
 */
export interface CoordinatorIncidents {
  open(): readonly IncidentView[];
  alerts(): readonly IncidentAlertView[];
  raise(incident: { readonly kind: IncidentKind; readonly severity: IncidentSeverityView; readonly summary: string }): {
    readonly incident: IncidentView;
    readonly folded: boolean;
  };
  assess(id: number, assessment: string): IncidentView;
  markReportedToAuthority(id: number): IncidentView;
  markPersonsNotified(id: number): IncidentView;
  close(id: number): IncidentView;
}

/** Satisfied by AuditLog. The routes append entries only for incident updates, which the register does not audit. */
export interface CoordinatorAudit {
  entries(afterSeq: number, limit: number): readonly AuditRecord[];
  count(): number;
  verify(): AuditVerification;
  append(entry: NewAuditEntry): unknown;
}

/** One line of `retention status` (RetentionStatusLine): times and month names, no identifier. */
export interface RetentionStatusView {
  readonly dataClass: string;
  readonly kind: string;
  readonly oldestItemAt: number | undefined;
  readonly oldestLiveEpoch: string | undefined;
  readonly nextDeadline: number | undefined;
  readonly overdue: boolean;
  readonly text: string;
}

/** planRetention(…)'s result fits as it is. */
export interface CoordinatorRetention {
  currentStatus(): { readonly now: number; readonly timeZone: string; readonly status: readonly RetentionStatusView[] };
}

export interface HealthCheckView {
  readonly name: string;
  readonly ok: boolean;
  /** Plain words without personal data, e.g. "journal WAL, quick_check ok". */
  readonly detail: string;
}

/** What a technician may see (P15): versions and health, nothing about contacts or callers. */
export interface CoordinatorSystem {
  firmwareVersion(): string;
  health(): { readonly ok: boolean; readonly checks: readonly HealthCheckView[] };
  /** The full report of `GET /health` (docs/health.md); without it that route answers 404. */
  report?(): HealthReport;
}

export interface CoordinatorBackend {
  /** For Retry-After and deadline badges; the routes never read the wall clock. */
  readonly clock: Clock;
  readonly accounts: CoordinatorAccounts;
  readonly callerRequests: CallerRequestDesk;
  readonly disclosures: CoordinatorDisclosures;
  readonly incidents: CoordinatorIncidents;
  readonly audit: CoordinatorAudit;
  readonly retention: CoordinatorRetention;
  readonly system: CoordinatorSystem;
  /** Time Outs and blocks (P4): the ModerationRegister itself. Without it the moderation routes answer 404. */
  readonly moderation?: CoordinatorModeration;
  /**
   * Closed chats' transcripts, the chat's IP after the chat and training fragments (P6, P8, P9): the
   * TranscriptDesk itself. Without it the page has no Chatgesprekken section and the routes answer 404.
   */
  readonly transcripts?: CoordinatorTranscripts;
  /** Live calls and listen-along for supervisors (SipSupervision). Without it the supervision routes answer 404. */
  readonly supervision?: SupervisionBackend;
  /** Signed updates for technicians (UpdateIntake). Without it the page has no Update section and the routes answer 404. */
  readonly update?: CoordinatorUpdate;
}
