import type { Channel } from '../privacy/types.js';

/**
 * A random per-contact reference, the only handle a station ever has on a contact. It is drawn at
 * random for each contact, so two contacts of the same caller share nothing a station can see.
 */
export type ContactReference = string & { readonly __brand: 'ContactReference' };

/** ringing (offered), live (a volunteer answered: SIP only), ended (waiting for its wrap-up), registered. */
export type StationContactState = 'ringing' | 'live' | 'ended' | 'registered';

/** What the moderation lookup answers when it fails: put the call through or not (config `moderation.onLookupFailure`). */
export type ModerationLookupFailure = 'route' | 'refuse';

/**
 * The caller's Time Out or block as a station and the routing layer see it: the kind and when it
 * ends, nothing about who or why. `unknown` when the lookup failed; `routing` then says what the
 * configured switch decided.
 */
export type ContactModeration =
  | { readonly kind: 'time-out' | 'blocked'; readonly until: number }
  | { readonly kind: 'unknown'; readonly routing: ModerationLookupFailure };

/** Everything a station may know about a contact: no identifier, no pseudonym, nothing linkable. */
export interface StationContactView {
  readonly reference: ContactReference;
  readonly channel: Channel;
  /** Contacts of the same caller within the live linkage window; 0 for a first contact. */
  readonly priorContacts: number;
  /** False for a withheld, unavailable or unreadable caller ID: the count means nothing then. */
  readonly callerKnown: boolean;
  readonly state: StationContactState;
  readonly offeredAt: number;
  /**
   * The caller's Time Out or block (P4), null when there is none or the caller is not known. The
   * contact desk always sets it; a producer written before moderation leaves it out, which means null.
   */
  readonly moderation?: ContactModeration | null;
  /**
   * False for a call taken while a fault stopped intake (docs/health.md): nothing of it is stored
   * and its count is unknown (the station shows "unknown", not "first contact"). Absent means true.
   */
  readonly recorded?: boolean;
}

/**
 * Whether a line or switch may put the contact through to a volunteer: not for a caller under a
 * Time Out or block (they hear the prompt instead), and for a failed lookup as the switch says.
 */
export function mayRoute(moderation: ContactModeration | null | undefined): boolean {
  if (moderation === null || moderation === undefined) return true;
  return moderation.kind === 'unknown' && moderation.routing === 'route';
}

export interface WrapUp {
  readonly ageBand: string;
  readonly topic: string;
  readonly outcome: string;
}

export interface Categories {
  readonly ageBands: readonly string[];
  readonly topics: readonly string[];
  readonly outcomes: readonly string[];
}

export type WrapUpResult =
  | { readonly ok: true; readonly contact: StationContactView }
  | { readonly ok: false; readonly code: 'HGW_STATION_BAD_REQUEST' | 'HGW_STATION_UNKNOWN_CONTACT'; readonly message: string };

export type TimeOutRefusalCode = 'HGW_MODERATION_FORBIDDEN' | 'HGW_MODERATION_UNKNOWN_CONTACT' | 'HGW_MODERATION_NOT_ELIGIBLE' | 'HGW_MODERATION_LOOKUP_FAILED';

export type TimeOutResult =
  | { readonly ok: true; readonly contact: StationContactView; readonly until: number }
  | { readonly ok: false; readonly code: TimeOutRefusalCode; readonly message: string };

/** The face the contact desk shows to the stations adapter. */
export interface StationBackend {
  /** Contacts a station should show: ringing ones and those still waiting for their wrap-up. */
  openContacts(): StationContactView[];
  categories(): Categories;
  wrapUp(reference: ContactReference, wrapUp: WrapUp, stationId: string): WrapUpResult;
  onContactChanged(listener: (view: StationContactView) => void): () => void;
  /** A Time Out for the caller of a live or just-ended contact (P4); absent where moderation is not wired. */
  giveTimeOut?(reference: ContactReference, stationId: string): TimeOutResult;
}
