import type { Categories, StationContactView } from '../contacts/contact-view.js';

/** The exact keys a station ever receives for a contact; the docs and the leak test use this list. */
export const STATION_CONTACT_KEYS = ['reference', 'channel', 'priorContacts', 'callerKnown', 'state', 'offeredAt'] as const;

export type StationContactJson = Pick<StationContactView, (typeof STATION_CONTACT_KEYS)[number]>;

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
  };
}

export function toCategoriesJson(categories: Categories): Categories {
  return {
    ageBands: [...categories.ageBands],
    topics: [...categories.topics],
    outcomes: [...categories.outcomes],
  };
}

/** Server-to-station WebSocket frames. */
export type StationEventFrame =
  | { readonly type: 'snapshot'; readonly contacts: readonly StationContactJson[] }
  | { readonly type: 'contact'; readonly contact: StationContactJson }
  | { readonly type: 'error'; readonly code: string; readonly message: string };
