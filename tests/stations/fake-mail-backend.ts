import type { ContactReference } from '../../src/contacts/contact-view.js';
import type {
  ConversationResult,
  MailMessageView,
  MailThreadView,
  StationMailBackend,
  SuggestedSpan,
} from '../../src/contacts/conversation-view.js';
import { contactView, type FakeStationBackend } from './fake-station-backend.js';

/** The sender's address as the mail desk holds it (to address the answer): no station may ever receive it. */
export const SECRET_EMAIL = 'kind.geheim@voorbeeld.nl';
const START = Date.UTC(2025, 2, 21, 15, 0);

interface ThreadRecord {
  state: MailThreadView['state'];
  stationId: string | null;
  readonly reference: ContactReference;
  readonly receivedAt: number;
  readonly subject: string;
  readonly priorContacts: number;
  readonly callerKnown: boolean;
  readonly messages: MailMessageView[];
}

/**
 * An in-memory mail desk: the test delivers mails; answers are recorded and can be made to fail
 * (`failNextAnswers`), either as the refusal HGW_MAIL_SEND_FAILED or as a stored message that is
 * not delivered: the contract allows both. With `carrySecrets` its views carry the sender's
 * address in extra fields, which the server must drop.
 */
export class FakeMailBackend implements StationMailBackend {
  /** Each stored answer once; `delivered` turns true when a resend gets it out. */
  readonly answers: { reference: string; stationId: string; text: string; delivered: boolean }[] = [];
  resends = 0;
  failNextAnswers = 0;
  failureStyle: 'refusal' | 'undelivered' = 'refusal';
  readonly #threads = new Map<string, ThreadRecord>();
  readonly #answerOf = new Map<number, FakeMailBackend['answers'][number]>();
  readonly #listeners = new Set<(view: MailThreadView) => void>();
  readonly #contacts: FakeStationBackend | undefined;
  readonly #carrySecrets: boolean;
  #nextId = 1;
  #tick = 0;

  constructor(options: { contacts?: FakeStationBackend; carrySecrets?: boolean } = {}) {
    this.#contacts = options.contacts;
    this.#carrySecrets = options.carrySecrets ?? false;
  }

  get listenerCount(): number {
    return this.#listeners.size;
  }

  receive(reference: string, subject: string, text: string, options: { suggestions?: readonly SuggestedSpan[]; priorContacts?: number; callerKnown?: boolean } = {}): MailThreadView {
    const at = this.#now();
    const record: ThreadRecord = {
      reference: reference as ContactReference,
      state: 'new',
      stationId: null,
      receivedAt: at,
      subject,
      priorContacts: options.priorContacts ?? 0,
      callerKnown: options.callerKnown ?? true,
      messages: [{ id: this.#nextId++, direction: 'in', at, subject, text, suggestions: options.suggestions ?? [], delivered: true }],
    };
    this.#threads.set(reference, record);
    this.#contacts?.put(contactView({ reference, channel: 'mail', state: 'ringing', offeredAt: at, priorContacts: record.priorContacts }));
    return this.#emit(record);
  }

  threads(): MailThreadView[] {
    return [...this.#threads.values()].filter((record) => record.state !== 'closed').map((record) => this.#view(record));
  }

  messages(reference: ContactReference): ConversationResult<MailMessageView[]> {
    const record = this.#threads.get(reference);
    if (!record) return { ok: false, code: 'HGW_MAIL_UNKNOWN_THREAD', message: 'no mail thread with that reference' };
    return { ok: true, value: record.messages.map((message) => this.#messageView(message)) };
  }

  open(reference: ContactReference, stationId: string): ConversationResult<MailThreadView> {
    const record = this.#threads.get(reference);
    if (!record || record.state === 'closed') return { ok: false, code: 'HGW_MAIL_UNKNOWN_THREAD', message: 'no open mail thread with that reference' };
    if (record.stationId !== null && record.stationId !== stationId) return { ok: false, code: 'HGW_CHAT_INVALID_STATE', message: 'another station has this thread open' };
    record.stationId = stationId;
    if (record.state === 'new') record.state = 'open';
    return { ok: true, value: this.#emit(record) };
  }

  async answer(reference: ContactReference, stationId: string, text: string): Promise<ConversationResult<MailMessageView>> {
    await Promise.resolve();
    const record = this.#threads.get(reference);
    if (!record || record.state === 'closed') return { ok: false, code: 'HGW_MAIL_UNKNOWN_THREAD', message: 'no open mail thread with that reference' };
    if (record.stationId !== stationId) return { ok: false, code: 'HGW_CHAT_INVALID_STATE', message: 'open the thread before answering it' };
    const delivered = this.failNextAnswers === 0;
    if (!delivered) this.failNextAnswers -= 1;
    const message: MailMessageView = { id: this.#nextId++, direction: 'out', at: this.#now(), subject: `Re: ${record.subject}`, text, suggestions: [], delivered };
    record.messages.push(message);
    const recorded = { reference, stationId, text, delivered };
    this.#answerOf.set(message.id, recorded);
    this.answers.push(recorded);
    if (delivered) {
      record.state = 'answered';
      this.#emit(record);
    } else if (this.failureStyle === 'refusal') {
      return { ok: false, code: 'HGW_MAIL_SEND_FAILED', message: 'the mail relay did not take the answer' };
    }
    return { ok: true, value: this.#messageView(message) };
  }

  /** Every stored answer the relay has not taken. */
  async resend(reference: ContactReference, stationId: string): Promise<ConversationResult<MailMessageView[]>> {
    await Promise.resolve();
    const record = this.#threads.get(reference);
    if (!record || record.state === 'closed') return { ok: false, code: 'HGW_MAIL_UNKNOWN_THREAD', message: 'no open mail thread with that reference' };
    if (record.stationId !== stationId) return { ok: false, code: 'HGW_STATION_FORBIDDEN', message: 'open the thread on this station before sending' };
    this.resends += 1;
    if (this.failNextAnswers > 0) {
      this.failNextAnswers -= 1;
      return { ok: false, code: 'HGW_MAIL_SEND_FAILED', message: 'the mail relay did not take the answer' };
    }
    for (const [index, message] of record.messages.entries()) {
      if (message.direction !== 'out' || message.delivered) continue;
      record.messages[index] = { ...message, delivered: true };
      const answer = this.#answerOf.get(message.id);
      if (answer) answer.delivered = true;
    }
    record.state = 'answered';
    this.#emit(record);
    return this.messages(reference);
  }

  close(reference: ContactReference, stationId: string): ConversationResult<MailThreadView> {
    const record = this.#threads.get(reference);
    if (!record || record.state === 'closed') return { ok: false, code: 'HGW_MAIL_UNKNOWN_THREAD', message: 'no open mail thread with that reference' };
    if (record.stationId !== stationId) return { ok: false, code: 'HGW_CHAT_INVALID_STATE', message: 'another station has this thread open' };
    record.state = 'closed';
    this.#contacts?.put(contactView({ reference, channel: 'mail', state: 'ended', offeredAt: record.receivedAt, priorContacts: record.priorContacts }));
    return { ok: true, value: this.#emit(record) };
  }

  onThreadChanged(listener: (view: MailThreadView) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #emit(record: ThreadRecord): MailThreadView {
    const view = this.#view(record);
    for (const listener of this.#listeners) listener(view);
    return view;
  }

  #view(record: ThreadRecord): MailThreadView {
    const view: MailThreadView = {
      reference: record.reference,
      state: record.state,
      stationId: record.stationId,
      priorContacts: record.priorContacts,
      callerKnown: record.callerKnown,
      moderation: null,
      receivedAt: record.receivedAt,
      subject: record.subject,
    };
    return this.#carrySecrets ? ({ ...view, senderAddress: SECRET_EMAIL } as MailThreadView) : view;
  }

  #messageView(message: MailMessageView): MailMessageView {
    return this.#carrySecrets ? ({ ...message, from: SECRET_EMAIL, replyTo: SECRET_EMAIL } as MailMessageView) : message;
  }

  #now(): number {
    this.#tick += 1;
    return START + this.#tick * 60_000;
  }
}
