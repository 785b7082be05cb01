import { accountActorId } from '../audit/audit-entry.js';
import { can, checkAccountId, isRole } from '../accounts/index.js';
import type { AuditDetails, AuditLog } from '../audit/index.js';
import { policyPresets } from '../config/policy-presets.js';
import type { PriorContactCounter } from '../contacts/prior-contact-counter.js';
import type { GatewayErrorCode } from '../errors.js';
import type { Logger } from '../log/logger.js';
import { looksLikeIdentifier } from '../log/scrub.js';
import type { Keyring } from '../privacy/keyring.js';
import type { SiteCountry } from '../privacy/normalize.js';
import type { Pseudonymizer } from '../privacy/pseudonym.js';
import type { Vault } from '../privacy/vault.js';
import { parseSealedMail } from '../mail/sealed-mail.js';
import type { ContactRow, ContactsRepository } from '../store/contacts-repository.js';
import { MailMessagesRepository, type MailMessageRow } from '../store/mail-messages-repository.js';
import { ObjectionsRepository } from '../store/objections-repository.js';
import type { GatewayDatabase } from '../store/open-database.js';
import { RegistrationsRepository } from '../store/registrations-repository.js';
import type { NewRightsRequestRow, RightsRequestRow, RightsRequestsRepository } from '../store/rights-requests-repository.js';
import { TranscriptsRepository } from '../store/transcripts-repository.js';
import type { Clock } from '../time/clock.js';
import { accessDocument, localIsoTime, type AccessRetentionFacts, type HeldContact, type HeldMailContent } from './access-document.js';
import { renderAccessPage } from './access-page.js';
import type {
  AccessExport,
  CallerRequestAnswer,
  CallerRequestDesk,
  CallerRequestResult,
  CallerRequestView,
  RegisterCallerRequest,
  RightsActor,
} from './caller-request-types.js';
import { ObjectionRegister } from './objection-register.js';
import { deadlineAlert, extendedDueAt, originalDueAt } from './request-deadlines.js';
import { linkedPseudonymsOf, matchedContacts, resolveSupplied, unsealedIdentifier } from './request-matching.js';
import { randomRequestReference } from './request-reference.js';
import { revealIdentifier } from './reveal-identifier.js';

export interface CallerRequestsOptions {
  readonly database: GatewayDatabase;
  readonly contacts: ContactsRepository;
  readonly requests: RightsRequestsRepository;
  readonly pseudonymizer: Pseudonymizer;
  readonly vault: Vault;
  /** Only `linkEpochs()` is read: the months whose link keys still exist. */
  readonly keyring: Pick<Keyring, 'linkEpochs'>;
  readonly audit: AuditLog;
  readonly clock: Clock;
  readonly timeZone: string;
  /** For reading a national phone number the person supplies. */
  readonly country: SiteCountry;
  /** The desk's in-memory prior-contact index: erased contacts leave it. */
  readonly priorContacts: PriorContactCounter;
  readonly logger: Logger;
  /** Shared with the ContactDesk (its `objections`); loaded from the database when left out. */
  readonly objections?: ObjectionRegister;
  /** The periods the access export states; the preset of the site's country when left out. */
  readonly retention?: AccessRetentionFacts;
  readonly newReference?: () => string;
}

/** Shorter reasons say nothing a data protection officer could weigh later. */
export const MIN_EXTENSION_REASON_LENGTH = 20;

const DEFAULT_RETENTION: Readonly<Record<SiteCountry, AccessRetentionFacts>> = { NL: policyPresets['allesoke-nl'], BE: policyPresets['lumi-be'] };
const KINDS = ['access', 'erasure', 'objection'] as const;
const CHANNELS = ['phone', 'chat', 'mail'] as const;

type Attempt = 'register' | 'confirm' | 'extend' | 'export' | 'erase' | 'object' | 'list';
type Refusal = { readonly ok: false; readonly code: GatewayErrorCode; readonly message: string };

/**
 * Callers' requests (P13): access / portability, erasure and objection, keyed by what the person
 * supplies and never storing it. Each request runs received -> identity checked -> (extended) ->
 * answered against deadlines in the site's zone. Only `rights.manage` may act; a refusal is a result,
 * and every step and refusal is an audit entry written in the same transaction as the work.
 */
export class CallerRequests implements CallerRequestDesk {
  readonly #options: CallerRequestsOptions;
  readonly #registrations: RegistrationsRepository;
  readonly #transcripts: TranscriptsRepository;
  readonly #mails: MailMessagesRepository;
  readonly #objections: ObjectionRegister;
  readonly #retention: AccessRetentionFacts;
  readonly #newReference: () => string;

  constructor(options: CallerRequestsOptions) {
    this.#options = options;
    this.#registrations = new RegistrationsRepository(options.database);
    this.#transcripts = new TranscriptsRepository(options.database);
    this.#mails = new MailMessagesRepository(options.database);
    this.#objections = options.objections ?? ObjectionRegister.load(new ObjectionsRepository(options.database), options.clock);
    this.#retention = options.retention ?? DEFAULT_RETENTION[options.country];
    this.#newReference = options.newReference ?? randomRequestReference;
  }

  /** The objection list the ContactDesk consults at intake (pass it as the desk's `objections`). */
  get objections(): ObjectionRegister {
    return this.#objections;
  }

  register(actor: RightsActor, request: RegisterCallerRequest): CallerRequestResult<CallerRequestView> {
    const accountId = checkActor(actor);
    const { database, requests, clock, timeZone, logger } = this.#options;
    return database.transaction(() => {
      const refused = (code: GatewayErrorCode, message: string): Refusal => this.#refused(actor, accountId, 'register', code, message);
      if (!can(actor.role, 'rights.manage')) return refused('HGW_RIGHTS_FORBIDDEN', 'only a coordinator handles callers\u2019 requests');
      if (!(KINDS as readonly string[]).includes(request?.kind)) return refused('HGW_RIGHTS_BAD_REQUEST', `kind must be one of ${KINDS.join(', ')}`);
      if (!(CHANNELS as readonly string[]).includes(request?.channel)) return refused('HGW_RIGHTS_BAD_REQUEST', `channel must be one of ${CHANNELS.join(', ')}`);
      const now = clock.now();
      const receivedAt = request.receivedAt ?? now;
      if (!Number.isSafeInteger(receivedAt) || receivedAt > now) return refused('HGW_RIGHTS_BAD_REQUEST', 'receivedAt must be a time in milliseconds, not in the future');
      const resolved = resolveSupplied(request.supplied, request.channel, this.#options);
      if (!resolved.ok) return refused(resolved.code, resolved.message);
      const dueAt = originalDueAt(receivedAt, timeZone);
      const row = this.#insertWithFreshReference({ kind: request.kind, channel: request.channel, receivedAt, registeredBy: accountId, dueAt });
      requests.insertLinks(row.id, resolved.links);
      this.#audit(actor, accountId, 'request.registered', row, { kind: row.kind, channel: row.channel, dueDate: this.#localDate(dueAt) });
      logger.info({ request: row.reference, kind: row.kind, channel: row.channel }, 'caller request registered');
      return { ok: true, value: this.#view(row) };
    });
  }

  confirmIdentity(actor: RightsActor, reference: string): CallerRequestResult<CallerRequestView> {
    return this.#step(actor, reference, 'confirm', (row, accountId) => {
      if (row.identityCheckedAt !== null) return this.#refused(actor, accountId, 'confirm', 'HGW_RIGHTS_BAD_REQUEST', 'the identity was confirmed already', row);
      if (!this.#options.requests.markIdentityChecked(row.id, accountId, this.#options.clock.now())) throw new Error('caller request changed during its identity check');
      this.#audit(actor, accountId, 'request.identity-checked', row, { kind: row.kind });
      return { ok: true, value: this.#view(this.#reread(row)) };
    });
  }

  extend(actor: RightsActor, reference: string, extension: { readonly reason: string; readonly noticeSentAt: number }): CallerRequestResult<CallerRequestView> {
    return this.#step(actor, reference, 'extend', (row, accountId) => {
      const { requests, clock, timeZone } = this.#options;
      const refused = (message: string): Refusal => this.#refused(actor, accountId, 'extend', 'HGW_RIGHTS_EXTENSION_REFUSED', message, row);
      const now = clock.now();
      if (row.extendedAt !== null) return refused('a request is extended once only');
      if (now >= row.dueAt) return refused('the one-month deadline has passed: an extension must be sent before it');
      const reason = typeof extension?.reason === 'string' ? extension.reason.trim() : '';
      if ([...reason].length < MIN_EXTENSION_REASON_LENGTH) return refused(`the reason must say in at least ${MIN_EXTENSION_REASON_LENGTH} characters why two more months are needed`);
      if (looksLikeIdentifier(reason)) return refused('the reason holds something shaped like a phone number, e-mail or IP address; say why without who');
      const noticeAt = extension.noticeSentAt;
      if (!Number.isSafeInteger(noticeAt) || noticeAt < row.receivedAt || noticeAt > now) {
        return refused('noticeSentAt must record when the person was told, between the receipt and now');
      }
      const dueAt = extendedDueAt(row.receivedAt, timeZone);
      if (!requests.markExtended(row.id, { extendedBy: accountId, extendedAt: now, reason, noticeAt, dueAt })) throw new Error('caller request changed during its extension');
      this.#audit(actor, accountId, 'request.extended', row, { kind: row.kind, dueDate: this.#localDate(dueAt), reasonLength: reason.length });
      return { ok: true, value: this.#view(this.#reread(row)) };
    });
  }

  exportAccess(actor: RightsActor, reference: string): CallerRequestResult<AccessExport> {
    const result = this.#answerStep(actor, reference, 'export', 'access', (row, accountId) => {
      const { vault, clock, timeZone } = this.#options;
      const answeredAt = clock.now();
      const held = this.#matched(row).map((contact): HeldContact => {
        const identifier = unsealedIdentifier(contact, vault);
        return {
          contact,
          identifier: identifier ? revealIdentifier(identifier) : null,
          registration: this.#registrations.forContact(contact.id),
          transcript: this.#transcripts.linesOf(contact.id).map((line) => ({
            line,
            text: line.sealedText === null ? undefined : vault.unsealText(line.sealedText, line.sealedEpoch),
          })),
          mails: this.#mails.messagesOf(contact.id).map((mail) => ({ row: mail, content: this.#unsealMail(mail) })),
        };
      });
      const document = accessDocument({ reference: row.reference, receivedAt: row.receivedAt, answeredAt, timeZone, channel: row.channel, held, retention: this.#retention });
      const transcriptLines = held.reduce((sum, contact) => sum + contact.transcript.length, 0);
      const mails = held.reduce((sum, contact) => sum + contact.mails.length, 0);
      const answer = answerOf({
        matchedContacts: held.length,
        transcriptLines,
        mails,
        summary:
          held.length === 0
            ? 'Access answered: nothing linkable remains (past retention, or never held).'
            : `Access answered: ${held.length} contact(s), ${transcriptLines} transcript line(s) and ${mails} mail(s) exported.`,
      });
      this.#audit(actor, accountId, 'export.written', row, { contacts: held.length, transcriptLines, mails, formats: 'json+html' });
      const fileName = `access-${row.reference}`;
      return {
        answer,
        answeredAt,
        value: (view: CallerRequestView): AccessExport => ({
          view,
          fileName: `${fileName}.json`,
          htmlFileName: `${fileName}.html`,
          json: `${JSON.stringify(document, null, 2)}\n`,
          html: renderAccessPage(document),
        }),
      };
    });
    return result;
  }

  erase(actor: RightsActor, reference: string): CallerRequestResult<CallerRequestView> {
    let erased: ContactRow[] = [];
    const result = this.#answerStep(actor, reference, 'erase', 'erasure', (row) => {
      const { requests, clock } = this.#options;
      const matched = this.#matched(row);
      let transcriptLines = 0;
      let mails = 0;
      let anonymousRegistrations = 0;
      for (const contact of matched) {
        const removed = requests.eraseContact(contact.id);
        transcriptLines += removed.transcriptLines;
        mails += removed.mails;
        anonymousRegistrations += removed.anonymousRegistrations;
      }
      erased = matched;
      const answer = answerOf({
        matchedContacts: matched.length,
        transcriptLines,
        mails,
        erasedContacts: matched.length,
        erasedTranscriptLines: transcriptLines,
        anonymousRegistrationsKept: anonymousRegistrations,
        summary:
          matched.length === 0
            ? 'Erasure answered: nothing linkable remains (past retention, or never held), so nothing was erased.'
            : `Erasure answered: ${matched.length} contact(s) and ${transcriptLines} transcript line(s) erased, with ${mails} mail(s); ${anonymousRegistrations} registration(s) stay as anonymous counts.`,
      });
      return { answer, answeredAt: clock.now(), value: (view: CallerRequestView) => view };
    });
    // Only once committed: a rolled-back erasure must leave the count as it was.
    if (result.ok) {
      for (const contact of erased) if (contact.linkEpoch !== null && contact.pseudonym !== null) this.#options.priorContacts.remove(contact.linkEpoch, contact.pseudonym);
    }
    return result;
  }

  object(actor: RightsActor, reference: string): CallerRequestResult<CallerRequestView> {
    return this.#answerStep(actor, reference, 'object', 'objection', (row) => {
      const linked = linkedPseudonymsOf(this.#options.requests.linksOf(row.id));
      const matched = this.#matched(row);
      const objected = this.#objections.record(row.id, linked);
      const answer = answerOf({
        matchedContacts: matched.length,
        transcriptLines: 0,
        nothingLinkableRemains: linked.length === 0 && matched.length === 0,
        objectedPseudonyms: linked.length,
        summary:
          linked.length === 0
            ? 'Objection answered: the box can no longer recognize this caller, so nothing is linked or sealed under them.'
            : `Objection answered: ${linked.length} pseudonym(s) under objection; new contacts are stored unlinked and unsealed; ${matched.length} stored contact(s) remain until their retention ends.`,
      });
      this.#options.logger.info({ request: row.reference, newlyObjected: objected }, 'objection recorded');
      return { answer, answeredAt: this.#options.clock.now(), value: (view: CallerRequestView) => view };
    });
  }

  list(actor: RightsActor): CallerRequestResult<CallerRequestView[]> {
    const accountId = checkActor(actor);
    return this.#options.database.transaction(() => {
      if (!can(actor.role, 'rights.manage')) return this.#refused(actor, accountId, 'list', 'HGW_RIGHTS_FORBIDDEN', 'only a coordinator handles callers\u2019 requests');
      const rows = this.#options.requests.all();
      const open = rows.filter((row) => row.answeredAt === null).sort((a, b) => a.dueAt - b.dueAt || a.id - b.id);
      const answered = rows.filter((row) => row.answeredAt !== null);
      return { ok: true, value: [...open, ...answered].map((row) => this.#view(row)) };
    });
  }

  alerts(): CallerRequestView[] {
    return this.#options.requests
      .open()
      .map((row) => this.#view(row))
      .filter((view) => view.alert !== null);
  }

  /** A step on an existing request: role, then the request, then an answered request refused. */
  #step<T>(
    actor: RightsActor,
    reference: string,
    attempt: Attempt,
    act: (row: RightsRequestRow, accountId: string) => CallerRequestResult<T>,
  ): CallerRequestResult<T> {
    const accountId = checkActor(actor);
    return this.#options.database.transaction(() => {
      const row = typeof reference === 'string' ? this.#options.requests.findByReference(reference.trim().toUpperCase()) : undefined;
      if (!can(actor.role, 'rights.manage')) return this.#refused(actor, accountId, attempt, 'HGW_RIGHTS_FORBIDDEN', 'only a coordinator handles callers\u2019 requests', row);
      if (!row) return this.#refused(actor, accountId, attempt, 'HGW_RIGHTS_UNKNOWN_REQUEST', 'no request with that reference');
      if (row.answeredAt !== null) return this.#refused(actor, accountId, attempt, 'HGW_RIGHTS_ANSWERED', 'the request was answered already', row);
      return act(row, accountId);
    });
  }

  /**
   * Answers a request of `kind` once its identity is checked: `work` does the kind's part, then the
   * answer is stored, the request's pseudonyms dropped and `request.answered` audited, all in one
   * transaction; the checkpoint afterwards moves the removed bytes out of the -wal file.
   */
  #answerStep<T>(
    actor: RightsActor,
    reference: string,
    attempt: Attempt,
    kind: RightsRequestRow['kind'],
    work: (row: RightsRequestRow, accountId: string) => { answer: CallerRequestAnswer; answeredAt: number; value: (view: CallerRequestView) => T },
  ): CallerRequestResult<T> {
    const { database, requests, logger } = this.#options;
    const result = this.#step(actor, reference, attempt, (row, accountId): CallerRequestResult<T> => {
      if (row.kind !== kind) return this.#refused(actor, accountId, attempt, 'HGW_RIGHTS_WRONG_KIND', `this is ${articled(row.kind)} request, not ${articled(kind)} one`, row);
      if (row.identityCheckedAt === null) {
        return this.#refused(actor, accountId, attempt, 'HGW_RIGHTS_IDENTITY_UNCHECKED', 'confirm the person\u2019s identity before answering', row);
      }
      const done = work(row, accountId);
      if (!requests.markAnswered(row.id, accountId, done.answeredAt, JSON.stringify(done.answer))) throw new Error('caller request changed while it was answered');
      requests.deleteLinksOf(row.id);
      this.#audit(actor, accountId, 'request.answered', row, {
        kind: row.kind,
        matchedContacts: done.answer.matchedContacts,
        transcriptLines: done.answer.transcriptLines,
        erasedContacts: done.answer.erasedContacts,
        erasedTranscriptLines: done.answer.erasedTranscriptLines,
        nothingLinkableRemains: done.answer.nothingLinkableRemains,
        ...(done.answer.mails === undefined ? {} : { mails: done.answer.mails }),
        ...(done.answer.objectedPseudonyms === undefined ? {} : { objectedPseudonyms: done.answer.objectedPseudonyms }),
      });
      logger.info({ request: row.reference, kind: row.kind, matchedContacts: done.answer.matchedContacts }, 'caller request answered');
      return { ok: true, value: done.value(this.#view(this.#reread(row))) };
    });
    if (result.ok) database.checkpoint();
    return result;
  }

  /** A stored mail's subject and text while its month's mail-content key lives. */
  #unsealMail(row: MailMessageRow): HeldMailContent | undefined {
    const json = this.#options.vault.unsealText(row.sealedMessage, row.sealedEpoch, 'mail-content');
    const mail = json === undefined ? undefined : parseSealedMail(json);
    return mail && { subject: mail.subject, text: mail.text, attachmentsDropped: mail.attachmentsDropped };
  }

  #matched(row: RightsRequestRow): ContactRow[] {
    return matchedContacts(this.#options.requests.linksOf(row.id), this.#options.contacts);
  }

  #insertWithFreshReference(fields: Omit<NewRightsRequestRow, 'reference'>): RightsRequestRow {
    for (let attempt = 0; attempt < 16; attempt++) {
      const reference = this.#newReference();
      const id = this.#options.requests.insert({ ...fields, reference });
      if (id !== undefined) return this.#reread({ id });
    }
    throw new Error('could not draw a free request reference in 16 attempts');
  }

  #reread(row: Pick<RightsRequestRow, 'id'>): RightsRequestRow {
    const fresh = this.#options.requests.findById(row.id);
    if (!fresh) throw new Error('caller request vanished');
    return fresh;
  }

  #view(row: RightsRequestRow): CallerRequestView {
    const { clock, timeZone } = this.#options;
    return {
      reference: row.reference,
      kind: row.kind,
      channel: row.channel,
      status: row.answeredAt !== null ? 'answered' : row.extendedAt !== null ? 'extended' : row.identityCheckedAt !== null ? 'identity-checked' : 'received',
      receivedAt: row.receivedAt,
      registeredBy: row.registeredBy,
      identityCheckedAt: row.identityCheckedAt,
      identityCheckedBy: row.identityCheckedBy,
      dueAt: row.dueAt,
      extension:
        row.extendedAt !== null && row.extendedBy !== null && row.extensionReason !== null && row.extensionNoticeAt !== null
          ? { reason: row.extensionReason, noticeSentAt: row.extensionNoticeAt, extendedBy: row.extendedBy, extendedAt: row.extendedAt }
          : null,
      answeredAt: row.answeredAt,
      answeredBy: row.answeredBy,
      answer: row.answerJson === null ? null : (JSON.parse(row.answerJson) as CallerRequestAnswer),
      alert: deadlineAlert(row.dueAt, row.answeredAt !== null, clock.now(), timeZone),
    };
  }

  #localDate(at: number): string {
    return localIsoTime(at - 1, this.#options.timeZone).slice(0, 10);
  }

  #audit(actor: RightsActor, accountId: string, action: 'request.registered' | 'request.identity-checked' | 'request.extended' | 'request.answered' | 'export.written', row: RightsRequestRow, details: AuditDetails): void {
    this.#options.audit.append({ actorRole: actor.role, actorId: accountActorId(accountId), action, target: requestTarget(row.reference), details: { request: row.reference, ...details } });
  }

  /** Refused attempts are audited too: a pattern of them is what a reviewer looks for. */
  #refused(actor: RightsActor, accountId: string, attempt: Attempt, code: GatewayErrorCode, message: string, row?: RightsRequestRow): Refusal {
    this.#options.audit.append({
      actorRole: actor.role,
      actorId: accountActorId(accountId),
      action: 'request.refused',
      ...(row === undefined ? {} : { target: requestTarget(row.reference) }),
      details: { subject: 'caller-request', attempt, refusal: code, ...(row === undefined ? {} : { request: row.reference }) },
    });
    this.#options.logger.warn({ attempt, refusal: code, ...(row === undefined ? {} : { request: row.reference }) }, 'caller request step refused');
    return { ok: false, code, message };
  }
}

function answerOf(parts: Partial<CallerRequestAnswer> & Pick<CallerRequestAnswer, 'matchedContacts' | 'transcriptLines' | 'summary'>): CallerRequestAnswer {
  return {
    erasedContacts: 0,
    erasedTranscriptLines: 0,
    nothingLinkableRemains: parts.matchedContacts === 0,
    ...parts,
  };
}

function articled(kind: string): string {
  return /^[aeiou]/.test(kind) ? `an ${kind}` : `a ${kind}`;
}

/** The normalized account id; an actor the session layer could not have made is a programming error. */
function checkActor(actor: RightsActor): string {
  if (!isRole(actor?.role)) throw new TypeError('rights actor role is not one of the account roles');
  return checkAccountId(actor.accountId);
}

function requestTarget(reference: string): string {
  return `request:${reference}`;
}
