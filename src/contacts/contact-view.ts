import type { Channel } from '../privacy/types.js';

/**
 * A random per-contact reference, the only handle a station ever has on a contact. It is drawn at
 * random for each contact, so two contacts of the same caller share nothing a station can see.
 */
export type ContactReference = string & { readonly __brand: 'ContactReference' };

export type StationContactState = 'ringing' | 'ended' | 'registered';

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

/** The face the contact desk shows to the stations adapter. */
export interface StationBackend {
  /** Contacts a station should show: ringing ones and those still waiting for their wrap-up. */
  openContacts(): StationContactView[];
  categories(): Categories;
  wrapUp(reference: ContactReference, wrapUp: WrapUp, stationId: string): WrapUpResult;
  onContactChanged(listener: (view: StationContactView) => void): () => void;
}
