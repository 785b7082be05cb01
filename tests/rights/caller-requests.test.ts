import { afterEach, describe, expect, it } from 'vitest';
import type { ContactReference } from '../../src/contacts/contact-view.js';
import { originalDueAt, extendedDueAt } from '../../src/rights/index.js';
import { DisclosuresRepository } from '../../src/store/disclosures-repository.js';
import { probeFor, scanBytes, type KnownNumber } from '../support/identifier-scanner.js';
import { coordinator, refusalOf, requestsFixture, secondCoordinator, technician, valueOf, volunteer, type RequestsFixture } from './requests-fixture.js';

const DAY = 24 * 60 * 60 * 1000;
const AMSTERDAM = 'Europe/Amsterdam';
const MOBILE: KnownNumber = { name: 'Dutch mobile', e164: '+31612345678', countryCode: '31', areaCodeLength: 1 };
const OTHER: KnownNumber = { name: 'other mobile', e164: '+31687654321', countryCode: '31', areaCodeLength: 1 };
const REASON = 'Many requests arrived this month after a newspaper article about the helpline.';

let fixture: RequestsFixture | undefined;

afterEach(() => {
  fixture?.close();
  fixture = undefined;
});

function open(start = '2026-01-15T10:00:00Z'): RequestsFixture {
  fixture = requestsFixture(new Date(start));
  return fixture;
}

function noNumberIn(f: RequestsFixture, ...numbers: KnownNumber[]): void {
  const probes = numbers.map(probeFor);
  expect(scanBytes('audit', Buffer.from(JSON.stringify(f.audit.entries(0, 1000)), 'utf8'), probes)).toEqual([]);
  expect(scanBytes('log', Buffer.from(f.logLines.join(''), 'utf8'), probes)).toEqual([]);
  expect(scanBytes('views', Buffer.from(JSON.stringify(valueOf(f.rights.list(coordinator))), 'utf8'), probes)).toEqual([]);
}

describe('an access request, end to end', () => {
  it('registers with the number as the person writes it, waits for the identity check, then exports every contact with the number in E.164', () => {
    const f = open();
    const first = f.call('06 12 34 56 78');
    f.wrappedUp(first.reference);
    f.clock.advance(3 * DAY);
    const second = f.call('0612345678');
    f.call('0687654321');

    const registered = f.registered('access', '+31 6 1234 5678');
    expect(registered).toMatchObject({ kind: 'access', channel: 'phone', status: 'received', registeredBy: 'anna', answer: null, alert: null, extension: null });
    expect(registered.reference).toMatch(/^RQ-[2-9A-Z]{8}$/);
    expect(registered.dueAt).toBe(originalDueAt(f.clock.now(), AMSTERDAM));

    expect(refusalOf(f.rights.exportAccess(coordinator, registered.reference)).code).toBe('HGW_RIGHTS_IDENTITY_UNCHECKED');
    f.clock.advance(DAY);
    expect(valueOf(f.rights.confirmIdentity(secondCoordinator, registered.reference))).toMatchObject({
      status: 'identity-checked',
      identityCheckedBy: 'bram',
      identityCheckedAt: f.clock.now(),
    });

    const exported = valueOf(f.rights.exportAccess(coordinator, registered.reference));
    expect(exported.fileName).toBe(`access-${registered.reference}.json`);
    expect(exported.htmlFileName).toBe(`access-${registered.reference}.html`);
    expect(exported.view).toMatchObject({ status: 'answered', answeredBy: 'anna', answeredAt: f.clock.now() });
    expect(exported.view.answer).toMatchObject({ matchedContacts: 2, erasedContacts: 0, nothingLinkableRemains: false });

    const document = JSON.parse(exported.json);
    expect(document.nothingLinkableRemains).toBe(false);
    expect(document.contacts.map((contact: { reference: string }) => contact.reference)).toEqual([first.reference, second.reference]);
    expect(document.contacts[0]).toMatchObject({
      channel: 'phone',
      identifier: '+31612345678',
      identifierState: 'shown',
      openedAt: '2026-01-15T11:00:00+01:00',
      state: 'registered',
      priorContacts: 0,
      registration: { ageBand: '12-14', topic: 'school', outcome: 'conversation' },
    });
    expect(document.contacts[1]).toMatchObject({ identifier: '+31612345678', priorContacts: 1, registration: null });
    expect(exported.html).toContain('+31612345678');
    expect(exported.html).toContain(second.reference);
    expect(exported.json).not.toContain('87654321');

    expect(f.auditTrail().map((entry) => entry.action)).toEqual([
      'request.registered',
      'request.refused',
      'request.identity-checked',
      'export.written',
      'request.answered',
    ]);
    expect(f.auditTrail().at(-1)).toEqual({
      action: 'request.answered',
      target: `request:${registered.reference}`,
      details: {
        request: registered.reference,
        kind: 'access',
        matchedContacts: 2,
        transcriptLines: 0,
        mails: 0,
        erasedContacts: 0,
        erasedTranscriptLines: 0,
        nothingLinkableRemains: false,
      },
    });
    expect(f.audit.verify()).toMatchObject({ ok: true });
    noNumberIn(f, MOBILE, OTHER);
  });

  it('keeps no pseudonym of the request once it is answered', () => {
    const f = open();
    f.call('0612345678');
    const request = f.registered('access', '0612345678');
    expect(f.requests.linkedPseudonymCount()).toBe(1);
    valueOf(f.rights.confirmIdentity(coordinator, request.reference));
    valueOf(f.rights.exportAccess(coordinator, request.reference));
    expect(f.requests.linkedPseudonymCount()).toBe(0);
  });

  it('finds every contact of a phone caller from one kept reference, across months, while its sealed copy opens', () => {
    const f = open('2026-01-15T10:00:00Z');
    const january = f.call('0612345678');
    f.clock.set(new Date('2026-03-02T10:00:00Z'));
    const march = f.call('0612345678');
    f.call('0687654321');
    const request = valueOf(f.rights.register(coordinator, { kind: 'access', channel: 'phone', supplied: ` ${march.reference.toLowerCase()} ` }));
    valueOf(f.rights.confirmIdentity(coordinator, request.reference));
    const document = JSON.parse(valueOf(f.rights.exportAccess(coordinator, request.reference)).json);
    expect(document.contacts.map((contact: { reference: string }) => contact.reference)).toEqual([january.reference, march.reference]);
  });

  it('finds a chat caller by the reference they kept, and only that chat: an IP address may be shared by many', () => {
    const f = open();
    const kept = f.chatContact('K7Q-3F9', '192.0.2.7');
    f.chatContact('M4T-8WX', '192.0.2.7');
    f.transcriptLine(kept, 'caller', 'hoi, ik wil iets vragen');
    const request = f.registered('access', 'K7Q-3F9', 'chat');
    valueOf(f.rights.confirmIdentity(coordinator, request.reference));
    const exported = valueOf(f.rights.exportAccess(coordinator, request.reference));
    const document = JSON.parse(exported.json);
    expect(document.contacts).toHaveLength(1);
    expect(document.contacts[0]).toMatchObject({ reference: 'K7Q-3F9', channel: 'chat', identifier: '192.0.2.7' });
    expect(document.contacts[0].transcript).toEqual([{ author: 'caller', writtenAt: '2026-01-15T11:00:00+01:00', state: 'kept', text: 'hoi, ik wil iets vragen' }]);
    expect(exported.view.answer).toMatchObject({ matchedContacts: 1, transcriptLines: 1 });
  });
});

describe('an erasure request, end to end', () => {
  it('removes every contact of the number with its transcript lines and break-glass requests, keeps registrations as anonymous counts, and says what went', () => {
    const f = open();
    const first = f.call('0612345678');
    f.wrappedUp(first.reference);
    const second = f.call('0612345678');
    const other = f.call('0687654321');
    const secondRow = f.contacts.findByReference(second.reference);
    if (!secondRow) throw new Error('expected the contact');
    f.transcriptLine(secondRow.id, 'caller', 'a line of a call note');
    new DisclosuresRepository(f.database).insert({ contactId: secondRow.id, requestedBy: 'anna', reason: 'a reason long enough for the table', requestedAt: f.clock.now() });

    const request = f.registered('erasure', '0612345678');
    expect(refusalOf(f.rights.erase(coordinator, request.reference)).code).toBe('HGW_RIGHTS_IDENTITY_UNCHECKED');
    valueOf(f.rights.confirmIdentity(coordinator, request.reference));
    const answered = valueOf(f.rights.erase(coordinator, request.reference));
    expect(answered.status).toBe('answered');
    expect(answered.answer).toMatchObject({
      matchedContacts: 2,
      erasedContacts: 2,
      erasedTranscriptLines: 1,
      anonymousRegistrationsKept: 1,
      nothingLinkableRemains: false,
    });
    expect(answered.answer?.summary).toMatch(/2 contact\(s\) and 1 transcript line\(s\) erased/);

    expect(f.contacts.findByReference(first.reference)).toBeUndefined();
    expect(f.contacts.findByReference(second.reference)).toBeUndefined();
    expect(f.contacts.findByReference(other.reference)).toBeDefined();
    expect(f.transcripts.count()).toBe(0);
    expect(new DisclosuresRepository(f.database).count()).toBe(0);
    expect(f.registrations.count()).toBe(1);
    expect(f.database.get<{ contact_id: number | null }>('SELECT contact_id FROM registrations')).toEqual({ contact_id: null });

    // The in-memory count forgot them too: the number starts again at 0, the other caller at 1.
    expect(f.call('0612345678').priorContacts).toBe(0);
    expect(f.call('0687654321').priorContacts).toBe(1);
    expect(f.auditTrail().at(-1)?.details).toMatchObject({ kind: 'erasure', erasedContacts: 2, erasedTranscriptLines: 1 });
    noNumberIn(f, MOBILE, OTHER);
  });
});

describe('an objection, end to end', () => {
  it('puts the caller\u2019s pseudonyms of every live month under objection and leaves the stored contacts to their retention', () => {
    const f = open('2026-01-15T10:00:00Z');
    f.call('0612345678');
    f.clock.set(new Date('2026-02-10T10:00:00Z'));
    f.call('0612345678');
    const request = f.registered('objection', '0612345678');
    valueOf(f.rights.confirmIdentity(coordinator, request.reference));
    const answered = valueOf(f.rights.object(coordinator, request.reference));
    expect(answered.answer).toMatchObject({ matchedContacts: 2, objectedPseudonyms: 2, nothingLinkableRemains: false, erasedContacts: 0 });
    expect(f.objections.size).toBe(2);
    expect(f.contacts.count()).toBe(2);
    const next = f.call('0612345678');
    expect(next.priorContacts).toBe(0);
    expect(f.contacts.findByReference(next.reference)).toMatchObject({ pseudonym: null, sealedIdentifier: null, presentation: 'number' });
    expect(f.auditTrail().at(-1)?.details).toMatchObject({ kind: 'objection', objectedPseudonyms: 2 });
  });
});

describe('refusals', () => {
  it('lets only a coordinator act, and audits every refused attempt', () => {
    const f = open();
    f.call('0612345678');
    const request = f.registered('access', '0612345678');
    for (const actor of [volunteer, technician]) {
      expect(refusalOf(f.rights.register(actor, { kind: 'access', channel: 'phone', supplied: '0612345678' })).code).toBe('HGW_RIGHTS_FORBIDDEN');
      expect(refusalOf(f.rights.confirmIdentity(actor, request.reference)).code).toBe('HGW_RIGHTS_FORBIDDEN');
      expect(refusalOf(f.rights.extend(actor, request.reference, { reason: REASON, noticeSentAt: f.clock.now() })).code).toBe('HGW_RIGHTS_FORBIDDEN');
      expect(refusalOf(f.rights.exportAccess(actor, request.reference)).code).toBe('HGW_RIGHTS_FORBIDDEN');
      expect(refusalOf(f.rights.erase(actor, request.reference)).code).toBe('HGW_RIGHTS_FORBIDDEN');
      expect(refusalOf(f.rights.object(actor, request.reference)).code).toBe('HGW_RIGHTS_FORBIDDEN');
      expect(refusalOf(f.rights.list(actor)).code).toBe('HGW_RIGHTS_FORBIDDEN');
    }
    const refusals = f.auditTrail().filter((entry) => entry.action === 'request.refused');
    expect(refusals).toHaveLength(14);
    expect(refusals[1]).toEqual({
      action: 'request.refused',
      target: `request:${request.reference}`,
      details: { subject: 'caller-request', attempt: 'confirm', refusal: 'HGW_RIGHTS_FORBIDDEN', request: request.reference },
    });
    expect(f.audit.entries(0, 1000).filter((entry) => entry.action === 'request.refused').map((entry) => entry.actorId).slice(0, 2)).toEqual([
      'account:vera',
      'account:vera',
    ]);
    expect(valueOf(f.rights.list(coordinator))[0]).toMatchObject({ status: 'received' });
  });

  it('refuses an answer of the wrong kind, before the identity check, twice, and for an unknown request', () => {
    const f = open();
    f.call('0612345678');
    const access = f.registered('access', '0612345678');
    expect(refusalOf(f.rights.erase(coordinator, access.reference))).toEqual({ code: 'HGW_RIGHTS_WRONG_KIND', message: 'this is an access request, not an erasure one' });
    expect(refusalOf(f.rights.object(coordinator, access.reference)).code).toBe('HGW_RIGHTS_WRONG_KIND');
    expect(refusalOf(f.rights.exportAccess(coordinator, access.reference)).code).toBe('HGW_RIGHTS_IDENTITY_UNCHECKED');
    valueOf(f.rights.confirmIdentity(coordinator, access.reference));
    expect(refusalOf(f.rights.confirmIdentity(coordinator, access.reference)).code).toBe('HGW_RIGHTS_BAD_REQUEST');
    valueOf(f.rights.exportAccess(coordinator, access.reference));
    expect(refusalOf(f.rights.exportAccess(coordinator, access.reference)).code).toBe('HGW_RIGHTS_ANSWERED');
    expect(refusalOf(f.rights.confirmIdentity(coordinator, access.reference)).code).toBe('HGW_RIGHTS_ANSWERED');
    expect(refusalOf(f.rights.extend(coordinator, access.reference, { reason: REASON, noticeSentAt: f.clock.now() })).code).toBe('HGW_RIGHTS_ANSWERED');
    expect(refusalOf(f.rights.exportAccess(coordinator, 'RQ-ABCDEFGH')).code).toBe('HGW_RIGHTS_UNKNOWN_REQUEST');
  });

  it('refuses what it cannot read without repeating it: a bad number, a withheld word, an IP address for a chat, an unknown reference', () => {
    const f = open();
    f.call('0612345678');
    const attempts = [
      { kind: 'access', channel: 'phone', supplied: '06-1234-567-890-12345' },
      { kind: 'access', channel: 'phone', supplied: 'anoniem' },
      { kind: 'erasure', channel: 'chat', supplied: '192.0.2.7' },
      { kind: 'access', channel: 'mail', supplied: 'not an address' },
      { kind: 'access', channel: 'phone', supplied: 'ZZZ-ZZZ' },
    ] as const;
    const refusals = attempts.map((attempt) => refusalOf(f.rights.register(coordinator, attempt)));
    expect(refusals.map((refusal) => refusal.code)).toEqual([
      'HGW_RIGHTS_INVALID_IDENTIFIER',
      'HGW_RIGHTS_INVALID_IDENTIFIER',
      'HGW_RIGHTS_INVALID_IDENTIFIER',
      'HGW_RIGHTS_INVALID_IDENTIFIER',
      'HGW_RIGHTS_UNKNOWN_CONTACT',
    ]);
    for (const refusal of refusals) expect(refusal.message).not.toMatch(/1234|192\.0|ZZZ|anoniem/);
    expect(refusalOf(f.rights.register(coordinator, { kind: 'access', channel: 'phone', supplied: '0612345678', receivedAt: f.clock.now() + DAY })).code).toBe(
      'HGW_RIGHTS_BAD_REQUEST',
    );
    expect(f.requests.all()).toEqual([]);
    expect(f.auditTrail().every((entry) => entry.action === 'request.refused' && entry.target === null)).toBe(true);
    expect(JSON.stringify(f.auditTrail())).not.toMatch(/1234|192\.0/);
  });

  it('refuses a reference of another channel', () => {
    const f = open();
    f.chatContact('K7Q-3F9', '192.0.2.7');
    expect(refusalOf(f.rights.register(coordinator, { kind: 'access', channel: 'phone', supplied: 'K7Q-3F9' }))).toEqual({
      code: 'HGW_RIGHTS_UNKNOWN_CONTACT',
      message: 'that reference belongs to a chat contact, not a phone one',
    });
  });
});

describe('deadlines and the extension', () => {
  it('extends once, to three months from receipt, with a reason and a recorded notice, before the first deadline only', () => {
    const f = open('2026-01-31T12:00:00Z');
    f.call('0612345678');
    const request = f.registered('access', '0612345678');
    const receivedAt = f.clock.now();
    expect(new Date(request.dueAt).toISOString()).toBe('2026-02-28T23:00:00.000Z');
    f.clock.advance(10 * DAY);
    const extend = (reason: string, noticeSentAt: number) => f.rights.extend(coordinator, request.reference, { reason, noticeSentAt });
    expect(refusalOf(extend('busy', f.clock.now())).code).toBe('HGW_RIGHTS_EXTENSION_REFUSED');
    expect(refusalOf(extend('The person calling from 0612345678 asked twice already', f.clock.now())).message).toMatch(/shaped like a phone number/);
    expect(refusalOf(extend(REASON, f.clock.now() + 1)).message).toMatch(/noticeSentAt/);
    expect(refusalOf(extend(REASON, receivedAt - 1)).message).toMatch(/noticeSentAt/);
    expect(refusalOf(extend(REASON, Number.NaN)).message).toMatch(/noticeSentAt/);

    const extended = valueOf(extend(`  ${REASON}  `, f.clock.now() - DAY));
    expect(extended).toMatchObject({
      status: 'extended',
      dueAt: extendedDueAt(receivedAt, AMSTERDAM),
      extension: { reason: REASON, noticeSentAt: f.clock.now() - DAY, extendedBy: 'anna', extendedAt: f.clock.now() },
    });
    expect(new Date(extended.dueAt).toISOString()).toBe('2026-04-30T22:00:00.000Z');
    expect(refusalOf(extend(REASON, f.clock.now())).message).toMatch(/once/);
    const entry = f.auditTrail().find((candidate) => candidate.action === 'request.extended');
    expect(entry?.details).toEqual({ request: request.reference, kind: 'access', dueDate: '2026-04-30', reasonLength: REASON.length });
    expect(JSON.stringify(f.auditTrail())).not.toContain('newspaper');
  });

  it('refuses an extension once the first deadline has passed', () => {
    const f = open('2026-01-31T12:00:00Z');
    const request = f.registered('erasure', '0612345678');
    f.clock.set(request.dueAt);
    expect(refusalOf(f.rights.extend(coordinator, request.reference, { reason: REASON, noticeSentAt: f.clock.now() })).message).toMatch(/deadline has passed/);
    expect(valueOf(f.rights.list(coordinator))[0]).toMatchObject({ status: 'received', alert: 'overdue' });
  });

  it('alerts nearly-due and overdue requests soonest first, and drops them once answered', () => {
    const f = open('2026-03-01T09:00:00Z');
    const early = f.registered('access', '0612345678');
    f.clock.set(new Date('2026-03-10T09:00:00Z'));
    const late = f.registered('objection', '0612345678');
    const extended = f.registered('erasure', '0612345678');
    valueOf(f.rights.extend(coordinator, extended.reference, { reason: REASON, noticeSentAt: f.clock.now() }));
    expect(f.rights.alerts()).toEqual([]);

    f.clock.set(new Date('2026-03-27T09:00:00Z')); // early is due when 1 April ends: 6 days left
    expect(f.rights.alerts().map((view) => [view.reference, view.alert])).toEqual([[early.reference, 'nearly-due']]);
    f.clock.set(new Date('2026-04-05T09:00:00Z'));
    expect(f.rights.alerts().map((view) => [view.reference, view.alert])).toEqual([
      [early.reference, 'overdue'],
      [late.reference, 'nearly-due'],
    ]);
    valueOf(f.rights.confirmIdentity(coordinator, early.reference));
    valueOf(f.rights.exportAccess(coordinator, early.reference));
    expect(f.rights.alerts().map((view) => view.reference)).toEqual([late.reference]);
    const listed = valueOf(f.rights.list(coordinator));
    expect(listed.map((view) => view.reference)).toEqual([late.reference, extended.reference, early.reference]);
    expect(listed.map((view) => view.alert)).toEqual(['nearly-due', null, null]);
  });
});

describe('the request reference', () => {
  it('is random and quotable, and is what the audit log names', () => {
    const f = open();
    const references = Array.from({ length: 40 }, () => f.registered('access', '0612345678').reference);
    expect(new Set(references).size).toBe(40);
    for (const reference of references) expect(reference).not.toMatch(/\d{4}/);
    expect(f.auditTrail()[0]?.target).toBe(`request:${references[0] as ContactReference}`);
  });
});
