import { checkAccountId } from '../accounts/account-policy.js';
import { can, isRole } from '../accounts/roles.js';
import { accountActorId } from '../audit/audit-entry.js';
import type { Policy } from '../config/policy-presets.js';
import { isContactReference } from '../contacts/contact-reference.js';
import type { ContactReference } from '../contacts/contact-view.js';
import type { Logger } from '../log/logger.js';
import type { Vault } from '../privacy/vault.js';
import type { ContactRow, ContactsRepository } from '../store/contacts-repository.js';
import type { GatewayDatabase } from '../store/open-database.js';
import type { TranscriptLineRow, TranscriptsRepository } from '../store/transcripts-repository.js';
import type { Clock } from '../time/clock.js';
import { monthEpochLookup, windowEndingAt, type MonthEpoch } from '../time/month-epoch.js';
import { ClosedChatsQuery } from './closed-chats.js';
import { refused, type Refused } from './refusals.js';
import { revealChatAddress } from './reveal-chat-address.js';
import type { TranscriptAudit, TranscriptAuditAction } from './transcript-audit.js';
import type {
  ClosedChatSummary,
  RevealedChatAddress,
  TranscriptActor,
  TranscriptFeatures,
  TranscriptLineView,
  TranscriptResult,
  TranscriptView,
} from './transcript-types.js';

/** The keys of the preset this folder reads. */
export type TranscriptPolicy = Pick<Policy, 'transcriptReaders' | 'chatIpVisibleToCoordinators' | 'trainingFragments' | 'chatTranscriptMonths'>;

export interface TranscriptReaderOptions {
  readonly database: GatewayDatabase;
  readonly contacts: ContactsRepository;
  readonly transcripts: TranscriptsRepository;
  readonly vault: Vault;
  readonly audit: TranscriptAudit;
  readonly clock: Clock;
  /** The site's zone: retention months are calendar months there. */
  readonly timeZone: string;
  readonly policy: TranscriptPolicy;
  readonly logger: Logger;
  /** Most chats the list shows, newest first; 500 when left out. */
  readonly listLimit?: number;
}

/** A line picked for a training fragment: its text as it stands, nothing else. */
export interface PickedLine {
  readonly author: 'caller' | 'volunteer';
  readonly text: string;
}

const DAY = 24 * 60 * 60 * 1000;
const DEFAULT_LIST_LIMIT = 500;
/** A fragment is a few exchanges; a whole long chat is not a fragment. */
export const MAX_FRAGMENT_LINES = 200;

/**
 * Closed chats' transcripts for coordinators (P8: BE "enkel toegankelijk voor de coördinatoren"),
 * and the chat's IP address after the chat (P6, BE only). Volunteers, supervisors and technicians
 * never pass; a preset with `transcriptReaders: 'nobody'` lets no one through. Only chats whose
 * month is inside chatTranscriptMonths are listed or read, whatever keys the sweeper has yet to
 * destroy. Every read and every reveal is audited in the same transaction, without content.
 */
export class TranscriptReader {
  readonly #options: TranscriptReaderOptions;
  readonly #chats: ClosedChatsQuery;
  readonly #epochAt: (at: number) => MonthEpoch;

  constructor(options: TranscriptReaderOptions) {
    const months = options.policy.chatTranscriptMonths;
    if (!Number.isInteger(months) || months < 0) throw new TypeError('TranscriptReader needs a whole chatTranscriptMonths of 0 or more');
    this.#options = options;
    this.#chats = new ClosedChatsQuery(options.database);
    this.#epochAt = monthEpochLookup(options.timeZone);
  }

  features(): TranscriptFeatures {
    const { policy } = this.#options;
    return { chatIpVisible: policy.chatIpVisibleToCoordinators, trainingFragments: policy.trainingFragments, retentionMonths: policy.chatTranscriptMonths };
  }

  /** Closed chats within retention, newest first: references, times and line counts only. */
  list(actor: TranscriptActor): TranscriptResult<ClosedChatSummary[]> {
    const forbidden = this.#forbidden(actor);
    if (forbidden) return forbidden;
    const months = this.#options.policy.chatTranscriptMonths;
    if (months === 0) return { ok: true, value: [] };
    // A bound a day before the oldest month can start; the month test below is the exact one.
    const since = this.#options.clock.now() - (months * 31 + 1) * DAY;
    const rows = this.#chats.closedSince(since, this.#options.listLimit ?? DEFAULT_LIST_LIMIT).filter((row) => this.#withinRetention(this.#epochAt(row.openedAt)));
    const counts = this.#chats.lineCounts(rows.map((row) => row.id));
    return { ok: true, value: rows.map((row) => ({ reference: row.reference, openedAt: row.openedAt, endedAt: row.endedAt, lineCount: counts.get(row.id) ?? 0 })) };
  }

  /** One closed chat's lines, unsealed; audited as `transcript.read` (counts only). */
  read(actor: TranscriptActor, reference: string): TranscriptResult<TranscriptView> {
    const forbidden = this.#forbidden(actor);
    if (forbidden) return forbidden;
    const { database, transcripts, policy, logger } = this.#options;
    return database.transaction(() => {
      const found = this.#closedChat(reference);
      if (!found.ok) return found;
      const contact = found.value;
      const lines = transcripts.linesOf(contact.id).map((row) => this.#lineView(row));
      const unreadable = lines.filter((line) => line.state !== 'readable').length;
      this.#audit(actor, 'transcript.read', contact.reference, { lines: lines.length, unreadable });
      logger.info({ reference: contact.reference, lines: lines.length, unreadable }, 'chat transcript read by a coordinator');
      const addressAvailable =
        policy.chatIpVisibleToCoordinators && contact.sealedIdentifier !== null && contact.sealedEpoch !== null && this.#withinRetention(contact.sealedEpoch);
      return { ok: true, value: { chat: summaryOf(contact, lines.length), lines, addressAvailable } };
    });
  }

  /**
   * The chat's IP address as text (BE: "na afloop van het chatgesprek"): only for a closed chat,
   * only while its sealed copy is within retention and opens; audited as `chat-address.revealed`.
   * The address goes to the caller of this method and nowhere else.
   */
  revealAddress(actor: TranscriptActor, reference: string): TranscriptResult<RevealedChatAddress> {
    const forbidden = this.#forbidden(actor);
    if (forbidden) return forbidden;
    const { database, vault, policy, logger } = this.#options;
    if (!policy.chatIpVisibleToCoordinators) return refused('forbidden', "this site's privacy statement lets nobody see a chat's IP address");
    return database.transaction(() => {
      const found = this.#closedChat(reference);
      if (!found.ok) return found;
      const contact = found.value;
      if (contact.sealedEpoch === null) return refused('no-address', 'this chat arrived without an address');
      const gone = refused('outside-retention', "this chat's address is no longer kept");
      if (contact.sealedIdentifier === null || !this.#withinRetention(contact.sealedEpoch)) return gone;
      const address = revealChatAddress(vault, contact.sealedIdentifier, contact.sealedEpoch);
      if (address === undefined) return gone;
      this.#audit(actor, 'chat-address.revealed', contact.reference, { dataClass: 'chat-ip' });
      logger.warn({ reference: contact.reference }, "a chat's address was shown to a coordinator");
      return { ok: true, value: { reference: contact.reference, address } };
    });
  }

  /**
   * The readable text of chosen lines of one closed chat, in chat order, for a fragment draft.
   * Not audited here: the draft's `fragment.drafted` entry records it.
   */
  pickLines(actor: TranscriptActor, reference: string, lineIds: readonly number[]): TranscriptResult<PickedLine[]> {
    const forbidden = this.#forbidden(actor);
    if (forbidden) return forbidden;
    const wanted = new Set(lineIds);
    if (wanted.size === 0 || wanted.size > MAX_FRAGMENT_LINES || ![...wanted].every((id) => Number.isSafeInteger(id) && id > 0)) {
      return refused('bad-lines', `pick between 1 and ${MAX_FRAGMENT_LINES} lines`);
    }
    const found = this.#closedChat(reference);
    if (!found.ok) return found;
    const picked: PickedLine[] = [];
    for (const row of this.#options.transcripts.linesOf(found.value.id)) {
      if (!wanted.has(row.id)) continue;
      const line = this.#lineView(row);
      if (line.text === null) return refused('bad-lines', 'a picked line can no longer be read');
      picked.push({ author: line.author, text: line.text });
    }
    if (picked.length !== wanted.size) return refused('bad-lines', 'a picked line is not part of this chat');
    return { ok: true, value: picked };
  }

  /** Whether the actor may use the coordinator's transcript pages at all. */
  allowed(actor: TranscriptActor): boolean {
    return this.#forbidden(actor) === undefined;
  }

  #forbidden(actor: TranscriptActor): Refused | undefined {
    if (!isRole(actor?.role)) throw new TypeError('transcript actor role is not one of the account roles');
    checkAccountId(actor.accountId);
    if (this.#options.policy.transcriptReaders !== 'coordinators') return refused('forbidden', "this site's privacy statement lets nobody read chat transcripts");
    if (!can(actor.role, 'transcripts.read')) return refused('forbidden', 'only coordinators read chat transcripts');
    return undefined;
  }

  #closedChat(reference: string): TranscriptResult<ContactRow> {
    const contact = typeof reference === 'string' && isContactReference(reference) ? this.#options.contacts.findByReference(reference as ContactReference) : undefined;
    if (!contact || contact.channel !== 'chat') return refused('unknown-chat', 'no chat with this reference');
    if (contact.endedAt === null) return refused('chat-open', 'the chat has not ended yet');
    if (!this.#withinRetention(this.#epochAt(contact.openedAt))) return refused('outside-retention', 'this chat is past its retention period');
    return { ok: true, value: contact };
  }

  #lineView(row: TranscriptLineRow): TranscriptLineView {
    const base = { id: row.id, author: row.author, at: row.writtenAt, redacted: row.redactedAt !== null };
    if (row.sealedText === null) return { ...base, text: null, state: 'erased' };
    const text = this.#withinRetention(row.sealedEpoch) ? this.#options.vault.unsealText(row.sealedText, row.sealedEpoch) : undefined;
    return text === undefined ? { ...base, text: null, state: 'shredded' } : { ...base, text, state: 'readable' };
  }

  #withinRetention(epoch: MonthEpoch): boolean {
    const months = this.#options.policy.chatTranscriptMonths;
    return months > 0 && windowEndingAt(this.#epochAt(this.#options.clock.now()), months).includes(epoch);
  }

  #audit(actor: TranscriptActor, action: TranscriptAuditAction, target: string, details: Readonly<Record<string, number | string>>): void {
    this.#options.audit.append({ actorRole: actor.role, actorId: accountActorId(checkAccountId(actor.accountId)), action, target, details });
  }
}

function summaryOf(contact: ContactRow, lineCount: number): ClosedChatSummary {
  return { reference: contact.reference, openedAt: contact.openedAt, endedAt: contact.endedAt ?? contact.openedAt, lineCount };
}
