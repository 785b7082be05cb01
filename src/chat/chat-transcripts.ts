import type { SuggestedSpan } from '../contacts/conversation-view.js';
import type { GatewayErrorCode } from '../errors.js';
import type { Vault } from '../privacy/vault.js';
import type { GatewayDatabase } from '../store/open-database.js';
import type { TranscriptAuthor, TranscriptLineRow, TranscriptsRepository } from '../store/transcripts-repository.js';
import { monthEpochLookup, type MonthEpoch } from '../time/month-epoch.js';
import { redactSpans } from './line-redaction.js';

export interface ChatTranscriptsOptions {
  readonly database: GatewayDatabase;
  readonly transcripts: TranscriptsRepository;
  readonly vault: Vault;
  /** The site's zone: a line is sealed under the chat-transcript key of the month it was written in there. */
  readonly timeZone: string;
}

/** A line as the box holds it in memory: the text as it stands now. */
export interface TranscriptLine {
  readonly id: number;
  readonly author: TranscriptAuthor;
  readonly text: string;
  readonly at: number;
  readonly redacted: boolean;
}

export type TranscriptResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly code: GatewayErrorCode; readonly message: string };

/**
 * The chat's lines, each sealed under its month's chat-transcript vault key before anything else
 * sees it. Retention (chatTranscriptMonths) destroys that key, so the stored lines become unreadable
 * ciphertext without a job that has to find them.
 */
export class ChatTranscripts {
  readonly #options: ChatTranscriptsOptions;
  readonly #epochAt: (at: number) => MonthEpoch;

  constructor(options: ChatTranscriptsOptions) {
    this.#options = options;
    this.#epochAt = monthEpochLookup(options.timeZone);
  }

  /**
   * Seals and stores one line; it is in the WAL when this returns (the fsync follows off the event
   * loop, as for a call's rows), so the caller may relay it.
   */
  append(contactId: number, author: TranscriptAuthor, text: string, at: number): TranscriptLine {
    const { database, transcripts, vault } = this.#options;
    const sealedEpoch = this.#epochAt(at);
    const sealedText = vault.sealText(text, sealedEpoch);
    const id = database.transactionSyncedInBackground(() => transcripts.insert({ contactId, author, writtenAt: at, sealedEpoch, sealedText }));
    return { id, author, text, at, redacted: false };
  }

  /** The readable lines of a contact, oldest first; erased lines and lines of a shredded month are left out. */
  linesOf(contactId: number): TranscriptLine[] {
    const lines: TranscriptLine[] = [];
    for (const row of this.#options.transcripts.linesOf(contactId)) {
      const line = this.#open(row);
      if (line) lines.push(line);
    }
    return lines;
  }

  lineOf(contactId: number, lineId: number): TranscriptLine | undefined {
    const row = this.#options.transcripts.lineById(lineId);
    return row && row.contactId === contactId ? this.#open(row) : undefined;
  }

  /**
   * Replaces the spans for good: the redacted text is sealed afresh and written over the row, and a
   * checkpoint moves it into the main file so the old ciphertext leaves the -wal too (secure_delete
   * zeroes the old cell). The original exists nowhere on the box afterwards.
   */
  redact(contactId: number, lineId: number, spans: readonly SuggestedSpan[], at: number): TranscriptResult<TranscriptLine> {
    const { database, transcripts, vault } = this.#options;
    const row = transcripts.lineById(lineId);
    const line = row && row.contactId === contactId ? this.#open(row) : undefined;
    if (!row || !line) return { ok: false, code: 'HGW_CHAT_UNKNOWN_CHAT', message: 'no readable line with that id in this chat' };
    const outcome = redactSpans(line.text, spans);
    if (!outcome.ok) return { ok: false, code: 'HGW_TRANSCRIPT_BAD_SPAN', message: outcome.message };
    const sealedText = vault.sealText(outcome.text, row.sealedEpoch);
    const replaced = database.transaction(() => transcripts.replaceText(lineId, sealedText, at));
    if (!replaced) return { ok: false, code: 'HGW_CHAT_UNKNOWN_CHAT', message: 'the line is gone' };
    database.checkpoint();
    return { ok: true, value: { ...line, text: outcome.text, redacted: true } };
  }

  #open(row: TranscriptLineRow): TranscriptLine | undefined {
    if (row.sealedText === null) return undefined;
    const text = this.#options.vault.unsealText(row.sealedText, row.sealedEpoch);
    if (text === undefined) return undefined;
    return { id: row.id, author: row.author, text, at: row.writtenAt, redacted: row.redactedAt !== null };
  }
}
