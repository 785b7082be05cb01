import type { GatewayErrorCode } from '../errors.js';
import type { ContactModeration, ContactReference } from './contact-view.js';

/**
 * What a station sees of chats and mails, and what it may do with them. Like StationContactView:
 * no identifier, no pseudonym, no contact id; the random reference is the only handle. The chat
 * desk (src/chat) and the mail desk (src/mail) implement the backends; the station server (src/stations)
 * serves them to the volunteer's page.
 */

/** A span the PII detector (src/pii) suggests the volunteer redacts; offsets in UTF-16 code units, end exclusive. */
export interface SuggestedSpan {
  readonly type: string;
  readonly start: number;
  readonly end: number;
}

export interface ConversationLineView {
  readonly id: number;
  readonly author: 'caller' | 'volunteer';
  readonly text: string;
  readonly at: number;
  /** On the caller's lines only; empty once nothing is left to suggest. */
  readonly suggestions: readonly SuggestedSpan[];
  /** True once a volunteer redacted part of the line (the original is gone from the box). */
  readonly redacted: boolean;
}

/** queued: waiting for a volunteer; active: a volunteer took it; closed: ended, waiting for its wrap-up. */
export type ChatState = 'queued' | 'active' | 'closed';

export interface ChatView {
  readonly reference: ContactReference;
  readonly state: ChatState;
  /** The station that took the chat; null while queued. */
  readonly stationId: string | null;
  /** 1 for the next chat to be taken; null unless queued. */
  readonly queuePosition: number | null;
  readonly priorContacts: number;
  readonly callerKnown: boolean;
  readonly moderation: ContactModeration | null;
  readonly openedAt: number;
}

export type ConversationResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly code: GatewayErrorCode; readonly message: string };

/** A refusal as the backends answer it. */
export function refused<T>(code: GatewayErrorCode, message: string): ConversationResult<T> {
  return { ok: false, code, message };
}

export interface StationChatBackend {
  /** Every queued chat, and the chats this station took that are not yet wrapped up. */
  chats(stationId: string): ChatView[];
  /** The lines of a chat this station took (empty for another station's chat). */
  lines(reference: ContactReference, stationId: string): ConversationResult<ConversationLineView[]>;
  /** Takes a queued chat; HGW_CHAT_INVALID_STATE when another station was first. */
  accept(reference: ContactReference, stationId: string): ConversationResult<ChatView>;
  send(reference: ContactReference, stationId: string, text: string): ConversationResult<ConversationLineView>;
  /** Replaces each span of the line with `[TYPE]` (or `[…]` without a type) for good. */
  redact(reference: ContactReference, stationId: string, lineId: number, spans: readonly SuggestedSpan[]): ConversationResult<ConversationLineView>;
  close(reference: ContactReference, stationId: string): ConversationResult<ChatView>;
  onChatChanged(listener: (view: ChatView) => void): () => void;
  /** A line written in a chat (by either side) or changed by a redaction; only the taking station is told. */
  onChatLine(listener: (reference: ContactReference, stationId: string, line: ConversationLineView) => void): () => void;
}

/** new: nobody opened it yet; open: a volunteer is on it; answered: an answer went out; closed: done, waiting for its wrap-up. */
export type MailThreadState = 'new' | 'open' | 'answered' | 'closed';

export interface MailMessageView {
  readonly id: number;
  readonly direction: 'in' | 'out';
  readonly at: number;
  readonly subject: string;
  /** Plain text only: HTML mail is reduced to text at intake and never rendered. */
  readonly text: string;
  readonly suggestions: readonly SuggestedSpan[];
  /** Outgoing only: false while the relay has not taken it (HGW_MAIL_SEND_FAILED); true for incoming. */
  readonly delivered: boolean;
}

export interface MailThreadView {
  readonly reference: ContactReference;
  readonly state: MailThreadState;
  readonly stationId: string | null;
  readonly priorContacts: number;
  readonly callerKnown: boolean;
  readonly moderation: ContactModeration | null;
  readonly receivedAt: number;
  /** Subject of the first mail, for the list. */
  readonly subject: string;
}

export interface StationMailBackend {
  /** Threads not yet closed, newest last. */
  threads(): MailThreadView[];
  messages(reference: ContactReference, stationId: string): ConversationResult<MailMessageView[]>;
  /** Marks the thread open by this station. */
  open(reference: ContactReference, stationId: string): ConversationResult<MailThreadView>;
  /** Sends the answer through the site's relay to the sender (whose address the station never sees). */
  answer(reference: ContactReference, stationId: string, text: string): Promise<ConversationResult<MailMessageView>>;
  /** Sends this thread's answers the relay has not taken yet again (none twice); the thread's messages after it. */
  resend(reference: ContactReference, stationId: string): Promise<ConversationResult<MailMessageView[]>>;
  close(reference: ContactReference, stationId: string): ConversationResult<MailThreadView>;
  onThreadChanged(listener: (view: MailThreadView) => void): () => void;
}
