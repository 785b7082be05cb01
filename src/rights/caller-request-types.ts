import type { Role } from '../accounts/roles.js';
import type { GatewayErrorCode } from '../errors.js';

/**
 * The face of the callers' requests (access / portability, erasure, objection) that the HTTP layer
 * and the command line use. Nothing here carries an identifier: a request is known by its own random
 * reference, and answers are counts, contact references and rendered documents.
 */

export type CallerRequestKind = 'access' | 'erasure' | 'objection';

export type CallerRequestChannel = 'phone' | 'chat' | 'mail';

/** received -> identity-checked -> (extended) -> answered. */
export type CallerRequestStatus = 'received' | 'identity-checked' | 'extended' | 'answered';

export interface RightsActor {
  readonly accountId: string;
  readonly role: Role;
}

export interface CallerRequestExtension {
  /** Why two more months are needed (GDPR art. 12(3)): complexity or number of requests. */
  readonly reason: string;
  /** When the person was told of the extension; required, the extension is refused without it. */
  readonly noticeSentAt: number;
  readonly extendedBy: string;
  readonly extendedAt: number;
}

/** What an answered request did, in counts: never an identifier. */
export interface CallerRequestAnswer {
  /** Contacts the box still held for the supplied identifier when answering. */
  readonly matchedContacts: number;
  readonly transcriptLines: number;
  /** Access and erasure: the mails (in and out) of the matched mail contacts, exported or erased with them. */
  readonly mails?: number;
  readonly erasedContacts: number;
  readonly erasedTranscriptLines: number;
  /** True when the box held nothing linkable (past retention, or never there). */
  readonly nothingLinkableRemains: boolean;
  /** One plain sentence for the coordinator and the audit trail. */
  readonly summary: string;
  /** Erasure: registrations of the erased contacts, kept as anonymous counts (no link to anyone). */
  readonly anonymousRegistrationsKept?: number;
  /** Objection: (month, pseudonym) pairs put under objection. */
  readonly objectedPseudonyms?: number;
}

export type CallerRequestAlert = 'nearly-due' | 'overdue';

export interface CallerRequestView {
  /** Random, e.g. "RQ-7K3M9QPD"; what the coordinator quotes to the person. */
  readonly reference: string;
  readonly kind: CallerRequestKind;
  readonly channel: CallerRequestChannel;
  readonly status: CallerRequestStatus;
  readonly receivedAt: number;
  readonly registeredBy: string;
  readonly identityCheckedAt: number | null;
  readonly identityCheckedBy: string | null;
  /** One month after receipt, or three with a recorded extension. */
  readonly dueAt: number;
  readonly extension: CallerRequestExtension | null;
  readonly answeredAt: number | null;
  readonly answeredBy: string | null;
  readonly answer: CallerRequestAnswer | null;
  readonly alert: CallerRequestAlert | null;
}

export type CallerRequestResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly code: GatewayErrorCode; readonly message: string };

/** The access answer: a JSON document and a printable HTML page of everything held. */
export interface AccessExport {
  readonly view: CallerRequestView;
  /** For the JSON document. */
  readonly fileName: string;
  readonly json: string;
  readonly html: string;
  /** For the HTML page: `fileName` with `.html`. */
  readonly htmlFileName?: string;
}

export interface RegisterCallerRequest {
  readonly kind: CallerRequestKind;
  readonly channel: CallerRequestChannel;
  /** What the person supplied: their phone number, or the contact reference a chat caller kept. */
  readonly supplied: string;
  /** When the request reached the helpline; defaults to now. Deadlines count from here. */
  readonly receivedAt?: number;
}

export interface CallerRequestDesk {
  register(actor: RightsActor, request: RegisterCallerRequest): CallerRequestResult<CallerRequestView>;
  confirmIdentity(actor: RightsActor, reference: string): CallerRequestResult<CallerRequestView>;
  extend(actor: RightsActor, reference: string, extension: { readonly reason: string; readonly noticeSentAt: number }): CallerRequestResult<CallerRequestView>;
  /** Answers an access request (identity checked first) with its export. */
  exportAccess(actor: RightsActor, reference: string): CallerRequestResult<AccessExport>;
  /** Answers an erasure request: removes what matched and says what went. */
  erase(actor: RightsActor, reference: string): CallerRequestResult<CallerRequestView>;
  /** Answers an objection: no further linking or sealing under the person's pseudonyms. */
  object(actor: RightsActor, reference: string): CallerRequestResult<CallerRequestView>;
  list(actor: RightsActor): CallerRequestResult<CallerRequestView[]>;
  /** Open requests that are nearly due (within 7 days) or overdue, soonest first. */
  alerts(): CallerRequestView[];
}
