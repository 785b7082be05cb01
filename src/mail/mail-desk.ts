import { randomUUID } from 'node:crypto';
import type { OfferedContact } from '../contacts/contact-desk.js';
import { mayRoute, type ContactModeration, type ContactReference, type StationContactView } from '../contacts/contact-view.js';
import {
  refused,
  type ConversationResult,
  type MailMessageView,
  type MailThreadState,
  type MailThreadView,
  type StationMailBackend,
  type SuggestedSpan,
} from '../contacts/conversation-view.js';
import { TypedEmitter } from '../events/typed-emitter.js';
import type { Logger } from '../log/logger.js';
import type { RawEmailAddress } from '../privacy/raw-identifier.js';
import type { Vault } from '../privacy/vault.js';
import type { ContactsRepository } from '../store/contacts-repository.js';
import type { MailDirection, MailMessageRow, MailMessagesRepository } from '../store/mail-messages-repository.js';
import type { GatewayDatabase } from '../store/open-database.js';
import type { Clock } from '../time/clock.js';
import { monthEpochLookup, type MonthEpoch } from '../time/month-epoch.js';
import { confirmationText } from './confirmation-text.js';
import { HourlyWindow } from './hourly-window.js';
import type { ReceivedMail } from './mail-reading.js';
import type { MailRelay } from './mail-relay.js';
import { newMessageId, referencesIn } from './message-ids.js';
import { parseSealedMail, replySubject, sealedMailOf, withAttachmentNote, type SealedMail } from './sealed-mail.js';

/** The part of the contact desk a mail thread needs (ContactDesk satisfies it). */
export interface MailIntake {
  offerContact(offer: OfferedContact): { readonly view: StationContactView; readonly contactId: number };
  callAnswered(contactKey: string): void;
  endCall(contactKey: string, endedAt: number): void;
}

export interface MailDeskOptions {
  readonly intake: MailIntake;
  readonly mails: MailMessagesRepository;
  /** For the thread's sealed address, and to end threads the desk no longer knows after a restart. */
  readonly contacts: Pick<ContactsRepository, 'findById' | 'markLive' | 'markEnded'>;
  readonly database: GatewayDatabase;
  readonly vault: Vault;
  readonly relay: MailRelay;
  /** PII suggestions for an incoming mail's text (main wires src/pii). */
  readonly suggest: (text: string) => readonly SuggestedSpan[];
  readonly clock: Clock;
  readonly timeZone: string;
  /** The domain of our own Message-IDs (config mail.smtp.hostname). */
  readonly messageIdDomain: string;
  readonly logger: Logger;
  /** Longest answer a volunteer may send; default 20,000 characters. */
  readonly maxAnswerChars?: number;
}

interface Thread {
  readonly contactKey: string;
  readonly contactId: number;
  readonly reference: ContactReference;
  readonly priorContacts: number;
  readonly callerKnown: boolean;
  readonly moderation: ContactModeration | null;
  readonly receivedAt: number;
  readonly subject: string;
  stationId: string | null;
  /** The last mail came in: the thread waits for an answer. */
  awaitingAnswer: boolean;
  /** Sends of this thread run one after another, so an answer and a resend never send a mail twice. */
  sending: Promise<unknown>;
}

interface MailDeskEvents {
  'thread-changed': [view: MailThreadView];
}

const DEFAULT_MAX_ANSWER_CHARS = 20_000;
const MAX_REFERENCES = 20;
const GONE_TEXT = 'Deze mail is niet meer beschikbaar.';

/**
 * Mail threads (P10): an incoming mail becomes a contact (pseudonym, count, moderation) and a
 * sealed row, then the sender gets the automatic confirmation. A reply to one of our mails joins
 * its thread. Volunteers open, read (plain text with PII suggestions), answer through the site's
 * relay and close; the address is unsealed only for the send and never reaches a station.
 */
export class MailDesk implements StationMailBackend {
  readonly #options: MailDeskOptions;
  readonly #logger: Logger;
  readonly #events: TypedEmitter<MailDeskEvents>;
  readonly #threads = new Map<ContactReference, Thread>();
  readonly #confirmations = new HourlyWindow(1);
  readonly #pending = new Set<Promise<void>>();
  readonly #epochAt: (at: number) => MonthEpoch;

  constructor(options: MailDeskOptions) {
    for (const name of ['intake', 'mails', 'contacts', 'database', 'vault', 'relay', 'suggest', 'clock', 'timeZone', 'messageIdDomain', 'logger'] as const) {
      if (!options[name]) throw new TypeError(`MailDesk: options.${name} is required`);
    }
    this.#options = options;
    this.#logger = options.logger.child({ component: 'mail' });
    this.#events = new TypedEmitter<MailDeskEvents>(this.#logger);
    this.#epochAt = monthEpochLookup(options.timeZone);
  }

  /** Lists again the threads that were open when the box stopped (their contacts still offered or live). */
  start(): void {
    const { mails, contacts } = this.#options;
    for (const contactId of mails.openThreadContactIds()) {
      const row = contacts.findById(contactId);
      const messages = mails.messagesOf(contactId);
      const first = messages[0];
      if (!row || !first) continue;
      this.#threads.set(row.reference, {
        contactKey: `mail-restored-${contactId}`,
        contactId,
        reference: row.reference,
        priorContacts: row.priorContacts,
        callerKnown: row.presentation === 'number',
        moderation: null,
        receivedAt: first.at,
        subject: this.#unseal(first)?.subject ?? '',
        stationId: null,
        awaitingAnswer: messages.at(-1)?.direction === 'in',
        sending: Promise.resolve(),
      });
    }
    if (this.#threads.size > 0) this.#logger.info({ threads: this.#threads.size }, 'open mail threads listed again');
  }

  /** Waits for the confirmations under way, then drops the listeners. The relay belongs to the caller. */
  async stop(): Promise<void> {
    await this.idle();
    this.#events.removeAllListeners();
  }

  /** Resolves once every confirmation under way was taken by the relay or failed. */
  async idle(): Promise<void> {
    while (this.#pending.size > 0) await Promise.all([...this.#pending]);
  }

  /**
   * SmtpIntake's `deliver`: resolves once the mail is stored (or, from a moderated sender, once the
   * contact is recorded), so the SMTP 250 follows the disk. The confirmation goes out afterwards.
   */
  async receive(mail: ReceivedMail): Promise<void> {
    const joined = this.#threadRepliedTo(mail);
    if (joined) {
      this.#store(joined.contactId, 'in', mail.receivedAt, sealedMailOf(mail), mail.sizeBytes, true);
      await this.#options.database.whenSynced();
      joined.awaitingAnswer = true;
      this.#logger.info({ reference: joined.reference }, 'mail joined its thread');
      this.#emit(joined);
      this.#confirm(mail, joined.reference, null);
      return;
    }
    const { intake, database } = this.#options;
    const contactKey = `mail-${randomUUID()}`;
    const { view, contactId } = intake.offerContact({ contactKey, channel: 'mail', identifier: mail.sender, offeredAt: mail.receivedAt });
    if (!mayRoute(view.moderation)) {
      // Nobody is to read it: the contact is recorded (the station sees it ended, with the status), the mail is not kept.
      intake.endCall(contactKey, mail.receivedAt);
      await database.whenSynced();
      this.#logger.info({ reference: view.reference, moderation: view.moderation?.kind }, 'mail from a moderated sender: not offered, not kept');
      this.#confirm(mail, view.reference, view.moderation ?? null);
      return;
    }
    try {
      this.#store(contactId, 'in', mail.receivedAt, sealedMailOf(mail), mail.sizeBytes, true);
      await database.whenSynced();
    } catch (error) {
      intake.endCall(contactKey, mail.receivedAt);
      throw error;
    }
    const thread: Thread = {
      contactKey,
      contactId,
      reference: view.reference,
      priorContacts: view.priorContacts,
      callerKnown: view.callerKnown,
      moderation: view.moderation ?? null,
      receivedAt: mail.receivedAt,
      subject: mail.subject,
      stationId: null,
      awaitingAnswer: true,
      sending: Promise.resolve(),
    };
    this.#threads.set(thread.reference, thread);
    this.#emit(thread);
    this.#confirm(mail, thread.reference, null);
  }

  threads(): MailThreadView[] {
    return [...this.#threads.values()].sort((a, b) => a.receivedAt - b.receivedAt || a.contactId - b.contactId).map((thread) => this.#view(thread));
  }

  messages(reference: ContactReference, stationId: string): ConversationResult<MailMessageView[]> {
    const thread = this.#threads.get(reference);
    if (!thread) return refused('HGW_MAIL_UNKNOWN_THREAD', 'no open mail thread with that reference');
    if (thread.stationId !== null && thread.stationId !== stationId) return refused('HGW_STATION_FORBIDDEN', 'another station has this thread open');
    return { ok: true, value: this.#options.mails.messagesOf(thread.contactId).map((row) => this.#messageView(row)) };
  }

  /** Takes the thread for this station, also from another one (a shift ends, the mail waits). */
  open(reference: ContactReference, stationId: string): ConversationResult<MailThreadView> {
    const thread = this.#threads.get(reference);
    if (!thread) return refused('HGW_MAIL_UNKNOWN_THREAD', 'no open mail thread with that reference');
    if (thread.stationId === stationId) return { ok: true, value: this.#view(thread) };
    if (thread.stationId !== null) this.#logger.info({ reference, station: stationId }, 'mail thread taken over by another station');
    const firstOpen = thread.stationId === null;
    thread.stationId = stationId;
    if (firstOpen) this.#markLive(thread);
    return { ok: true, value: this.#emit(thread) };
  }

  async answer(reference: ContactReference, stationId: string, text: string): Promise<ConversationResult<MailMessageView>> {
    const thread = this.#threads.get(reference);
    if (!thread) return refused('HGW_MAIL_UNKNOWN_THREAD', 'no open mail thread with that reference');
    if (thread.stationId !== stationId) return refused('HGW_STATION_FORBIDDEN', 'open the thread on this station before answering');
    const body = text.replace(/\r\n?/g, '\n').trim();
    const max = this.#options.maxAnswerChars ?? DEFAULT_MAX_ANSWER_CHARS;
    if (body === '' || body.length > max) return refused('HGW_STATION_BAD_REQUEST', `an answer has 1 to ${max} characters`);
    const to = this.#senderOf(thread);
    if (!to) return refused('HGW_MAIL_SEND_FAILED', "the sender's address is no longer on the box; the answer cannot be sent");
    const lastIncoming = this.#options.mails
      .messagesOf(thread.contactId)
      .filter((row) => row.direction === 'in')
      .map((row) => this.#unseal(row))
      .at(-1);
    const answer: SealedMail = {
      subject: replySubject(thread.subject),
      text: body,
      messageId: newMessageId(thread.reference, this.#options.messageIdDomain),
      inReplyTo: lastIncoming?.messageId ?? null,
      references: lastIncoming ? [...lastIncoming.references, ...(lastIncoming.messageId ? [lastIncoming.messageId] : [])].slice(-MAX_REFERENCES) : [],
      attachmentsDropped: 0,
    };
    const id = this.#store(thread.contactId, 'out', this.#options.clock.now(), answer, Buffer.byteLength(body), false);
    this.#logger.info({ reference, station: stationId }, 'mail answer stored');
    const failure = await this.#serially(thread, () => this.#sendUndelivered(thread, to));
    const row = this.#options.mails.messageById(id);
    if (!row) return refused('HGW_MAIL_UNKNOWN_THREAD', 'the answer is gone (the mails were purged)');
    if (failure || !row.delivered) return refused('HGW_MAIL_SEND_FAILED', failure ?? 'the answer was not sent');
    return { ok: true, value: this.#messageView(row) };
  }

  /** Sends again every answer of the thread the relay has not taken yet, oldest first. */
  async resend(reference: ContactReference, stationId: string): Promise<ConversationResult<MailMessageView[]>> {
    const thread = this.#threads.get(reference);
    if (!thread) return refused('HGW_MAIL_UNKNOWN_THREAD', 'no open mail thread with that reference');
    if (thread.stationId !== stationId) return refused('HGW_STATION_FORBIDDEN', 'open the thread on this station before sending');
    const to = this.#senderOf(thread);
    if (!to) return refused('HGW_MAIL_SEND_FAILED', "the sender's address is no longer on the box; the answer cannot be sent");
    const failure = await this.#serially(thread, () => this.#sendUndelivered(thread, to));
    if (failure) return refused('HGW_MAIL_SEND_FAILED', failure);
    return this.messages(reference, stationId);
  }

  /** Ends the thread: it leaves the list, and its contact waits for its wrap-up on the contact desk. */
  close(reference: ContactReference, stationId: string): ConversationResult<MailThreadView> {
    const thread = this.#threads.get(reference);
    if (!thread) return refused('HGW_MAIL_UNKNOWN_THREAD', 'no open mail thread with that reference');
    if (thread.stationId !== null && thread.stationId !== stationId) return refused('HGW_STATION_FORBIDDEN', 'another station has this thread open');
    const { intake, contacts, database, clock } = this.#options;
    const now = clock.now();
    intake.endCall(thread.contactKey, now);
    // A thread listed again after a restart is unknown to the contact desk: end its contact here.
    const row = contacts.findById(thread.contactId);
    if (row && (row.state === 'offered' || row.state === 'live')) database.transactionSyncedInBackground(() => contacts.markEnded(thread.contactId, now));
    this.#threads.delete(reference);
    this.#logger.info({ reference, station: stationId }, 'mail thread closed');
    return { ok: true, value: this.#emit(thread, 'closed') };
  }

  onThreadChanged(listener: (view: MailThreadView) => void): () => void {
    return this.#events.on('thread-changed', listener);
  }

  /** The open thread one of our Message-IDs in the reply names, when the reply comes from that thread's sender. */
  #threadRepliedTo(mail: ReceivedMail): Thread | undefined {
    const ids = [...mail.references, ...(mail.inReplyTo ? [mail.inReplyTo] : [])];
    for (const reference of referencesIn(ids, this.#options.messageIdDomain)) {
      const thread = this.#threads.get(reference);
      if (thread && this.#senderOf(thread)?.sameAs(mail.sender)) return thread;
    }
    return undefined;
  }

  #senderOf(thread: Thread): RawEmailAddress | undefined {
    const row = this.#options.contacts.findById(thread.contactId);
    if (!row?.sealedIdentifier || !row.sealedEpoch) return undefined;
    return this.#options.vault.unseal(row.sealedIdentifier, 'mail-address', row.sealedEpoch, 'email');
  }

  #markLive(thread: Thread): void {
    const { intake, contacts, database } = this.#options;
    intake.callAnswered(thread.contactKey);
    if (contacts.findById(thread.contactId)?.state === 'offered') database.transactionSyncedInBackground(() => contacts.markLive(thread.contactId));
  }

  #store(contactId: number, direction: MailDirection, at: number, mail: SealedMail, sizeBytes: number, delivered: boolean): number {
    const { vault, mails, database } = this.#options;
    const epoch = this.#epochAt(at);
    const sealedMessage = vault.sealText(JSON.stringify(mail), epoch, 'mail-content');
    return database.transactionSyncedInBackground(() => mails.insert({ contactId, direction, at, sealedEpoch: epoch, sealedMessage, sizeBytes, delivered }));
  }

  #unseal(row: MailMessageRow): SealedMail | undefined {
    const json = this.#options.vault.unsealText(row.sealedMessage, row.sealedEpoch, 'mail-content');
    if (json === undefined) return undefined;
    return parseSealedMail(json);
  }

  #serially<T>(thread: Thread, task: () => Promise<T>): Promise<T> {
    const run = thread.sending.then(task, task);
    thread.sending = run.catch(() => undefined);
    return run;
  }

  /** Sends the thread's undelivered answers in order; stops at the first the relay refuses and returns why. */
  async #sendUndelivered(thread: Thread, to: RawEmailAddress): Promise<string | null> {
    const { mails, relay, database, clock } = this.#options;
    let sent = 0;
    for (const row of mails.messagesOf(thread.contactId)) {
      if (row.direction !== 'out' || row.delivered) continue;
      const mail = this.#unseal(row);
      if (!mail?.messageId) continue;
      try {
        await relay.send({ to, subject: mail.subject, text: mail.text, messageId: mail.messageId, inReplyTo: mail.inReplyTo, references: mail.references, automatic: false, date: clock.now() });
      } catch (error) {
        const message = error instanceof Error && 'code' in error && error.code === 'HGW_MAIL_SEND_FAILED' ? error.message : 'the mail relay did not take the mail';
        this.#logger.warn({ code: 'HGW_MAIL_SEND_FAILED', reference: thread.reference }, 'mail answer not sent; it stays stored as unsent');
        return message;
      }
      database.transactionSyncedInBackground(() => mails.markDelivered(row.id));
      sent += 1;
    }
    if (sent > 0) {
      thread.awaitingAnswer = false;
      this.#logger.info({ reference: thread.reference, sent }, 'mail answer sent');
      this.#emit(thread);
    }
    return null;
  }

  /** The automatic confirmation, in the background: never to automatic mail, at most one per sender per hour. */
  #confirm(mail: ReceivedMail, reference: ContactReference, moderation: ContactModeration | null): void {
    if (mail.automatic) {
      this.#logger.info({ reference }, 'no confirmation: the mail was sent automatically');
      return;
    }
    if (!this.#confirmations.admit(mail.senderKey, this.#options.clock.now())) return;
    const { subject, text } = confirmationText(moderation, this.#options.timeZone);
    const sending = this.#options.relay
      .send({
        to: mail.sender,
        subject,
        text,
        messageId: newMessageId(reference, this.#options.messageIdDomain),
        inReplyTo: mail.messageId,
        references: [...mail.references, ...(mail.messageId ? [mail.messageId] : [])].slice(-MAX_REFERENCES),
        automatic: true,
        date: this.#options.clock.now(),
      })
      .then(
        () => this.#logger.info({ reference }, 'mail confirmation sent'),
        () => this.#logger.warn({ code: 'HGW_MAIL_SEND_FAILED', reference }, 'mail confirmation not sent'),
      );
    this.#pending.add(sending);
    void sending.finally(() => this.#pending.delete(sending));
  }

  #messageView(row: MailMessageRow): MailMessageView {
    const mail = this.#unseal(row);
    const text = mail ? withAttachmentNote(mail) : GONE_TEXT;
    return {
      id: row.id,
      direction: row.direction,
      at: row.at,
      subject: mail?.subject ?? '',
      text,
      suggestions: row.direction === 'in' && mail ? this.#suggestionsFor(text) : [],
      delivered: row.delivered,
    };
  }

  #suggestionsFor(text: string): SuggestedSpan[] {
    try {
      return [...this.#options.suggest(text)];
    } catch {
      this.#logger.error('PII suggestions failed for a mail; shown without');
      return [];
    }
  }

  #view(thread: Thread, closed?: 'closed'): MailThreadView {
    const state: MailThreadState = closed ?? (thread.awaitingAnswer ? (thread.stationId ? 'open' : 'new') : 'answered');
    return {
      reference: thread.reference,
      state,
      stationId: thread.stationId,
      priorContacts: thread.priorContacts,
      callerKnown: thread.callerKnown,
      moderation: thread.moderation,
      receivedAt: thread.receivedAt,
      subject: thread.subject,
    };
  }

  #emit(thread: Thread, closed?: 'closed'): MailThreadView {
    const view = this.#view(thread, closed);
    this.#events.emit('thread-changed', view);
    return view;
  }
}
