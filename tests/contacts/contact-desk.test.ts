import { afterEach, describe, expect, it } from 'vitest';
import type { StationContactView } from '../../src/contacts/contact-view.js';
import { canonicalText } from '../../src/privacy/raw-identifier.js';
import { asMonthEpoch } from '../../src/time/month-epoch.js';
import { deskFixture, presentation, shreddedMonths, type DeskFixture } from './desk-fixture.js';

const DAY = 24 * 60 * 60 * 1000;
let fixture: DeskFixture | undefined;

function open(start: string): DeskFixture {
  fixture = deskFixture(new Date(start));
  return fixture;
}

afterEach(() => {
  fixture?.close();
  fixture = undefined;
});

describe('the contact desk', () => {
  it('shows a first contact, then 1 and 2 earlier contacts for 06, +316 and 00316 renderings of one number', () => {
    const desk = open('2026-03-10T09:00:00Z');
    expect(desk.call('0612345678')).toMatchObject({ priorContacts: 0, callerKnown: true, state: 'ringing', channel: 'phone' });
    desk.clock.advance(60_000);
    expect(desk.call('+31 6 12345678').priorContacts).toBe(1);
    desk.clock.advance(60_000);
    expect(desk.call('0031612345678').priorContacts).toBe(2);
    expect(desk.call('0687654321').priorContacts).toBe(0);
  });

  it('gives a withheld or unavailable caller no pseudonym, no sealed copy and no count', () => {
    const desk = open('2026-03-10T09:00:00Z');
    const withheld = desk.call('P');
    const unavailable = desk.call('O');
    expect(withheld).toMatchObject({ callerKnown: false, priorContacts: 0 });
    expect(unavailable).toMatchObject({ callerKnown: false, priorContacts: 0 });
    expect(desk.call('Private').priorContacts).toBe(0);
    for (const view of [withheld, unavailable]) {
      const row = desk.contacts.findByReference(view.reference);
      expect(row).toMatchObject({ pseudonym: null, sealedIdentifier: null, linkEpoch: null, sealedEpoch: null });
    }
  });

  it('draws an unrelated random reference for every contact, even of the same caller', () => {
    const desk = open('2026-03-10T09:00:00Z');
    const references = Array.from({ length: 50 }, () => desk.call('0612345678').reference);
    expect(new Set(references).size).toBe(50);
    for (const reference of references) expect(reference).toMatch(/^[2-9A-Z]{3}-[2-9A-Z]{3}$/);
  });

  it('counts across a month boundary in the site time zone (00:30 on the 1st in Amsterdam is the new month)', () => {
    const desk = open('2026-01-31T22:50:00Z'); // 23:50 in Amsterdam, January
    desk.call('0612345678');
    desk.clock.set(new Date('2026-01-31T23:30:00Z')); // 00:30 on 1 February in Amsterdam, still January in UTC
    const february = desk.call('0612345678');
    expect(february.priorContacts).toBe(1);
    const rows = [desk.contacts.findById(1), desk.contacts.findById(2)];
    expect(rows.map((row) => row?.linkEpoch)).toEqual(['2026-01', '2026-02']);
    expect(Buffer.from(rows[0]?.pseudonym ?? []).equals(Buffer.from(rows[1]?.pseudonym ?? []))).toBe(false);
  });

  it('counts through a year end and a DST change', () => {
    const desk = open('2025-10-26T00:30:00Z'); // 02:30 CEST, just before the clocks go back
    desk.call('0612345678');
    desk.clock.set(new Date('2025-10-26T01:30:00Z')); // 02:30 CET, the repeated hour
    expect(desk.call('0612345678').priorContacts).toBe(1);
    desk.clock.set(new Date('2025-12-31T22:59:00Z')); // 23:59 on New Year's Eve
    expect(desk.call('0612345678').priorContacts).toBe(2);
    desk.clock.set(new Date('2025-12-31T23:01:00Z')); // 00:01 on 1 January
    expect(desk.call('+31612345678').priorContacts).toBe(3);
    expect(desk.keyring.linkEpochs()).toEqual(['2025-10', '2025-12', '2026-01']);
  });

  it('stops counting a month once its link key is shredded by the sweeper (6-month window)', async () => {
    const desk = open('2026-01-15T12:00:00Z');
    desk.call('0612345678'); // January
    desk.clock.set(new Date('2026-03-15T12:00:00Z'));
    desk.call('0612345678'); // March
    desk.clock.set(new Date('2026-06-30T12:00:00Z')); // June: January is still the 6th month back
    expect(shreddedMonths(await desk.sweeper.sweep(), 'link')).toEqual([]);
    expect(desk.call('0612345678').priorContacts).toBe(2);
    desk.clock.set(new Date('2026-07-01T12:00:00Z')); // July: January leaves the window
    const result = await desk.sweeper.sweep();
    expect(shreddedMonths(result, 'link')).toEqual(['2026-01']);
    expect(shreddedMonths(result, 'phone-number')).toEqual(['2026-01']);
    expect(result.contactsUnlinked).toBe(1);
    expect(desk.call('0612345678').priorContacts).toBe(2); // March and June remain
    expect(desk.contacts.findById(1)).toMatchObject({ pseudonym: null, sealedIdentifier: null });
    desk.clock.set(new Date('2027-01-02T12:00:00Z'));
    await desk.sweeper.sweep();
    expect(desk.call('0612345678').priorContacts).toBe(0);
  });

  it('keeps the sealed number recoverable inside the window and gone after it', async () => {
    const desk = open('2026-01-15T12:00:00Z');
    const view = desk.call('06 1234 5678');
    const row = desk.contacts.findByReference(view.reference);
    if (!row?.sealedIdentifier || !row.sealedEpoch) throw new Error('expected a sealed copy');
    const unsealed = desk.vault.unseal(row.sealedIdentifier, 'phone-number', row.sealedEpoch, 'phone');
    expect(unsealed && canonicalText(unsealed)).toBe('+31612345678');
    desk.clock.advance(200 * DAY);
    await desk.sweeper.sweep();
    expect(desk.vault.unseal(row.sealedIdentifier, 'phone-number', asMonthEpoch('2026-01'), 'phone')).toBeUndefined();
  });

  it('follows an answered call as live, once, refuses its wrap-up until it ends, and ignores an unknown call', () => {
    const desk = open('2026-03-10T09:00:00Z');
    const changes: StationContactView[] = [];
    desk.desk.onContactChanged((view) => changes.push(view));
    const view = desk.desk.offerCall({ lineCallId: 'line-1', caller: presentation('0612345678'), offeredAt: desk.clock.now() });
    desk.desk.callAnswered('line-1');
    desk.desk.callAnswered('line-1');
    desk.desk.callAnswered('no-such-call');
    expect(changes.map((change) => change.state)).toEqual(['ringing', 'live']);
    expect(desk.desk.wrapUp(view.reference, { ageBand: '12-14', topic: 'school', outcome: 'conversation' }, 'desk-1')).toMatchObject({ ok: false });
    desk.desk.endCall('line-1', desk.clock.now());
    expect(changes.map((change) => change.state)).toEqual(['ringing', 'live', 'ended']);
    expect(desk.desk.wrapUp(view.reference, { ageBand: '12-14', topic: 'school', outcome: 'conversation' }, 'desk-1')).toMatchObject({ ok: true });
  });

  it('registers a wrap-up with categories only, once, and rejects categories outside the lists', () => {
    const desk = open('2026-03-10T09:00:00Z');
    const changes: StationContactView[] = [];
    desk.desk.onContactChanged((view) => changes.push(view));
    const view = desk.desk.offerCall({ lineCallId: 'line-1', caller: presentation('0612345678'), offeredAt: desk.clock.now() });
    desk.desk.endCall('not-a-call', desk.clock.now());
    expect(desk.desk.wrapUp(view.reference, { ageBand: '12-14', topic: 'school', outcome: 'conversation' }, 'desk-1')).toMatchObject({
      ok: false,
      code: 'HGW_STATION_BAD_REQUEST',
      message: expect.stringMatching(/still going on/),
    });
    desk.desk.endCall('line-1', desk.clock.now());
    expect(desk.desk.wrapUp(view.reference, { ageBand: '99', topic: 'school', outcome: 'conversation' }, 'desk-1')).toMatchObject({
      ok: false,
      code: 'HGW_STATION_BAD_REQUEST',
    });
    const result = desk.desk.wrapUp(view.reference, { ageBand: '12-14', topic: 'school', outcome: 'conversation' }, 'desk-1');
    expect(result).toMatchObject({ ok: true, contact: { state: 'registered' } });
    expect(desk.desk.wrapUp(view.reference, { ageBand: '12-14', topic: 'school', outcome: 'conversation' }, 'desk-1')).toMatchObject({
      ok: false,
      code: 'HGW_STATION_UNKNOWN_CONTACT',
    });
    const registration = desk.registrations.forContact(1);
    expect(registration).toMatchObject({ channel: 'phone', ageBand: '12-14', topic: 'school', outcome: 'conversation' });
    expect(changes.map((change) => change.state)).toEqual(['ringing', 'ended', 'registered']);
    expect(desk.desk.openContacts()).toEqual([]);
  });

  it('moves a contact from ringing to ended when the line says the call ended', () => {
    const desk = open('2026-03-10T09:00:00Z');
    const changes: StationContactView[] = [];
    desk.desk.onContactChanged((view) => changes.push(view));
    const caller = { kind: 'withheld' } as const;
    desk.desk.offerCall({ lineCallId: 'line-7', caller, offeredAt: desk.clock.now() });
    desk.desk.endCall('line-7', desk.clock.now() + 8000);
    expect(changes.map((change) => change.state)).toEqual(['ringing', 'ended']);
    expect(desk.desk.openContacts().map((view) => view.state)).toEqual(['ended']);
  });

  it('gives stations exactly the view fields and nothing that could hold an identifier', () => {
    const desk = open('2026-03-10T09:00:00Z');
    const view = desk.call('0612345678');
    expect(Object.keys(view).sort()).toEqual(['callerKnown', 'channel', 'moderation', 'offeredAt', 'priorContacts', 'reference', 'state']);
    expect(JSON.stringify(desk.desk.openContacts())).not.toMatch(/612345678/);
  });
});

describe('the contact desk after a restart', () => {
  it('ends calls that an earlier run left ringing, and leaves ended and registered ones alone', () => {
    const desk = open('2026-03-10T09:00:00Z');
    const ringing = desk.call('0612345678');
    const registered = desk.desk.offerCall({ lineCallId: 'line-2', caller: presentation('0687654321'), offeredAt: desk.clock.now() });
    desk.desk.endCall('line-2', desk.clock.now());
    desk.desk.wrapUp(registered.reference, { ageBand: '12-14', topic: 'school', outcome: 'conversation' }, 'desk-1');
    desk.clock.advance(3_600_000);
    expect(desk.desk.endCallsLeftByEarlierRun()).toBe(1);
    expect(desk.contacts.findByReference(ringing.reference)).toMatchObject({ state: 'ended', endedAt: desk.clock.now() });
    expect(desk.contacts.findByReference(registered.reference)?.state).toBe('registered');
    expect(desk.desk.endCallsLeftByEarlierRun()).toBe(0);
  });
});

describe('the stations list of open contacts', () => {
  it('lists only unregistered contacts of the last 12 hours, oldest first, among many older ones', () => {
    const desk = open('2026-03-10T09:00:00Z');
    for (let i = 0; i < 600; i++) {
      desk.call(i % 3 === 0 ? 'P' : `06${String(10_000_000 + i)}`);
      desk.clock.advance(60_000);
    }
    desk.clock.advance(13 * 3_600_000);
    const recent = Array.from({ length: 5 }, (_, i) => {
      desk.clock.advance(1000);
      return desk.desk.offerCall({ lineCallId: `recent-${i}`, caller: presentation('0612345678'), offeredAt: desk.clock.now() });
    });
    desk.desk.endCall('recent-1', desk.clock.now());
    desk.desk.wrapUp(recent[1]?.reference ?? ('' as never), { ageBand: '12-14', topic: 'school', outcome: 'conversation' }, 'desk-1');
    expect(desk.desk.openContacts().map((view) => view.reference)).toEqual([0, 2, 3, 4].map((i) => recent[i]?.reference));
  });
});
