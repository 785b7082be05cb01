import { simpleParser, type ParsedMail } from 'mailparser';
import { normalizeEmailAddress } from '../privacy/normalize.js';
import type { RawEmailAddress } from '../privacy/raw-identifier.js';

/** A mail as the desk gets it: plain text only, the sender as a raw identifier, no attachment. */
export interface ReceivedMail {
  readonly sender: RawEmailAddress;
  /** The sender's key for the hourly windows (a keyed hash held in memory only). */
  readonly senderKey: string;
  readonly subject: string;
  /** Plain text; an HTML-only mail reduced to text. */
  readonly text: string;
  /** Attachments (and inline images) that were dropped unread. */
  readonly attachmentsDropped: number;
  readonly messageId: string | null;
  readonly inReplyTo: string | null;
  readonly references: readonly string[];
  /** An auto-reply, bounce or list mail: it gets no confirmation (mail loops). */
  readonly automatic: boolean;
  readonly receivedAt: number;
  readonly sizeBytes: number;
}

export type MailRefusalCode = 'HGW_MAIL_MALFORMED' | 'HGW_MAIL_NO_SENDER';

export type MailReading =
  | { readonly ok: true; readonly mail: ReceivedMail }
  | { readonly ok: false; readonly code: MailRefusalCode; readonly reason: string };

export interface MailReadingContext {
  /** MAIL FROM of the SMTP envelope; '' for a bounce (null sender). */
  readonly envelopeFrom: string;
  readonly receivedAt: number;
  readonly keyOf: (addressText: string) => string;
}

const PARSER_LIMITS = {
  skipImageLinks: true,
  skipTextToHtml: true,
  skipTextLinks: true,
  checksumAlgo: false,
  ignoreEmbedded: true,
  maxHtmlLengthToParse: 2_000_000,
  maxHeadSize: 64 * 1024,
  maxChildNodes: 200,
} as const;

const MAX_SUBJECT_CHARS = 300;
const MAX_REFERENCES = 20;
const MESSAGE_ID = /^<[^<>\s]{1,250}>$/;
/**
 * Link targets html-to-text writes in brackets that mean nothing as text, or script. A target stops
 * at the next "[": with `[^\]]*` every unclosed "[cid:" rescanned the rest of the text, and 500 kB
 * of them held the event loop for 85 s (found by fuzzing).
 */
const SCRIPT_LINK_TARGETS = /[ \t]?\[(?:javascript|vbscript|data|file|cid):[^\][]*\]/gi;
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g;
const UNREADABLE = /[\u0000-\u0008\u000E-\u001F\u007F\uFFFD]/g;
const AUTOMATIC_SENDERS = /^(mailer-daemon|postmaster|no-?reply|do-?not-?reply)@/i;
const BULK_PRECEDENCE = /^(bulk|list|junk|auto_reply)$/i;

/**
 * Reads a raw mail: parse the MIME under limits, take the sender from From (else the envelope),
 * reduce HTML to text, drop attachments, and tell auto-submitted mail apart. Nothing here logs;
 * the refusal reason is a fixed phrase without any of the mail's text.
 */
export async function readMail(raw: Buffer, context: MailReadingContext): Promise<MailReading> {
  let parsed: ParsedMail;
  try {
    parsed = await simpleParser(raw, PARSER_LIMITS);
  } catch {
    return { ok: false, code: 'HGW_MAIL_MALFORMED', reason: 'MIME could not be parsed' };
  }
  const subject = oneLine(parsed.subject ?? '').slice(0, MAX_SUBJECT_CHARS);
  const bodyText = parsed.text ?? '';
  const text = isReadable(bodyText) ? plainText(bodyText) : '';
  if (!isReadable(text) && !isReadable(subject)) {
    return { ok: false, code: 'HGW_MAIL_MALFORMED', reason: 'no readable text' };
  }
  const senderText = parsed.from?.value.find((entry) => entry.address)?.address ?? context.envelopeFrom;
  const sender = senderText ? normalizeEmailAddress(senderText) : undefined;
  if (!sender) return { ok: false, code: 'HGW_MAIL_NO_SENDER', reason: 'no readable sender address' };
  return {
    ok: true,
    mail: {
      sender,
      senderKey: context.keyOf(senderText),
      subject,
      text,
      attachmentsDropped: parsed.attachments.length,
      messageId: messageIdOrNull(parsed.messageId),
      inReplyTo: messageIdOrNull(parsed.inReplyTo),
      references: referencesOf(parsed.references),
      automatic: isAutomatic(parsed, senderText, context.envelopeFrom),
      receivedAt: context.receivedAt,
      sizeBytes: raw.length,
    },
  };
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').replace(CONTROL_CHARACTERS, '').trim();
}

function plainText(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .replace(SCRIPT_LINK_TARGETS, '')
    .replace(CONTROL_CHARACTERS, '')
    .replace(/\n{4,}/g, '\n\n\n')
    .trim();
}

/** Some letters or digits, and no more than one character in twenty unreadable (binary junk decodes to U+FFFD and controls). */
function isReadable(text: string): boolean {
  if (!/[\p{L}\p{N}]/u.test(text)) return false;
  const unreadable = text.match(UNREADABLE)?.length ?? 0;
  return unreadable * 20 <= text.length;
}

function messageIdOrNull(value: string | undefined): string | null {
  const trimmed = value?.trim();
  return trimmed && MESSAGE_ID.test(trimmed) ? trimmed : null;
}

function referencesOf(value: string | string[] | undefined): string[] {
  const all = (Array.isArray(value) ? value : value ? value.split(/\s+/) : []).map((id) => id.trim()).filter((id) => MESSAGE_ID.test(id));
  return all.slice(-MAX_REFERENCES);
}

function headerText(parsed: ParsedMail, name: string): string {
  const value = parsed.headers.get(name);
  if (typeof value === 'string') return value.trim();
  if (value && typeof value === 'object' && 'value' in value && typeof value.value === 'string') return value.value.trim();
  return '';
}

/** RFC 3834 auto-replies, bounces (null sender, MAILER-DAEMON, reports), mailing lists and bulk mail. */
function isAutomatic(parsed: ParsedMail, senderText: string, envelopeFrom: string): boolean {
  const autoSubmitted = headerText(parsed, 'auto-submitted').toLowerCase();
  if (autoSubmitted && autoSubmitted !== 'no') return true;
  if (BULK_PRECEDENCE.test(headerText(parsed, 'precedence'))) return true;
  // mailparser folds the List-* headers into one 'list' value; the raw lines say it plainly.
  if (parsed.headerLines.some((header) => /^list-(id|unsubscribe|post)$/i.test(header.key))) return true;
  if (envelopeFrom === '' || AUTOMATIC_SENDERS.test(senderText.trim()) || AUTOMATIC_SENDERS.test(envelopeFrom)) return true;
  return /^multipart\/report/i.test(headerText(parsed, 'content-type'));
}
