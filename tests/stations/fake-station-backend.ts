import type {
  Categories,
  ContactReference,
  StationBackend,
  StationContactView,
  WrapUp,
  WrapUpResult,
} from '../../src/contacts/contact-view.js';

export const FAKE_CATEGORIES: Categories = {
  ageBands: ['0-11', '12-15', '16-18', '19+', 'unknown'],
  topics: ['bullying', 'family', 'relationships', 'other'],
  outcomes: ['listened', 'referred', 'ended-early'],
};

export interface RecordedWrapUp {
  readonly reference: ContactReference;
  readonly wrapUp: WrapUp;
  readonly stationId: string;
}

/** An in-memory StationBackend: contacts set by the test, wrap-ups recorded, changes pushed on demand. */
export class FakeStationBackend implements StationBackend {
  readonly wrapUps: RecordedWrapUp[] = [];
  readonly #contacts = new Map<string, StationContactView>();
  readonly #listeners = new Set<(view: StationContactView) => void>();

  /** Adds or replaces a contact and tells the listeners, as the contact desk would. */
  put(view: StationContactView): void {
    this.#contacts.set(view.reference, view);
    for (const listener of this.#listeners) listener(view);
  }

  get listenerCount(): number {
    return this.#listeners.size;
  }

  openContacts(): StationContactView[] {
    return [...this.#contacts.values()].filter((view) => view.state !== 'registered');
  }

  categories(): Categories {
    return FAKE_CATEGORIES;
  }

  wrapUp(reference: ContactReference, wrapUp: WrapUp, stationId: string): WrapUpResult {
    const contact = this.#contacts.get(reference);
    if (!contact) return { ok: false, code: 'HGW_STATION_UNKNOWN_CONTACT', message: 'no open contact with that reference' };
    if (contact.state !== 'ended') return { ok: false, code: 'HGW_STATION_BAD_REQUEST', message: 'the contact has not ended yet' };
    this.wrapUps.push({ reference, wrapUp, stationId });
    const registered: StationContactView = { ...contact, state: 'registered' };
    this.put(registered);
    return { ok: true, contact: registered };
  }

  onContactChanged(listener: (view: StationContactView) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}

export function contactView(overrides: Omit<Partial<StationContactView>, 'reference'> & { reference: string }): StationContactView {
  return {
    channel: 'phone',
    priorContacts: 0,
    callerKnown: true,
    state: 'ringing',
    offeredAt: Date.UTC(2025, 2, 21, 14, 5),
    moderation: null,
    recorded: true,
    ...overrides,
    reference: overrides.reference as ContactReference,
  };
}
