import type { Role } from '../accounts/roles.js';
import type { ContactReference } from '../contacts/contact-view.js';
import type { GatewayErrorCode } from '../errors.js';

/**
 * What the coordinator's side of chat transcripts shows and answers (P6, P8, P9). Types only, so
 * stations/ can name them without importing the store or the vault. No view holds an identifier
 * except RevealedChatAddress, which exists for the one coordinator who asked for it.
 */

/** Who acts, from the session: the same shape as DisclosureActor. */
export interface TranscriptActor {
  readonly accountId: string;
  readonly role: Role;
}

/** Why a request was turned down: a stable code the page turns into words. */
export type TranscriptRefusal =
  | 'forbidden'
  | 'unknown-chat'
  | 'chat-open'
  | 'outside-retention'
  | 'no-address'
  | 'bad-lines'
  | 'unknown-draft'
  | 'unknown-fragment'
  | 'invalid-title'
  | 'invalid-text'
  | 'holds-pii';

export type TranscriptResult<T> =
  | { readonly ok: true; readonly value: T }
  | {
      readonly ok: false;
      readonly code: GatewayErrorCode;
      readonly refusal: TranscriptRefusal;
      /** English, without any value from the request or the store. */
      readonly message: string;
      /** With 'holds-pii': the kinds of detail still in the text (never the detail itself). */
      readonly found?: readonly string[];
    };

/** What the preset lets coordinators do here, for the page to show only what works. */
export interface TranscriptFeatures {
  readonly chatIpVisible: boolean;
  readonly trainingFragments: boolean;
  /** chatTranscriptMonths of the preset. */
  readonly retentionMonths: number;
}

/** A closed chat in the list: its reference and times, never its identifier or its text. */
export interface ClosedChatSummary {
  readonly reference: ContactReference;
  readonly openedAt: number;
  readonly endedAt: number;
  readonly lineCount: number;
}

/**
 * `readable`: the text as it stands (after any volunteer redaction). `erased`: the line was erased.
 * `shredded`: its month's chat-transcript key is destroyed, or the month is past retention.
 */
export type TranscriptLineState = 'readable' | 'erased' | 'shredded';

export interface TranscriptLineView {
  readonly id: number;
  readonly author: 'caller' | 'volunteer';
  readonly at: number;
  /** Null unless the state is 'readable'. */
  readonly text: string | null;
  readonly redacted: boolean;
  readonly state: TranscriptLineState;
}

export interface TranscriptView {
  readonly chat: ClosedChatSummary;
  readonly lines: readonly TranscriptLineView[];
  /** Whether "IP-adres tonen" can work: the preset allows it and the sealed address is within retention. */
  readonly addressAvailable: boolean;
}

/** The chat's IP address as text, for the requesting coordinator's screen only. */
export interface RevealedChatAddress {
  readonly reference: ContactReference;
  readonly address: string;
}

/** How many details of each kind the draft replaced or removed. */
export interface StandInCounts {
  readonly names: number;
  readonly places: number;
  readonly dates: number;
  readonly ages: number;
  readonly removed: number;
}

/** A de-identified draft, held in memory only until it is saved, discarded or expires. */
export interface FragmentDraftView {
  readonly draftId: string;
  readonly text: string;
  readonly expiresAt: number;
  readonly replaced: StandInCounts;
}

export interface TrainingFragmentView {
  readonly id: number;
  readonly title: string;
  readonly text: string;
  readonly savedBy: string;
  readonly savedAt: number;
}
