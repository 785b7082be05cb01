import { accountActorId } from '../audit/audit-entry.js';
import { can, checkAccountId, isRole, type Role } from '../accounts/index.js';
import type { AuditDetails, AuditLog } from '../audit/index.js';
import { isContactReference } from '../contacts/contact-reference.js';
import type { ContactReference } from '../contacts/contact-view.js';
import type { IncidentRegister } from '../incidents/index.js';
import type { Logger } from '../log/logger.js';
import { looksLikeIdentifier } from '../log/scrub.js';
import type { RawIdentifier } from '../privacy/raw-identifier.js';
import { channelIdentifierKind, type Channel, type IdentifierDataClass } from '../privacy/types.js';
import type { Vault } from '../privacy/vault.js';
import type { ContactRow, ContactsRepository } from '../store/contacts-repository.js';
import { DisclosuresRepository, type DisclosureRequestRow } from '../store/disclosures-repository.js';
import type { GatewayDatabase } from '../store/open-database.js';
import type { Clock } from '../time/clock.js';

/** Who acts: an authenticated account and its role, as the session layer knows them. */
export interface DisclosureActor {
  readonly accountId: string;
  readonly role: Role;
}

export type DisclosureRefusalReason =
  | 'not-coordinator'
  | 'no-reason'
  | 'reason-holds-identifier'
  | 'unknown-contact'
  | 'outside-retention'
  | 'same-coordinator'
  | 'not-pending'
  | 'expired';

export interface DisclosureRefusal {
  readonly ok: false;
  readonly reason: DisclosureRefusalReason;
}

export type DisclosureRequestResult = { readonly ok: true; readonly requestId: number } | DisclosureRefusal;

export type DisclosureApprovalResult =
  | {
      readonly ok: true;
      readonly requestId: number;
      readonly reference: ContactReference;
      /** Cannot be printed in any rendering; the coordinator page reveals it. */
      readonly identifier: RawIdentifier;
      readonly incidentId: number;
    }
  | DisclosureRefusal;

export type DisclosureRefuseResult = { readonly ok: true } | DisclosureRefusal;

/** A pending request as a coordinator deciding on it sees it: the reason, never the identifier. */
export interface PendingDisclosure {
  readonly requestId: number;
  readonly reference: ContactReference;
  readonly requestedBy: string;
  readonly reason: string;
  readonly requestedAt: number;
  readonly expiresAt: number;
}

export type PendingDisclosuresResult = { readonly ok: true; readonly requests: PendingDisclosure[] } | DisclosureRefusal;

export interface BreakGlassDisclosureOptions {
  readonly database: GatewayDatabase;
  readonly contacts: ContactsRepository;
  readonly vault: Vault;
  readonly audit: AuditLog;
  readonly incidents: IncidentRegister;
  readonly clock: Clock;
  readonly logger: Logger;
  /** How long a request waits for its second coordinator; 24 hours when left out. */
  readonly requestTtlMs?: number;
}

export const DEFAULT_DISCLOSURE_REQUEST_TTL_MS = 24 * 60 * 60 * 1000;
/** A reason of a few words ("danger") says nothing a later reviewer can weigh. */
export const MIN_DISCLOSURE_REASON_LENGTH = 30;

const dataClassOf: Readonly<Record<Channel, IdentifierDataClass>> = {
  phone: 'phone-number',
  chat: 'chat-ip',
  mail: 'mail-address',
};

type Attempt = 'request' | 'approve' | 'refuse';

/**
 * Break-glass disclosure (P16, BE: professional secrecy is broken only when others are in danger):
 * one coordinator asks with a written reason, a second, different coordinator approves, and only
 * then is the contact's sealed identifier opened. It works only while the sealed copy and its month
 * key exist, i.e. inside the retention window. Every step, and every refused attempt, is in the audit
 * log (without the reason text, which stays in `disclosure_requests`); an approval raises an
 * incident. Each call is one transaction: the audit entries commit or roll back with the work.
 */
export class BreakGlassDisclosure {
  readonly #options: BreakGlassDisclosureOptions;
  readonly #disclosures: DisclosuresRepository;
  readonly #ttlMs: number;

  constructor(options: BreakGlassDisclosureOptions) {
    const ttl = options.requestTtlMs ?? DEFAULT_DISCLOSURE_REQUEST_TTL_MS;
    if (!Number.isFinite(ttl) || ttl <= 0) throw new TypeError('BreakGlassDisclosure requestTtlMs must be a positive number of milliseconds');
    this.#options = options;
    this.#disclosures = new DisclosuresRepository(options.database);
    this.#ttlMs = ttl;
  }

  /** A coordinator asks to unseal a contact's identifier; returns the request id for the second coordinator. */
  request(actor: DisclosureActor, reference: ContactReference, reason: string): DisclosureRequestResult {
    const accountId = checkActor(actor);
    const { database, contacts, audit, clock, logger } = this.#options;
    return database.transaction(() => {
      const refused = (why: DisclosureRefusalReason): DisclosureRefusal =>
        this.#refusedAttempt(actor, accountId, 'request', why, isContactReference(reference) ? reference : undefined);
      if (!can(actor.role, 'disclosure.approve')) return refused('not-coordinator');
      const written = typeof reason === 'string' ? reason.trim() : '';
      if ([...written].length < MIN_DISCLOSURE_REASON_LENGTH) return refused('no-reason');
      if (looksLikeIdentifier(written)) return refused('reason-holds-identifier');
      const contact = contacts.findByReference(reference);
      if (!contact) return refused('unknown-contact');
      // Opened only to prove it still opens; the identifier is dropped here.
      if (!this.#unseal(contact)) return refused('outside-retention');
      const requestId = this.#disclosures.insert({ contactId: contact.id, requestedBy: accountId, reason: written, requestedAt: clock.now() });
      audit.append({
        actorRole: actor.role,
        actorId: accountActorId(accountId),
        action: 'disclosure.requested',
        target: contact.reference,
        details: { requestId, reasonLength: written.length },
      });
      logger.warn({ requestId, reference: contact.reference }, 'break-glass disclosure requested');
      return { ok: true, requestId };
    });
  }

  /** A second coordinator approves: the identifier is unsealed, audited, and an incident is raised. */
  approve(actor: DisclosureActor, requestId: number): DisclosureApprovalResult {
    const accountId = checkActor(actor);
    const { database, contacts, audit, incidents, clock, logger } = this.#options;
    return database.transaction(() => {
      const request = this.#find(requestId);
      const contact = request && contacts.findById(request.contactId);
      const refused = (why: DisclosureRefusalReason): DisclosureRefusal =>
        this.#refusedAttempt(actor, accountId, 'approve', why, contact?.reference ?? requestTarget(requestId), request?.id);
      if (!can(actor.role, 'disclosure.approve')) return refused('not-coordinator');
      if (!request || request.state !== 'pending') return refused('not-pending');
      if (!contact) return refused('unknown-contact');
      if (request.requestedBy === accountId) return refused('same-coordinator');
      const now = clock.now();
      if (now - request.requestedAt > this.#ttlMs) return refused('expired');
      const identifier = this.#unseal(contact);
      if (!identifier) return refused('outside-retention');
      if (!this.#disclosures.markApproved(request.id, accountId, now)) throw new Error('disclosure request changed during its approval');
      const actorId = accountActorId(accountId);
      const raised = incidents.raise({
        kind: 'break-glass-disclosure',
        severity: 'high',
        summary: `break-glass disclosure of contact ${contact.reference} approved by two coordinators`,
      });
      const incidentId = raised.incident.id;
      audit.append({ actorRole: actor.role, actorId, action: 'disclosure.approved', target: contact.reference, details: { requestId: request.id, incidentId } });
      audit.append({
        actorRole: actor.role,
        actorId,
        action: 'disclosure.unsealed',
        target: contact.reference,
        details: { requestId: request.id, dataClass: dataClassOf[contact.channel] },
      });
      logger.warn({ requestId: request.id, reference: contact.reference, incident: incidentId }, 'break-glass disclosure approved and unsealed');
      return { ok: true, requestId: request.id, reference: contact.reference, identifier, incidentId };
    });
  }

  /** A coordinator (the requester too: a request can be withdrawn) turns a pending request down. */
  refuse(actor: DisclosureActor, requestId: number): DisclosureRefuseResult {
    const accountId = checkActor(actor);
    const { database, contacts, audit, clock, logger } = this.#options;
    return database.transaction(() => {
      const request = this.#find(requestId);
      const contact = request && contacts.findById(request.contactId);
      const target = contact?.reference ?? requestTarget(requestId);
      const refused = (why: DisclosureRefusalReason): DisclosureRefusal => this.#refusedAttempt(actor, accountId, 'refuse', why, target, request?.id);
      if (!can(actor.role, 'disclosure.approve')) return refused('not-coordinator');
      if (!request || request.state !== 'pending') return refused('not-pending');
      if (!this.#disclosures.markRefused(request.id, accountId, clock.now())) throw new Error('disclosure request changed during its refusal');
      audit.append({
        actorRole: actor.role,
        actorId: accountActorId(accountId),
        action: 'request.refused',
        ...(target === undefined ? {} : { target }),
        details: { subject: 'disclosure', decision: 'refused', requestId: request.id },
      });
      logger.info({ requestId: request.id }, 'break-glass disclosure request refused');
      return { ok: true };
    });
  }

  /** Requests still waiting for a second coordinator and not yet expired, oldest first. */
  pending(actor: DisclosureActor): PendingDisclosuresResult {
    checkActor(actor);
    if (!can(actor.role, 'disclosure.approve')) return { ok: false, reason: 'not-coordinator' };
    const { contacts, clock } = this.#options;
    const requests: PendingDisclosure[] = [];
    for (const request of this.#disclosures.pendingSince(clock.now() - this.#ttlMs)) {
      const contact = contacts.findById(request.contactId);
      if (!contact) continue;
      requests.push({
        requestId: request.id,
        reference: contact.reference,
        requestedBy: request.requestedBy,
        reason: request.reason,
        requestedAt: request.requestedAt,
        expiresAt: request.requestedAt + this.#ttlMs,
      });
    }
    return { ok: true, requests };
  }

  #find(requestId: number): DisclosureRequestRow | undefined {
    return Number.isSafeInteger(requestId) && requestId > 0 ? this.#disclosures.findById(requestId) : undefined;
  }

  /** The contact's identifier, or undefined when nothing was sealed or its month key is gone. */
  #unseal(contact: ContactRow): RawIdentifier | undefined {
    if (contact.sealedIdentifier === null || contact.sealedEpoch === null) return undefined;
    return this.#options.vault.unseal(contact.sealedIdentifier, dataClassOf[contact.channel], contact.sealedEpoch, channelIdentifierKind[contact.channel]);
  }

  /** Refused attempts are audited too: a pattern of them is what a reviewer looks for. */
  #refusedAttempt(
    actor: DisclosureActor,
    accountId: string,
    attempt: Attempt,
    reason: DisclosureRefusalReason,
    target: string | undefined,
    requestId?: number,
  ): DisclosureRefusal {
    const details: AuditDetails = { subject: 'disclosure', attempt, refusal: reason, ...(requestId === undefined ? {} : { requestId }) };
    this.#options.audit.append({
      actorRole: actor.role,
      actorId: accountActorId(accountId),
      action: 'request.refused',
      ...(target === undefined ? {} : { target }),
      details,
    });
    this.#options.logger.warn({ attempt, refusal: reason, ...(requestId === undefined ? {} : { requestId }) }, 'break-glass disclosure attempt refused');
    return { ok: false, reason };
  }
}

/** The normalized account id; an actor the session layer could not have made is a programming error. */
function checkActor(actor: DisclosureActor): string {
  if (!isRole(actor?.role)) throw new TypeError('disclosure actor role is not one of the account roles');
  return checkAccountId(actor.accountId);
}

/**
 * The audit target for a request id the caller typed. The audit log refuses six digits in a row (a
 * phone number could hide there), so a larger id, which names no request, is audited without a
 * target: `disclosure-41729358` made the refusal itself fail with a 500 (found by fuzzing).
 */
function requestTarget(requestId: number): string | undefined {
  return Number.isSafeInteger(requestId) && requestId > 0 && requestId < 100_000 ? `disclosure-${requestId}` : undefined;
}
