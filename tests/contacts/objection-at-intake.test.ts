import { afterEach, describe, expect, it } from 'vitest';
import { ObjectionRegister } from '../../src/rights/objection-register.js';
import { ObjectionsRepository } from '../../src/store/objections-repository.js';
import { asMonthEpoch } from '../../src/time/month-epoch.js';
import { mailSender, STATION } from '../rights/mail-sender-fixture.js';
import { coordinator, requestsFixture, valueOf, type RequestsFixture } from '../rights/requests-fixture.js';

const CALLER = '0612345678';
let fixture: RequestsFixture | undefined;

afterEach(() => {
  fixture?.close();
  fixture = undefined;
});

function objected(f: RequestsFixture, supplied = CALLER, channel: 'phone' | 'mail' = 'phone'): void {
  const request = valueOf(f.rights.register(coordinator, { kind: 'objection', channel, supplied }));
  valueOf(f.rights.confirmIdentity(coordinator, request.reference));
  valueOf(f.rights.object(coordinator, request.reference));
}


describe('a caller under objection at intake', () => {
  it('still rings at a station, but is stored unlinked and unsealed with no count, and counts nobody else differently', () => {
    const f = (fixture = requestsFixture(new Date('2026-02-10T10:00:00Z')));
    f.call(CALLER);
    f.call('0687654321');
    objected(f);

    const view = f.call('+31 6 12 34 56 78');
    expect(view).toMatchObject({ state: 'ringing', callerKnown: true, priorContacts: 0 });
    expect(f.contacts.findByReference(view.reference)).toMatchObject({
      presentation: 'number',
      linkEpoch: null,
      pseudonym: null,
      sealedEpoch: null,
      sealedIdentifier: null,
      priorContacts: 0,
    });
    expect(f.desk.openContacts().map((open) => open.reference)).toContain(view.reference);
    expect(f.call(CALLER).priorContacts).toBe(0);
    expect(f.call('0687654321').priorContacts).toBe(1);
  });

  it('follows the caller into a month whose key did not exist when the objection was recorded', () => {
    const f = (fixture = requestsFixture(new Date('2026-02-10T10:00:00Z')));
    f.call(CALLER);
    objected(f);
    expect(f.objections.size).toBe(1);
    const stored = new ObjectionsRepository(f.database);

    f.clock.set(new Date('2026-03-05T10:00:00Z'));
    const march = f.call(CALLER);
    expect(f.contacts.findByReference(march.reference)).toMatchObject({ pseudonym: null, sealedIdentifier: null });
    expect(stored.all().map((row) => row.epoch)).toEqual([asMonthEpoch('2026-02'), asMonthEpoch('2026-03')]);
    expect(f.call(CALLER).priorContacts).toBe(0);
    expect(stored.count()).toBe(2);
  });

  it('keeps following after the objection\u2019s own month is shredded, as long as the caller keeps calling within the window', async () => {
    const f = (fixture = requestsFixture(new Date('2026-02-10T10:00:00Z')));
    f.call(CALLER);
    objected(f);
    f.clock.set(new Date('2026-07-05T10:00:00Z'));
    f.call(CALLER);
    f.clock.set(new Date('2026-08-20T10:00:00Z'));
    await f.sweeper.sweep();
    expect(f.keyring.linkEpochs()).not.toContain('2026-02');
    const august = f.call(CALLER);
    expect(f.contacts.findByReference(august.reference)).toMatchObject({ pseudonym: null, sealedIdentifier: null });
    expect(new ObjectionsRepository(f.database).all().map((row) => row.epoch)).toEqual(['2026-07', '2026-08']);
  });

  it('ends with the linkage window when the caller stays away: nothing is left to recognize, nor held', async () => {
    const f = (fixture = requestsFixture(new Date('2026-02-10T10:00:00Z')));
    f.call(CALLER);
    objected(f);
    f.clock.set(new Date('2026-08-20T10:00:00Z'));
    await f.sweeper.sweep();
    expect(f.objections.size).toBe(0);
    expect(new ObjectionsRepository(f.database).count()).toBe(0);
    const view = f.call(CALLER);
    expect(f.contacts.findByReference(view.reference)?.pseudonym).not.toBeNull();
  });

  it('survives a restart: the register loads the objections from the store', () => {
    const f = (fixture = requestsFixture(new Date('2026-02-10T10:00:00Z')));
    f.call(CALLER);
    objected(f);
    const reloaded = ObjectionRegister.load(new ObjectionsRepository(f.database), f.clock);
    expect(reloaded.size).toBe(1);
    const row = new ObjectionsRepository(f.database).all()[0];
    if (!row) throw new Error('expected an objection');
    expect(reloaded.isObjected([{ epoch: row.epoch, pseudonym: row.pseudonym }])).toBe(true);
    expect(reloaded.isObjected([{ epoch: asMonthEpoch('2026-01'), pseudonym: row.pseudonym }])).toBe(false);
  });
});

describe('a mail sender under objection at intake', () => {
  const SENDER = 'Sanne.Vries@Example.org';

  it('stores the sender\u2019s later mails unlinked and unsealed, with no count, in this month and the next, and counts other senders as before', async () => {
    const f = (fixture = requestsFixture(new Date('2026-02-10T10:00:00Z')));
    const sender = mailSender(f);
    const before = await sender.receive(SENDER, 'Hoi', 'Eerste mail.');
    await sender.receive('iemand.anders@example.org', 'Vraag', 'Een andere afzender.');
    expect(f.contacts.findByReference(before)).toMatchObject({ pseudonym: expect.anything(), sealedIdentifier: expect.anything() });
    objected(f, ' sanne.vries@example.ORG ', 'mail');
    expect(f.objections.size).toBe(1);

    f.clock.advance(2 * 60 * 60_000);
    const after = await sender.receive(SENDER, 'Nog eens', 'Tweede mail.');
    expect(f.contacts.findByReference(after)).toMatchObject({ channel: 'mail', presentation: 'number', linkEpoch: null, pseudonym: null, sealedEpoch: null, sealedIdentifier: null, priorContacts: 0 });
    expect(sender.mailDesk.threads().find((thread) => thread.reference === after)).toMatchObject({ priorContacts: 0, state: 'new' });
    // A volunteer still reads the mail; the sender got the confirmation, which needs no stored address.
    sender.mailDesk.open(after, STATION);
    expect(sender.mailDesk.messages(after, STATION)).toMatchObject({ ok: true, value: [{ direction: 'in', text: 'Tweede mail.' }] });
    expect(sender.relay.sent.filter((mail) => mail.subject === 'We hebben je mail goed ontvangen')).toHaveLength(3);
    // Unsealed means no address to answer to: the volunteer is told so (docs/rights.md, Objection).
    expect(await sender.mailDesk.answer(after, STATION, 'Dank je voor je mail.')).toMatchObject({ ok: false, code: 'HGW_MAIL_SEND_FAILED' });

    f.clock.set(new Date('2026-03-05T10:00:00Z'));
    const march = await sender.receive(SENDER.toLowerCase(), 'Maart', 'Derde mail.');
    expect(f.contacts.findByReference(march)).toMatchObject({ pseudonym: null, sealedIdentifier: null, priorContacts: 0 });
    expect(new ObjectionsRepository(f.database).all().map((row) => row.epoch)).toEqual([asMonthEpoch('2026-02'), asMonthEpoch('2026-03')]);
    const other = await sender.receive('iemand.anders@example.org', 'Weer een vraag', 'Nog een andere mail.');
    expect(f.contacts.findByReference(other)).toMatchObject({ priorContacts: 1, pseudonym: expect.anything() });
  });
});
