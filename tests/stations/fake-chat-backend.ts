import type { ContactReference } from '../../src/contacts/contact-view.js';
import type {
  ChatView,
  ConversationLineView,
  ConversationResult,
  StationChatBackend,
  SuggestedSpan,
} from '../../src/contacts/conversation-view.js';
import { contactView, type FakeStationBackend } from './fake-station-backend.js';

/** The chat caller's IP as the chat desk holds it: nothing a station receives may ever contain it. */
export const SECRET_IP = '203.0.113.77';
const START = Date.UTC(2025, 2, 21, 14, 5);

export interface RecordedRedaction {
  readonly reference: string;
  readonly stationId: string;
  readonly lineId: number;
  readonly spans: readonly SuggestedSpan[];
}

interface ChatRecord {
  state: ChatView['state'];
  stationId: string | null;
  readonly reference: ContactReference;
  readonly openedAt: number;
  readonly priorContacts: number;
  readonly callerKnown: boolean;
  readonly lines: ConversationLineView[];
}

type Listener<A extends unknown[]> = (...args: A) => void;

function refuse<T>(code: 'HGW_CHAT_UNKNOWN_CHAT' | 'HGW_CHAT_INVALID_STATE' | 'HGW_TRANSCRIPT_FORBIDDEN' | 'HGW_TRANSCRIPT_BAD_SPAN' | 'HGW_CHAT_TOO_LARGE', message: string): ConversationResult<T> {
  return { ok: false, code, message };
}

/** `text` with each span replaced by `[TYPE]` (`[…]` without a type); remaining suggestions shifted. */
function redactLine(line: ConversationLineView, spans: readonly SuggestedSpan[]): ConversationLineView {
  let text = '';
  let at = 0;
  const shifts: { readonly end: number; readonly delta: number }[] = [];
  for (const span of spans) {
    const replacement = span.type === '' ? '[…]' : `[${span.type}]`;
    text += line.text.slice(at, span.start) + replacement;
    shifts.push({ end: span.end, delta: replacement.length - (span.end - span.start) });
    at = span.end;
  }
  text += line.text.slice(at);
  const untouched = line.suggestions.filter((s) => spans.every((span) => s.end <= span.start || s.start >= span.end));
  const suggestions = untouched.map((s) => {
    const delta = shifts.filter((shift) => shift.end <= s.start).reduce((sum, shift) => sum + shift.delta, 0);
    return { type: s.type, start: s.start + delta, end: s.end + delta };
  });
  return { ...line, text, suggestions, redacted: true };
}

/**
 * An in-memory chat desk: the test queues chats and writes the caller's lines; the station's calls
 * are recorded. With `carrySecrets` its views also carry the caller's IP in extra fields, as a
 * careless desk might: the server must copy only the view's own fields.
 */
export class FakeChatBackend implements StationChatBackend {
  readonly redactions: RecordedRedaction[] = [];
  readonly sent: { reference: string; stationId: string; text: string }[] = [];
  readonly #chats = new Map<string, ChatRecord>();
  readonly #changed = new Set<Listener<[ChatView]>>();
  readonly #lineListeners = new Set<Listener<[ContactReference, string, ConversationLineView]>>();
  readonly #contacts: FakeStationBackend | undefined;
  readonly #carrySecrets: boolean;
  readonly #maxText: number;
  #nextLineId = 1;
  #tick = 0;

  constructor(options: { contacts?: FakeStationBackend; carrySecrets?: boolean; maxText?: number } = {}) {
    this.#contacts = options.contacts;
    this.#carrySecrets = options.carrySecrets ?? false;
    this.#maxText = options.maxText ?? 2_000;
  }

  get listenerCount(): number {
    return this.#changed.size + this.#lineListeners.size;
  }

  /** A chat joins the queue; the contact desk offers it as a ringing chat contact. */
  queue(reference: string, options: { priorContacts?: number; callerKnown?: boolean } = {}): ChatView {
    const record: ChatRecord = {
      reference: reference as ContactReference,
      state: 'queued',
      stationId: null,
      openedAt: this.#now(),
      priorContacts: options.priorContacts ?? 0,
      callerKnown: options.callerKnown ?? true,
      lines: [],
    };
    this.#chats.set(reference, record);
    this.#contacts?.put(contactView({ reference, channel: 'chat', state: 'ringing', priorContacts: record.priorContacts, offeredAt: record.openedAt }));
    return this.#emitChanged(record);
  }

  callerWrites(reference: string, text: string, suggestions: readonly SuggestedSpan[] = []): ConversationLineView {
    const record = this.#chats.get(reference);
    if (!record) throw new Error(`no chat ${reference}`);
    return this.#addLine(record, { id: this.#nextLineId++, author: 'caller', text, at: this.#now(), suggestions, redacted: false });
  }

  chats(stationId: string): ChatView[] {
    return [...this.#chats.values()]
      .filter((record) => record.state === 'queued' || record.stationId === stationId)
      .map((record) => this.#view(record));
  }

  lines(reference: ContactReference, stationId: string): ConversationResult<ConversationLineView[]> {
    const record = this.#chats.get(reference);
    if (!record) return refuse('HGW_CHAT_UNKNOWN_CHAT', 'no chat with that reference');
    if (record.stationId !== stationId) return { ok: true, value: [] };
    return { ok: true, value: record.lines.map((line) => this.#lineView(line)) };
  }

  accept(reference: ContactReference, stationId: string): ConversationResult<ChatView> {
    const record = this.#chats.get(reference);
    if (!record) return refuse('HGW_CHAT_UNKNOWN_CHAT', 'no chat with that reference');
    if (record.state !== 'queued') return refuse('HGW_CHAT_INVALID_STATE', 'the chat is no longer in the queue');
    record.state = 'active';
    record.stationId = stationId;
    this.#contacts?.put(contactView({ reference, channel: 'chat', state: 'live', offeredAt: record.openedAt, priorContacts: record.priorContacts }));
    return { ok: true, value: this.#emitChanged(record) };
  }

  send(reference: ContactReference, stationId: string, text: string): ConversationResult<ConversationLineView> {
    const found = this.#taken(reference, stationId);
    if (!found.ok) return found;
    if (text.length > this.#maxText) return refuse('HGW_CHAT_TOO_LARGE', 'the message is too long for the chat');
    this.sent.push({ reference, stationId, text });
    const line = this.#addLine(found.value, { id: this.#nextLineId++, author: 'volunteer', text, at: this.#now(), suggestions: [], redacted: false });
    return { ok: true, value: line };
  }

  redact(reference: ContactReference, stationId: string, lineId: number, spans: readonly SuggestedSpan[]): ConversationResult<ConversationLineView> {
    const found = this.#taken(reference, stationId);
    if (!found.ok) return found;
    const index = found.value.lines.findIndex((line) => line.id === lineId);
    const line = found.value.lines[index];
    if (!line) return refuse('HGW_TRANSCRIPT_BAD_SPAN', 'no such line in this chat');
    if (spans.some((span) => span.end > line.text.length)) return refuse('HGW_TRANSCRIPT_BAD_SPAN', 'a span runs past the end of the line');
    this.redactions.push({ reference, stationId, lineId, spans: spans.map((span) => ({ ...span })) });
    const changed = redactLine(line, spans);
    found.value.lines[index] = changed;
    for (const listener of this.#lineListeners) listener(found.value.reference, stationId, this.#lineView(changed));
    return { ok: true, value: this.#lineView(changed) };
  }

  close(reference: ContactReference, stationId: string): ConversationResult<ChatView> {
    const found = this.#taken(reference, stationId);
    if (!found.ok) return found;
    found.value.state = 'closed';
    this.#contacts?.put(contactView({ reference, channel: 'chat', state: 'ended', offeredAt: found.value.openedAt, priorContacts: found.value.priorContacts }));
    return { ok: true, value: this.#emitChanged(found.value) };
  }

  onChatChanged(listener: (view: ChatView) => void): () => void {
    this.#changed.add(listener);
    return () => this.#changed.delete(listener);
  }

  onChatLine(listener: (reference: ContactReference, stationId: string, line: ConversationLineView) => void): () => void {
    this.#lineListeners.add(listener);
    return () => this.#lineListeners.delete(listener);
  }

  #taken(reference: ContactReference, stationId: string): ConversationResult<ChatRecord> {
    const record = this.#chats.get(reference);
    if (!record) return refuse('HGW_CHAT_UNKNOWN_CHAT', 'no chat with that reference');
    if (record.stationId !== stationId) return refuse('HGW_TRANSCRIPT_FORBIDDEN', 'another station took this chat');
    if (record.state !== 'active') return refuse('HGW_CHAT_INVALID_STATE', 'the chat is not active');
    return { ok: true, value: record };
  }

  #addLine(record: ChatRecord, line: ConversationLineView): ConversationLineView {
    record.lines.push(line);
    const view = this.#lineView(line);
    if (record.state === 'active' && record.stationId !== null) {
      for (const listener of this.#lineListeners) listener(record.reference, record.stationId, view);
    }
    return view;
  }

  #emitChanged(record: ChatRecord): ChatView {
    const view = this.#view(record);
    for (const listener of this.#changed) listener(view);
    return view;
  }

  #view(record: ChatRecord): ChatView {
    const queued = [...this.#chats.values()].filter((other) => other.state === 'queued');
    const view: ChatView = {
      reference: record.reference,
      state: record.state,
      stationId: record.stationId,
      queuePosition: record.state === 'queued' ? queued.indexOf(record) + 1 : null,
      priorContacts: record.priorContacts,
      callerKnown: record.callerKnown,
      moderation: null,
      openedAt: record.openedAt,
    };
    return this.#carrySecrets ? ({ ...view, callerIp: SECRET_IP, pseudonym: 'c0ffee5eed' } as ChatView) : view;
  }

  #lineView(line: ConversationLineView): ConversationLineView {
    return this.#carrySecrets ? ({ ...line, callerIp: SECRET_IP } as ConversationLineView) : line;
  }

  #now(): number {
    this.#tick += 1;
    return START + this.#tick * 1_000;
  }
}
