import type { Categories, ContactModeration, StationContactView } from '../contacts/contact-view.js';
import type {
  ChatView,
  ConversationLineView,
  MailMessageView,
  MailThreadView,
  SuggestedSpan,
} from '../contacts/conversation-view.js';

/** The exact keys a station ever receives for a contact; the docs and the leak test use this list. */
export const STATION_CONTACT_KEYS = ['reference', 'channel', 'priorContacts', 'callerKnown', 'state', 'offeredAt', 'moderation', 'recorded'] as const;

export type StationContactJson = Omit<StationContactView, 'moderation' | 'recorded'> & { readonly moderation: ContactModeration | null; readonly recorded: boolean };

/**
 * Copies only the StationContactView fields. The backend hands over objects typed as views, but a
 * richer object (one that also carries a pseudonym) satisfies that type too; copying field by field
 * keeps whatever else it holds off the wire.
 */
export function toStationContactJson(view: StationContactView): StationContactJson {
  return {
    reference: view.reference,
    channel: view.channel,
    priorContacts: view.priorContacts,
    callerKnown: view.callerKnown,
    state: view.state,
    offeredAt: view.offeredAt,
    moderation: toModerationJson(view.moderation ?? null),
    recorded: view.recorded !== false,
  };
}

/** The kind and its end, or the lookup-failure routing: never who gave it or why. */
export function toModerationJson(moderation: ContactModeration | null): ContactModeration | null {
  if (moderation === null) return null;
  if (moderation.kind === 'unknown') return { kind: 'unknown', routing: moderation.routing };
  return { kind: moderation.kind, until: moderation.until };
}

export function toCategoriesJson(categories: Categories): Categories {
  return {
    ageBands: [...categories.ageBands],
    topics: [...categories.topics],
    outcomes: [...categories.outcomes],
  };
}

/*
 * Chats and mails: the same field-by-field copies, so whatever else a desk's object carries (an
 * IP address, a sender's address, a pseudonym) stays off the wire.
 */

export type ChatJson = Omit<ChatView, 'moderation'> & { readonly moderation: ContactModeration | null };
export type SuggestedSpanJson = SuggestedSpan;
export type ConversationLineJson = Omit<ConversationLineView, 'suggestions'> & { readonly suggestions: readonly SuggestedSpanJson[] };
export type MailThreadJson = Omit<MailThreadView, 'moderation'> & { readonly moderation: ContactModeration | null };
export type MailMessageJson = Omit<MailMessageView, 'suggestions'> & { readonly suggestions: readonly SuggestedSpanJson[] };

export function toChatJson(view: ChatView): ChatJson {
  return {
    reference: view.reference,
    state: view.state,
    stationId: view.stationId,
    queuePosition: view.queuePosition,
    priorContacts: view.priorContacts,
    callerKnown: view.callerKnown,
    moderation: toModerationJson(view.moderation ?? null),
    openedAt: view.openedAt,
  };
}

function toSpansJson(spans: readonly SuggestedSpan[]): SuggestedSpanJson[] {
  return spans.map((span) => ({ type: span.type, start: span.start, end: span.end }));
}

export function toConversationLineJson(line: ConversationLineView): ConversationLineJson {
  return {
    id: line.id,
    author: line.author,
    text: line.text,
    at: line.at,
    suggestions: toSpansJson(line.suggestions),
    redacted: line.redacted,
  };
}

export function toMailThreadJson(view: MailThreadView): MailThreadJson {
  return {
    reference: view.reference,
    state: view.state,
    stationId: view.stationId,
    priorContacts: view.priorContacts,
    callerKnown: view.callerKnown,
    moderation: toModerationJson(view.moderation ?? null),
    receivedAt: view.receivedAt,
    subject: view.subject,
  };
}

export function toMailMessageJson(message: MailMessageView): MailMessageJson {
  return {
    id: message.id,
    direction: message.direction,
    at: message.at,
    subject: message.subject,
    text: message.text,
    suggestions: toSpansJson(message.suggestions),
    delivered: message.delivered,
  };
}

/**
 * Server-to-station WebSocket frames. The snapshot names the station and carries `chats` / `mails`
 * only on a box that serves those channels, which is how the page knows to show their panels.
 */
export type StationEventFrame =
  | {
      readonly type: 'snapshot';
      readonly contacts: readonly StationContactJson[];
      readonly station?: string;
      readonly chats?: readonly ChatJson[];
      readonly mails?: readonly MailThreadJson[];
    }
  | { readonly type: 'contact'; readonly contact: StationContactJson }
  | { readonly type: 'chat-changed'; readonly chat: ChatJson }
  | { readonly type: 'chat-line'; readonly reference: string; readonly line: ConversationLineJson }
  | { readonly type: 'mail-changed'; readonly thread: MailThreadJson }
  | { readonly type: 'error'; readonly code: string; readonly message: string };
