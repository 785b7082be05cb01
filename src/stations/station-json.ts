import type { Categories, ContactModeration, StationContactView } from '../contacts/contact-view.js';

/** The exact keys a station ever receives for a contact; the docs and the leak test use this list. */
export const STATION_CONTACT_KEYS = ['reference', 'channel', 'priorContacts', 'callerKnown', 'state', 'offeredAt', 'moderation'] as const;

export type StationContactJson = Omit<StationContactView, 'moderation'> & { readonly moderation: ContactModeration | null };

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

/** Server-to-station WebSocket frames. */
export type StationEventFrame =
  | { readonly type: 'snapshot'; readonly contacts: readonly StationContactJson[] }
  | { readonly type: 'contact'; readonly contact: StationContactJson }
  | { readonly type: 'error'; readonly code: string; readonly message: string };
