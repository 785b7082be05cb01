import type { Role } from '../accounts/roles.js';
import type { ContactReference } from '../contacts/contact-view.js';

/**
 * The face of moderation (P4: Time Outs and blocks) that the desk, the HTTP layer and the pages use.
 * Nothing here carries an identifier or a pseudonym: entries are known by their id and the random
 * reference of the contact that led to them, and callers by counts.
 */

export type ModerationKind = 'time-out' | 'block';

/** A caller's standing now: the active Time Out or block that ends last, or none. */
export type ModerationStatus = { readonly kind: 'none' } | { readonly kind: 'time-out' | 'blocked'; readonly until: number };

/**
 * Who acts. A person on the coordinator page acts under their account and role; a desk station
 * authenticates a desk, not a person, so it acts as a volunteer under `station:<id>`.
 */
export type ModerationActor = { readonly accountId: string; readonly role: Role } | { readonly stationId: string };

/** Why an action was refused, as a code the pages translate. */
export type ModerationRefusal =
  | 'forbidden'
  | 'unknown-contact'
  | 'unknown-entry'
  | 'caller-not-linkable'
  | 'not-live'
  | 'already-given'
  | 'too-few-time-outs'
  | 'already-blocked'
  | 'already-lifted'
  | 'no-reason'
  | 'reason-holds-identifier';

export type ModerationErrorCode =
  | 'HGW_MODERATION_FORBIDDEN'
  | 'HGW_MODERATION_UNKNOWN_CONTACT'
  | 'HGW_MODERATION_NOT_ELIGIBLE'
  | 'HGW_MODERATION_LOOKUP_FAILED';

export type ModerationResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly code: ModerationErrorCode; readonly refusal: ModerationRefusal; readonly message: string };

/** One Time Out or block as a coordinator sees it. */
export interface ModerationEntryView {
  readonly id: number;
  readonly kind: ModerationKind;
  /** The contact that led to it: a random reference, nothing linkable beyond this list. */
  readonly reference: ContactReference;
  /** `station:<id>` or `account:<id>`. */
  readonly givenBy: string;
  readonly givenAt: number;
  readonly until: number;
  /** In force now: not lifted and not yet ended. */
  readonly active: boolean;
  /** A block's reason, written by the coordinator; null for a Time Out. */
  readonly reason: string | null;
  readonly liftedAt: number | null;
  readonly liftedBy: string | null;
}

/** One caller's entries, grouped so a coordinator sees what a block would rest on. */
export interface ModeratedCallerView {
  readonly status: ModerationStatus;
  /** Time Outs not lifted, given in a month whose link key is still live. */
  readonly timeOutsInWindow: number;
  /** Whether a block may be given now (enough Time Outs, no active block). */
  readonly blockable: boolean;
  /** The most recent contact reference among the entries: what a block form is filled with. */
  readonly latestReference: ContactReference;
  /** Newest first. */
  readonly entries: readonly ModerationEntryView[];
}

export interface ModerationOverview {
  readonly timeOutHours: number;
  readonly blockMonths: number;
  readonly timeOutsBeforeBlock: number;
  /** Callers with an active entry first, then by their latest entry, newest first. */
  readonly callers: readonly ModeratedCallerView[];
}

/** What giving a Time Out or a block returns. */
export interface GivenModeration {
  readonly id: number;
  readonly kind: ModerationKind;
  readonly reference: ContactReference;
  readonly until: number;
  /** The caller's Time Outs in the window, this one included when it is one. */
  readonly timeOutsInWindow: number;
}
