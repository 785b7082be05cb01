import { afterEach, describe, expect, it } from 'vitest';
import type { StationContactView } from '../../src/contacts/contact-view.js';
import { STATION_CONTACT_KEYS } from '../../src/stations/index.js';
import { contactView } from './fake-station-backend.js';
import { bearer, DESK_ONE, SocketProbe, startHarness, type Harness } from './station-harness.js';

let harness: Harness | undefined;

afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

/** A view as a careless backend might hand it over: typed as a view, carrying more. */
function leakyView(reference: string, state: StationContactView['state']): StationContactView {
  const leaky = {
    ...contactView({ reference, state, priorContacts: 3 }),
    pseudonym: 'a3f1c9e0b7d24f6a',
    number: '+31612345678',
    lineCallId: 'modem-17',
  };
  return leaky as StationContactView;
}

const expectedKeys = [...STATION_CONTACT_KEYS].sort();

function keysOf(value: unknown): string[] {
  return Object.keys(value as object).sort();
}

describe('what a station receives for a contact', () => {
  it('names exactly the StationContactView fields', () => {
    const view: Required<{ [K in keyof StationContactView]: true }> = {
      reference: true, channel: true, priorContacts: true, callerKnown: true, state: true, offeredAt: true, moderation: true, recorded: true,
    };
    expect(expectedKeys).toEqual(Object.keys(view).sort());
  });

  it('carries exactly the StationContactView keys over HTTP, the snapshot, events and the wrap-up reply', async () => {
    harness = await startHarness();
    const { backend, url } = harness;
    backend.put(leakyView('K7Q-3F9', 'ended'));
    backend.put(leakyView('M2X-8RT', 'ringing'));
    const rawBodies: string[] = [];

    const listResponse = await fetch(`${url}/api/v1/contacts`, { headers: bearer(DESK_ONE.token) });
    const listText = await listResponse.text();
    rawBodies.push(listText);
    const list = JSON.parse(listText) as { contacts: unknown[] };
    expect(list.contacts).toHaveLength(2);
    for (const contact of list.contacts) expect(keysOf(contact)).toEqual(expectedKeys);

    const station = new SocketProbe(url);
    try {
      await station.opened();
      station.send({ type: 'auth', token: DESK_ONE.token });
      const snapshot = (await station.next()) as { contacts: unknown[] };
      rawBodies.push(JSON.stringify(snapshot));
      expect(snapshot.contacts).toHaveLength(2);
      for (const contact of snapshot.contacts) expect(keysOf(contact)).toEqual(expectedKeys);

      backend.put(leakyView('P4W-2HN', 'ringing'));
      const event = (await station.next()) as { contact: unknown };
      rawBodies.push(JSON.stringify(event));
      expect(keysOf(event.contact)).toEqual(expectedKeys);

      const wrapUp = await fetch(`${url}/api/v1/contacts/K7Q-3F9/wrap-up`, {
        method: 'POST',
        headers: { ...bearer(DESK_ONE.token), 'content-type': 'application/json' },
        body: JSON.stringify({ ageBand: '12-15', topic: 'family', outcome: 'listened' }),
      });
      const wrapUpText = await wrapUp.text();
      rawBodies.push(wrapUpText);
      expect(keysOf((JSON.parse(wrapUpText) as { contact: unknown }).contact)).toEqual(expectedKeys);
      const registered = (await station.next()) as { contact: unknown };
      expect(keysOf(registered.contact)).toEqual(expectedKeys);
    } finally {
      station.close();
    }

    for (const body of rawBodies) {
      for (const leaked of ['pseudonym', 'a3f1c9e0b7d24f6a', '612345678', 'lineCallId', 'modem-17']) {
        expect(body).not.toContain(leaked);
      }
    }
  });
});
