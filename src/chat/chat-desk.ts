import { randomUUID } from 'node:crypto';
import type { OfferedContact } from '../contacts/contact-desk.js';
import { mayRoute, type ContactModeration, type ContactReference, type StationContactView } from '../contacts/contact-view.js';
import {
  refused,
  type ChatState,
  type ChatView,
  type ConversationLineView,
  type ConversationResult,
  type StationChatBackend,
  type SuggestedSpan,
} from '../contacts/conversation-view.js';
import { isGatewayError } from '../errors.js';
import { describeError, TypedEmitter } from '../events/typed-emitter.js';
import type { Logger } from '../log/logger.js';
import type { RawIpAddress } from '../privacy/raw-identifier.js';
import type { Clock } from '../time/clock.js';
import type { Scheduler } from '../time/scheduler.js';
import { cleanMessageText, type ChatEndReason, type ChatterFrame } from './chat-protocol.js';
import type { ChatTranscripts, TranscriptLine } from './chat-transcripts.js';
import { refusalNotice } from './refusal-notice.js';

/** The part of the contact desk a chat needs (ContactDesk satisfies it). */
export interface ChatIntake {
  offerContact(offer: OfferedContact): { readonly view: StationContactView; readonly contactId: number };
  callAnswered(contactKey: string): void;
  endCall(contactKey: string, endedAt: number): void;
  onContactChanged(listener: (view: StationContactView) => void): () => void;
}

/** The `chat` config section's numbers the desk enforces (the server enforces the rest). */
export interface ChatLimits {
  readonly maxMessageChars: number;
  readonly messagesPerMinute: number;
  readonly queueLimit: number;
  readonly idleMinutes: number;
}

export interface ChatDeskOptions {
  readonly intake: ChatIntake;
  readonly transcripts: ChatTranscripts;
  /** PII suggestions for a caller's line (main wires src/pii's detectPii). */
  readonly suggest: (text: string) => readonly SuggestedSpan[];
  readonly clock: Clock;
  readonly scheduler: Scheduler;
  readonly logger: Logger;
  readonly timeZone: string;
  readonly limits: ChatLimits;
  /** How long a closed chat stays listed for its station when no wrap-up comes; default 12 hours (ContactDesk's horizon). */
  readonly closedChatHorizonMs?: number;
}

/** How the desk reaches one chatter's page; the chat server implements it over the WebSocket. */
export interface Chatter {
  deliver(frame: ChatterFrame): void;
  /** Closes the connection once the frames delivered so far are out. */
  hangUp(): void;
}

/** What the chatter's connection may do once it said hello. */
export interface ChatterSession {
  say(text: string): void;
  /** The chatter left (a leave frame, or the connection closed). */
  leave(): void;
}

interface Chat {
  readonly contactKey: string;
  readonly contactId: number;
  readonly reference: ContactReference;
  readonly priorContacts: number;
  readonly callerKnown: boolean;
  readonly moderation: ContactModeration | null;
  readonly openedAt: number;
  readonly chatter: Chatter;
  state: ChatState;
  stationId: string | null;
  /** When the chatter's messages of the last minute were written, oldest first. */
  recentMessages: number[];
  cancelTimer: () => void;
}

interface ChatEvents {
  'chat-changed': [view: ChatView];
  'chat-line': [reference: ContactReference, stationId: string, line: ConversationLineView];
}

const MINUTE = 60_000;
const TWELVE_HOURS = 12 * 60 * MINUTE;
/** What a chatter hears while intake is stopped: the chat cannot start, the phone still works. */
export const CALL_INSTEAD_TEXT = 'De chat is op dit moment niet beschikbaar. Bel ons gratis: het nummer staat op deze website. Dan praat je meteen met iemand.';
const NO_SESSION: ChatterSession = { say: () => undefined, leave: () => undefined };

/**
 * The chat relay's core: chatter -> intake (pseudonym, count, moderation) -> FIFO queue -> a
 * station accepts (first wins) -> lines both ways, each sealed and stored before it is relayed ->
 * closed -> listed for its station until the contact is registered (its wrap-up, ContactDesk).
 * Stations see ChatViews and lines only; the address never leaves `openChat`.
 */
export class ChatDesk implements StationChatBackend {
  readonly #options: ChatDeskOptions;
  readonly #logger: Logger;
  readonly #events: TypedEmitter<ChatEvents>;
  readonly #chats = new Map<ContactReference, Chat>();
  readonly #queue: Chat[] = [];
  #unsubscribe: (() => void) | undefined;

  constructor(options: ChatDeskOptions) {
    if (options === null || typeof options !== 'object') throw new TypeError('ChatDesk: options are required');
    for (const name of ['intake', 'transcripts', 'suggest', 'clock', 'scheduler', 'logger', 'timeZone', 'limits'] as const) {
      if (!options[name]) throw new TypeError(`ChatDesk: options.${name} is required`);
    }
    for (const name of ['maxMessageChars', 'messagesPerMinute', 'queueLimit', 'idleMinutes'] as const) {
      const value = options.limits[name];
      if (!Number.isInteger(value) || value < 1) throw new TypeError(`ChatDesk: options.limits.${name} must be a positive whole number`);
    }
    this.#options = options;
    this.#logger = options.logger.child({ component: 'chat' });
    this.#events = new TypedEmitter<ChatEvents>(this.#logger);
  }

  start(): void {
    if (this.#unsubscribe) return;
    this.#unsubscribe = this.#options.intake.onContactChanged((view) => this.#contactChanged(view));
  }

  /** Ends every chat (the chatters are told), clears the desk's timers and listeners. */
  stop(): void {
    // Emptied first, so nobody waiting is told a new position on the way out.
    this.#queue.length = 0;
    for (const chat of [...this.#chats.values()]) {
      if (chat.state === 'closed') chat.cancelTimer();
      else this.#end(chat, 'shutdown');
    }
    this.#chats.clear();
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
    this.#events.removeAllListeners();
  }

  /**
   * A chatter said hello. The address (null when it could not be read: the chat goes on unlinked)
   * goes to the intake and nowhere else. A full queue stores nothing; a Time Out or block is told
   * to the chatter, recorded by the intake like any contact, and ended at once.
   */
  openChat(identifier: RawIpAddress | null, chatter: Chatter): ChatterSession {
    const { intake, clock, limits, timeZone } = this.#options;
    if (!this.#unsubscribe) {
      this.#tell(chatter, { type: 'refused', reason: 'unavailable', until: null, text: 'Chatten lukt op dit moment niet. Probeer het later nog eens.' });
      chatter.hangUp();
      return NO_SESSION;
    }
    if (this.#queue.length >= limits.queueLimit) {
      this.#logger.warn({ code: 'HGW_CHAT_QUEUE_FULL', queued: this.#queue.length }, 'chat refused: the queue is full');
      this.#tell(chatter, { type: 'error', code: 'HGW_CHAT_QUEUE_FULL', message: 'Alle vrijwilligers zijn bezet en de wachtrij is vol. Probeer het over een paar minuten nog eens.' });
      chatter.hangUp();
      return NO_SESSION;
    }
    const contactKey = `chat:${randomUUID()}`;
    const openedAt = clock.now();
    let offered: ReturnType<ChatIntake['offerContact']>;
    try {
      offered = intake.offerContact({ contactKey, channel: 'chat', identifier, offeredAt: openedAt });
    } catch (error) {
      // Intake stopped by a fault (a full disk, a zeroized keyring): a new chat cannot be kept, so
      // the chatter is sent to the phone, which still reaches a volunteer (docs/health.md).
      const stopped = isGatewayError(error, 'HGW_INTAKE_STOPPED');
      if (stopped) this.#logger.warn({ code: 'HGW_INTAKE_STOPPED' }, 'chat refused: intake is stopped');
      else this.#logger.error({ err: describeError(error) }, 'chat intake failed');
      this.#tell(chatter, { type: 'refused', reason: 'unavailable', until: null, text: stopped ? CALL_INSTEAD_TEXT : 'Chatten lukt op dit moment niet. Probeer het later nog eens.' });
      chatter.hangUp();
      return NO_SESSION;
    }
    const { view, contactId } = offered;
    const moderation = view.moderation ?? null;
    if (!mayRoute(moderation) && moderation) {
      const notice = refusalNotice(moderation, timeZone);
      this.#logger.info({ reference: view.reference, refused: notice.reason }, 'chat refused by moderation');
      this.#tell(chatter, { type: 'refused', reason: notice.reason, until: notice.until, text: notice.text });
      intake.endCall(contactKey, openedAt);
      chatter.hangUp();
      return NO_SESSION;
    }
    const chat: Chat = {
      contactKey,
      contactId,
      reference: view.reference,
      priorContacts: view.priorContacts,
      callerKnown: view.callerKnown,
      moderation,
      openedAt,
      chatter,
      state: 'queued',
      stationId: null,
      recentMessages: [],
      cancelTimer: () => undefined,
    };
    this.#chats.set(chat.reference, chat);
    this.#queue.push(chat);
    this.#armIdleTimer(chat);
    this.#logger.info({ reference: chat.reference, position: this.#queue.length }, 'chat queued');
    this.#tell(chatter, { type: 'queued', position: this.#queue.length });
    this.#events.emit('chat-changed', this.#view(chat));
    return { say: (text) => this.#callerSays(chat, text), leave: () => this.#end(chat, 'left') };
  }

  chats(stationId: string): ChatView[] {
    const taken = [...this.#chats.values()].filter((chat) => chat.state !== 'queued' && chat.stationId === stationId);
    return [...this.#queue, ...taken].map((chat) => this.#view(chat));
  }

  lines(reference: ContactReference, stationId: string): ConversationResult<ConversationLineView[]> {
    const chat = this.#chats.get(reference);
    if (!chat) return refused('HGW_CHAT_UNKNOWN_CHAT', 'no open chat with that reference');
    if (chat.stationId !== stationId) return { ok: true, value: [] };
    return { ok: true, value: this.#options.transcripts.linesOf(chat.contactId).map((line) => this.#lineView(line)) };
  }

  accept(reference: ContactReference, stationId: string): ConversationResult<ChatView> {
    const chat = this.#chats.get(reference);
    if (!chat) return refused('HGW_CHAT_UNKNOWN_CHAT', 'no open chat with that reference');
    if (chat.state !== 'queued') return refused('HGW_CHAT_INVALID_STATE', 'the chat is no longer waiting: another station took it or it ended');
    if (typeof stationId !== 'string' || stationId === '') return refused('HGW_STATION_BAD_REQUEST', 'a station id is required');
    const index = this.#queue.indexOf(chat);
    this.#queue.splice(index, 1);
    chat.state = 'active';
    chat.stationId = stationId;
    // Waiting was not silence: the chatter gets the full idle time with the volunteer.
    this.#armIdleTimer(chat);
    this.#options.intake.callAnswered(chat.contactKey);
    this.#logger.info({ reference, station: stationId }, 'chat accepted');
    this.#tell(chat.chatter, { type: 'connected' });
    const view = this.#view(chat);
    this.#events.emit('chat-changed', view);
    this.#announcePositionsFrom(index);
    return { ok: true, value: view };
  }

  send(reference: ContactReference, stationId: string, text: string): ConversationResult<ConversationLineView> {
    const chat = this.#chats.get(reference);
    if (!chat) return refused('HGW_CHAT_UNKNOWN_CHAT', 'no open chat with that reference');
    if (chat.state !== 'active' || chat.stationId !== stationId) return refused('HGW_CHAT_INVALID_STATE', 'the chat is not active at this station');
    if (typeof text !== 'string') return refused('HGW_STATION_BAD_REQUEST', 'text must be a string');
    const cleaned = cleanMessageText(text);
    if (cleaned.trim() === '') return refused('HGW_STATION_BAD_REQUEST', 'the message is empty');
    if (cleaned.length > this.#options.limits.maxMessageChars) {
      return refused('HGW_CHAT_TOO_LARGE', `a message holds at most ${this.#options.limits.maxMessageChars} characters`);
    }
    const line = this.#options.transcripts.append(chat.contactId, 'volunteer', cleaned, this.#options.clock.now());
    this.#tell(chat.chatter, { type: 'message', text: line.text, at: line.at });
    const view = this.#lineView(line);
    this.#events.emit('chat-line', reference, stationId, view);
    return { ok: true, value: view };
  }

  redact(reference: ContactReference, stationId: string, lineId: number, spans: readonly SuggestedSpan[]): ConversationResult<ConversationLineView> {
    const chat = this.#chats.get(reference);
    if (!chat) return refused('HGW_CHAT_UNKNOWN_CHAT', 'no open chat with that reference');
    if (chat.state === 'queued' || chat.stationId !== stationId) return refused('HGW_CHAT_INVALID_STATE', 'the chat was not taken by this station');
    if (!Number.isSafeInteger(lineId)) return refused('HGW_TRANSCRIPT_BAD_SPAN', 'the line id must be a whole number');
    const result = this.#options.transcripts.redact(chat.contactId, lineId, spans, this.#options.clock.now());
    if (!result.ok) return result;
    this.#logger.info({ reference, station: stationId, spans: spans.length }, 'chat line redacted');
    const view = this.#lineView(result.value);
    this.#events.emit('chat-line', reference, stationId, view);
    return { ok: true, value: view };
  }

  close(reference: ContactReference, stationId: string): ConversationResult<ChatView> {
    const chat = this.#chats.get(reference);
    if (!chat) return refused('HGW_CHAT_UNKNOWN_CHAT', 'no open chat with that reference');
    if (chat.state === 'queued' || chat.stationId !== stationId) return refused('HGW_CHAT_INVALID_STATE', 'the chat was not taken by this station');
    if (chat.state === 'active') this.#end(chat, 'volunteer');
    return { ok: true, value: this.#view(chat) };
  }

  onChatChanged(listener: (view: ChatView) => void): () => void {
    return this.#events.on('chat-changed', listener);
  }

  onChatLine(listener: (reference: ContactReference, stationId: string, line: ConversationLineView) => void): () => void {
    return this.#events.on('chat-line', listener);
  }

  /** Counts for health: never content. */
  counters(): { queued: number; active: number; closed: number } {
    let active = 0;
    let closed = 0;
    for (const chat of this.#chats.values()) {
      if (chat.state === 'active') active += 1;
      else if (chat.state === 'closed') closed += 1;
    }
    return { queued: this.#queue.length, active, closed };
  }

  #callerSays(chat: Chat, text: string): void {
    const { clock, limits, transcripts } = this.#options;
    if (chat.state === 'closed') return;
    const now = clock.now();
    chat.recentMessages = chat.recentMessages.filter((at) => at > now - MINUTE);
    if (chat.recentMessages.length >= limits.messagesPerMinute) {
      this.#tell(chat.chatter, { type: 'error', code: 'HGW_CHAT_FLOOD', message: 'Je stuurt te veel berichten achter elkaar. Wacht even en probeer het dan opnieuw.' });
      return;
    }
    const cleaned = typeof text === 'string' ? cleanMessageText(text) : '';
    if (cleaned.trim() === '') {
      this.#tell(chat.chatter, { type: 'error', code: 'HGW_CHAT_BAD_FRAME', message: 'Een leeg bericht wordt niet verstuurd.' });
      return;
    }
    if (cleaned.length > limits.maxMessageChars) {
      this.#tell(chat.chatter, {
        type: 'error',
        code: 'HGW_CHAT_TOO_LARGE',
        message: `Je bericht is te lang (hoogstens ${limits.maxMessageChars} tekens). Verdeel het over meer berichten.`,
      });
      return;
    }
    chat.recentMessages.push(now);
    let line: TranscriptLine;
    try {
      line = transcripts.append(chat.contactId, 'caller', cleaned, now);
    } catch (error) {
      this.#logger.error({ reference: chat.reference, err: describeError(error) }, 'chat line not stored');
      this.#tell(chat.chatter, { type: 'error', code: 'HGW_STORE_UNWRITABLE', message: 'Je bericht kon niet worden opgeslagen. Probeer het nog eens.' });
      return;
    }
    this.#armIdleTimer(chat);
    if (chat.state === 'active' && chat.stationId !== null) this.#events.emit('chat-line', chat.reference, chat.stationId, this.#lineView(line));
    this.#tell(chat.chatter, { type: 'sent', text: line.text, at: line.at });
  }

  #end(chat: Chat, reason: ChatEndReason): void {
    if (chat.state === 'closed') return;
    const now = this.#options.clock.now();
    chat.cancelTimer();
    const queueIndex = this.#queue.indexOf(chat);
    if (queueIndex !== -1) this.#queue.splice(queueIndex, 1);
    chat.state = 'closed';
    try {
      this.#options.intake.endCall(chat.contactKey, now);
    } catch (error) {
      this.#logger.error({ reference: chat.reference, err: describeError(error) }, 'chat end not recorded');
    }
    this.#logger.info({ reference: chat.reference, reason }, 'chat closed');
    this.#tell(chat.chatter, { type: 'ended', reason });
    chat.chatter.hangUp();
    if (chat.stationId === null) {
      // Never taken: no station lists it, nothing is left to show.
      this.#chats.delete(chat.reference);
    } else {
      const horizon = this.#options.closedChatHorizonMs ?? TWELVE_HOURS;
      chat.cancelTimer = this.#options.scheduler.after(horizon, () => this.#chats.delete(chat.reference));
    }
    this.#events.emit('chat-changed', this.#view(chat));
    if (queueIndex !== -1) this.#announcePositionsFrom(queueIndex);
  }

  /** Once the contact's wrap-up is registered, its closed chat leaves the station's list. */
  #contactChanged(view: StationContactView): void {
    if (view.state !== 'registered') return;
    const chat = this.#chats.get(view.reference);
    if (!chat || chat.state !== 'closed') return;
    chat.cancelTimer();
    this.#chats.delete(chat.reference);
  }

  #armIdleTimer(chat: Chat): void {
    chat.cancelTimer();
    chat.cancelTimer = this.#options.scheduler.after(this.#options.limits.idleMinutes * MINUTE, () => this.#end(chat, 'idle'));
  }

  /** Every chat from `index` on moved up one place: each chatter and every station is told. */
  #announcePositionsFrom(index: number): void {
    for (let at = index; at < this.#queue.length; at++) {
      const chat = this.#queue[at];
      if (!chat) continue;
      this.#tell(chat.chatter, { type: 'queued', position: at + 1 });
      this.#events.emit('chat-changed', this.#view(chat));
    }
  }

  #tell(chatter: Chatter, frame: ChatterFrame): void {
    try {
      chatter.deliver(frame);
    } catch (error) {
      this.#logger.warn({ err: describeError(error), frame: frame.type }, 'frame not delivered to the chatter');
    }
  }

  #view(chat: Chat): ChatView {
    const index = chat.state === 'queued' ? this.#queue.indexOf(chat) : -1;
    return {
      reference: chat.reference,
      state: chat.state,
      stationId: chat.stationId,
      queuePosition: index === -1 ? null : index + 1,
      priorContacts: chat.priorContacts,
      callerKnown: chat.callerKnown,
      moderation: chat.moderation,
      openedAt: chat.openedAt,
    };
  }

  #lineView(line: TranscriptLine): ConversationLineView {
    return { id: line.id, author: line.author, text: line.text, at: line.at, suggestions: this.#suggestions(line), redacted: line.redacted };
  }

  /** A detector that fails costs the volunteer the suggestions, never the line. */
  #suggestions(line: TranscriptLine): readonly SuggestedSpan[] {
    if (line.author !== 'caller') return [];
    try {
      return this.#options.suggest(line.text).filter((span) => span.start >= 0 && span.end <= line.text.length && span.end > span.start);
    } catch (error) {
      this.#logger.warn({ code: describeError(error).code ?? 'unknown' }, 'PII suggestions failed for a line');
      return [];
    }
  }
}
