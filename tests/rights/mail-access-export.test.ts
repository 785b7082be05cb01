import { afterEach, describe, expect, it } from 'vitest';
import { escapeHtml } from '../../src/rights/access-page.js';
import { emailAddressProbe, scanBytes } from '../support/identifier-scanner.js';
import { mailSender, STATION } from './mail-sender-fixture.js';
import { coordinator, requestsFixture, valueOf, type RequestsFixture } from './requests-fixture.js';

const SENDER = 'Sanne.Vries@Example.org';
const OTHER = 'iemand.anders@example.org';
const FIRST_SUBJECT = 'Ik durf het <niet> te zeggen';
const FIRST_BODY = 'Mijn stiefvader schreeuwt elke avond & ik slaap slecht.';
const ANSWER = 'Fijn dat je ons schrijft. Wil je vertellen wat er gebeurt?';
const REPLY_BODY = 'Het gebeurt vooral als mama weg is.';
const APRIL_BODY = 'Ik heb het aan mijn mentor verteld.';
const UNSENT = 'Goed dat je het verteld hebt.';
const OTHERS_BODY = 'Dit is de mail van iemand anders.';

let fixture: RequestsFixture | undefined;

afterEach(() => {
  fixture?.close();
  fixture = undefined;
});

function exported(f: RequestsFixture, supplied: string) {
  const request = valueOf(f.rights.register(coordinator, { kind: 'access', channel: 'mail', supplied }));
  valueOf(f.rights.confirmIdentity(coordinator, request.reference));
  return { request, exported: valueOf(f.rights.exportAccess(coordinator, request.reference)) };
}

/** A sender with two threads: March (mail, answer, reply) and April (mail, an answer the relay refused), and another sender. */
async function twoThreads(f: RequestsFixture) {
  const sender = mailSender(f);
  const march = await sender.receive(SENDER, FIRST_SUBJECT, FIRST_BODY, ['Message-ID: <first@mail.example.org>']);
  sender.mailDesk.open(march, STATION);
  f.clock.advance(30 * 60_000);
  expect((await sender.mailDesk.answer(march, STATION, ANSWER)).ok).toBe(true);
  const ourId = sender.relay.sent.at(-1)?.messageId ?? '';
  f.clock.advance(60 * 60_000);
  expect(await sender.receive(SENDER, `Re: ${FIRST_SUBJECT}`, REPLY_BODY, [`In-Reply-To: ${ourId}`, `References: <first@mail.example.org> ${ourId}`])).toBe(march);
  sender.mailDesk.close(march, STATION);
  await sender.receive(OTHER, 'Vraag', OTHERS_BODY);

  f.clock.set(new Date('2026-04-02T08:00:00Z'));
  const april = await sender.receive(SENDER.toLowerCase(), 'Update', APRIL_BODY);
  sender.mailDesk.open(april, STATION);
  sender.relay.refusing = true;
  expect(await sender.mailDesk.answer(april, STATION, UNSENT)).toMatchObject({ ok: false, code: 'HGW_MAIL_SEND_FAILED' });
  return { sender, march, april };
}

describe('an access request for a mail address', () => {
  it('gives the sender every linked mail contact with its mails and the helpline\u2019s answers, in the JSON and on the page', async () => {
    const f = (fixture = requestsFixture(new Date('2026-03-10T09:00:00Z')));
    const { march, april } = await twoThreads(f);
    f.clock.set(new Date('2026-04-20T08:00:00Z'));

    const { request, exported: access } = exported(f, ' sanne.vries@EXAMPLE.org ');
    const document = JSON.parse(access.json);
    expect(document.finding.en).toBe('We hold 2 contacts connected to the e-mail address or reference you gave us; everything held about them is listed below.');
    expect(document.contacts.map((contact: { reference: string }) => contact.reference)).toEqual([march, april]);
    expect(document.contacts[0]).toMatchObject({ channel: 'mail', identifierState: 'shown', identifier: 'sanne.vries@example.org', transcript: [] });
    expect(document.contacts[0].mails).toEqual([
      { author: 'caller', at: '2026-03-10T10:00:00+01:00', state: 'kept', subject: FIRST_SUBJECT, text: FIRST_BODY, attachmentsNotKept: 0, delivered: true },
      { author: 'volunteer', at: '2026-03-10T10:30:00+01:00', state: 'kept', subject: `Re: ${FIRST_SUBJECT}`, text: ANSWER, attachmentsNotKept: 0, delivered: true },
      { author: 'caller', at: '2026-03-10T11:30:00+01:00', state: 'kept', subject: `Re: ${FIRST_SUBJECT}`, text: REPLY_BODY, attachmentsNotKept: 0, delivered: true },
    ]);
    expect(document.contacts[1].mails).toEqual([
      { author: 'caller', at: '2026-04-02T10:00:00+02:00', state: 'kept', subject: 'Update', text: APRIL_BODY, attachmentsNotKept: 0, delivered: true },
      { author: 'volunteer', at: '2026-04-02T10:00:00+02:00', state: 'kept', subject: 'Re: Update', text: UNSENT, attachmentsNotKept: 0, delivered: false },
    ]);
    expect(document.retention.map((entry: { data: { en: string } }) => entry.data.en)).toContain('Mails and the e-mail address (encrypted)');

    for (const text of [FIRST_SUBJECT, FIRST_BODY, ANSWER, REPLY_BODY, APRIL_BODY, UNSENT]) expect(access.html).toContain(escapeHtml(text));
    expect(access.html).toContain('&lt;niet&gt;');
    expect(access.html).toContain('ons antwoord');
    expect(access.html).toContain('no, not sent');
    expect(access.html).toContain('sanne.vries@example.org');
    expect(access.html).not.toMatch(/<script|<img|<link|href=/i);
    // Nothing of the other sender.
    for (const output of [access.json, access.html]) {
      expect(output).not.toContain(OTHERS_BODY);
      expect(scanBytes('export', Buffer.from(output), [emailAddressProbe('other sender', OTHER)])).toEqual([]);
    }

    expect(access.view.answer).toMatchObject({ matchedContacts: 2, transcriptLines: 0, mails: 5 });
    const trail = f.auditTrail();
    expect(trail.find((entry) => entry.action === 'export.written')?.details).toEqual({ request: request.reference, contacts: 2, transcriptLines: 0, mails: 5, formats: 'json+html' });
    expect(trail.at(-1)).toMatchObject({ action: 'request.answered', details: { kind: 'access', matchedContacts: 2, mails: 5 } });
    // The address and the mails stay out of the audit trail and the log.
    const probes = [emailAddressProbe('sender', SENDER)];
    for (const [source, text] of [['audit', JSON.stringify(trail)], ['log', f.logLines.join('')]] as const) {
      expect(scanBytes(source, Buffer.from(text), probes)).toEqual([]);
      expect(text).not.toContain('stiefvader');
    }
  });

  it('finds all of the sender\u2019s contacts from the reference of one of them, and states a mail past its key as no longer held', async () => {
    const f = (fixture = requestsFixture(new Date('2026-03-10T09:00:00Z')));
    const { march, april } = await twoThreads(f);
    // A mail row sealed under a month whose mail-content key does not exist opens no more.
    f.database.run("UPDATE mail_messages SET sealed_epoch = '2025-01' WHERE id = 1");
    const document = JSON.parse(exported(f, april.toLowerCase()).exported.json);
    expect(document.contacts.map((contact: { reference: string }) => contact.reference)).toEqual([march, april]);
    expect(document.contacts[0].mails[0]).toEqual({ author: 'caller', at: '2026-03-10T10:00:00+01:00', state: 'past-retention', subject: null, text: null, attachmentsNotKept: 0, delivered: true });
  });

  it('says truthfully that nothing linkable remains for an address that never wrote', async () => {
    const f = (fixture = requestsFixture(new Date('2026-03-10T09:00:00Z')));
    await mailSender(f).receive(OTHER, 'Vraag', OTHERS_BODY);
    const { exported: access } = exported(f, SENDER);
    const document = JSON.parse(access.json);
    expect(document).toMatchObject({ nothingLinkableRemains: true, contacts: [] });
    expect(document.finding.en).toMatch(/^Nothing we hold can still be connected to the e-mail address or reference you gave us/);
    expect(document.retention.map((entry: { data: { en: string } }) => entry.data.en)).not.toContain('Mails and the e-mail address (encrypted)');
  });
});
