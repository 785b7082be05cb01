import type { IdentifierKind } from './raw-identifier.js';

/**
 * HMAC-SHA-256 of a canonical identifier under one month's link key, truncated to its first
 * PSEUDONYM_BYTES bytes (as RFC 4868 truncates HMAC-SHA-256 to 128 bits). 128 bits leave no
 * practical chance of two callers colliding, and halve the pseudonym index, which every call reads
 * six times and every insert writes.
 */
export type Pseudonym = Uint8Array & { readonly __brand: 'Pseudonym' };

export const PSEUDONYM_BYTES = 16;

/** nonce (24 bytes) followed by the secretbox of the canonical identifier. */
export type SealedIdentifier = Uint8Array & { readonly __brand: 'SealedIdentifier' };

/** The data classes whose sealed value is an identifier. */
export type IdentifierDataClass = 'phone-number' | 'chat-ip' | 'mail-address';

/** The data classes whose sealed value is text: chat transcript lines, mails (subject and body). */
export type TextDataClass = 'chat-transcript' | 'mail-content';

/** Which retention rule a sealed value falls under; each has its own monthly vault keys. */
export type DataClass = IdentifierDataClass | TextDataClass;

/** nonce (24 bytes) followed by the secretbox of a transcript line's or a mail's UTF-8 text. */
export type SealedText = Uint8Array & { readonly __brand: 'SealedText' };

/** The channel a contact came in on; part of the HMAC input so a number and an IP never collide. */
export type Channel = 'phone' | 'chat' | 'mail';

export const channelIdentifierKind: Readonly<Record<Channel, IdentifierKind>> = {
  phone: 'phone',
  chat: 'ip',
  mail: 'email',
};
