import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ContactReference } from '../../src/contacts/contact-view.js';
import { silentLogger } from '../../src/log/index.js';
import type { Pseudonym } from '../../src/privacy/types.js';
import { ContactsRepository } from '../../src/store/contacts-repository.js';
import { ObjectionsRepository } from '../../src/store/objections-repository.js';
import { GatewayDatabase } from '../../src/store/open-database.js';
import { RightsRequestsRepository } from '../../src/store/rights-requests-repository.js';
import { asMonthEpoch } from '../../src/time/month-epoch.js';
import { insertedContact } from '../support/inserted-contact.js';
import { makeTempDirectory, type TempDirectory } from './fixtures/temp-directory.js';

const JANUARY = asMonthEpoch('2026-01');
const FEBRUARY = asMonthEpoch('2026-02');
const pseudonym = (): Pseudonym => new Uint8Array(randomBytes(16)) as Pseudonym;

let temp: TempDirectory;
let db: GatewayDatabase;
let requests: RightsRequestsRepository;

beforeEach(() => {
  temp = makeTempDirectory();
  db = GatewayDatabase.open({ path: temp.databasePath, logger: silentLogger() });
  requests = new RightsRequestsRepository(db);
});

afterEach(() => {
  db.close();
  temp.remove();
});

function newRequest(reference = 'RQ-ABCDEFGH'): number {
  const id = requests.insert({ reference, kind: 'access', channel: 'phone', receivedAt: 1_000, registeredBy: 'anna', dueAt: 2_000 });
  if (id === undefined) throw new Error('reference taken');
  return id;
}

describe('the rights requests repository', () => {
  it('refuses a taken reference without throwing, so the service draws another', () => {
    newRequest();
    expect(requests.insert({ reference: 'RQ-ABCDEFGH', kind: 'erasure', channel: 'chat', receivedAt: 1, registeredBy: 'bram', dueAt: 2 })).toBeUndefined();
  });

  it('takes each step once: a second confirmation, extension or answer changes nothing', () => {
    const id = newRequest();
    expect(requests.markIdentityChecked(id, 'anna', 1_100)).toBe(true);
    expect(requests.markIdentityChecked(id, 'bram', 1_200)).toBe(false);
    const extension = { extendedBy: 'anna', extendedAt: 1_300, reason: 'many requests this month at once', noticeAt: 1_250, dueAt: 9_000 };
    expect(requests.markExtended(id, extension)).toBe(true);
    expect(requests.markExtended(id, { ...extension, dueAt: 99_000 })).toBe(false);
    expect(requests.markAnswered(id, 'anna', 1_400, '{}')).toBe(true);
    expect(requests.markAnswered(id, 'bram', 1_500, '{}')).toBe(false);
    expect(requests.findById(id)).toMatchObject({ identityCheckedBy: 'anna', dueAt: 9_000, answeredBy: 'anna', answeredAt: 1_400, extensionNoticeAt: 1_250 });
  });

  it('forgets a shredded month: pseudonym-only rows go, a row naming a contact keeps the contact', () => {
    const contacts = new ContactsRepository(db);
    const contactId = insertedContact(contacts, {
      reference: 'K7Q-3F9' as ContactReference,
      channel: 'phone',
      presentation: 'number',
      linkEpoch: JANUARY,
      pseudonym: pseudonym(),
      sealedEpoch: null,
      sealedIdentifier: null,
      openedAt: 1_000,
    });
    const id = newRequest();
    requests.insertLinks(id, [
      { epoch: JANUARY, pseudonym: pseudonym(), contactId: null, matchesPseudonym: true },
      { epoch: FEBRUARY, pseudonym: pseudonym(), contactId: null, matchesPseudonym: true },
      { epoch: JANUARY, pseudonym: pseudonym(), contactId, matchesPseudonym: false },
    ]);
    expect(requests.forgetLinkEpoch(JANUARY)).toBe(2);
    expect(requests.linksOf(id)).toEqual([
      { epoch: FEBRUARY, pseudonym: expect.any(Uint8Array), contactId: null, matchesPseudonym: true },
      { epoch: null, pseudonym: null, contactId, matchesPseudonym: false },
    ]);
    expect(requests.forgetLinkEpochsBefore(asMonthEpoch('2026-03'))).toBe(1);
    expect(requests.linkedPseudonymCount()).toBe(0);
  });

  it('erases a contact with its transcript lines and break-glass requests, leaving its registration unlinked', () => {
    const contacts = new ContactsRepository(db);
    const contactId = insertedContact(contacts, {
      reference: 'K7Q-3F9' as ContactReference,
      channel: 'chat',
      presentation: 'number',
      linkEpoch: null,
      pseudonym: null,
      sealedEpoch: null,
      sealedIdentifier: null,
      openedAt: 1_000,
    });
    db.run("INSERT INTO transcript_lines (contact_id, author, written_at, sealed_epoch, sealed_text) VALUES (?, 'caller', 1, '2026-01', x'00')", [contactId]);
    db.run("INSERT INTO registrations (contact_id, channel, occurred_at, age_band, topic, outcome, registered_at) VALUES (?, 'chat', 1, 'a', 'b', 'c', 2)", [contactId]);
    db.run("INSERT INTO disclosure_requests (contact_id, requested_by, reason, requested_at) VALUES (?, 'anna', 'reason', 1)", [contactId]);
    expect(requests.eraseContact(contactId)).toEqual({ contacts: 1, transcriptLines: 1, mails: 0, disclosureRequests: 1, anonymousRegistrations: 1 });
    expect(contacts.count()).toBe(0);
    expect(db.get('SELECT count(*) AS n FROM transcript_lines')).toEqual({ n: 0 });
    expect(db.get('SELECT contact_id FROM registrations')).toEqual({ contact_id: null });
    expect(requests.eraseContact(contactId)).toEqual({ contacts: 0, transcriptLines: 0, mails: 0, disclosureRequests: 0, anonymousRegistrations: 0 });
  });
});

describe('the objections repository', () => {
  it('keeps one row per month and pseudonym, and forgets shredded months', () => {
    const objections = new ObjectionsRepository(db);
    const id = newRequest();
    const caller = pseudonym();
    expect(objections.insert({ epoch: JANUARY, pseudonym: caller, requestId: id, recordedAt: 1 })).toBe(true);
    expect(objections.insert({ epoch: JANUARY, pseudonym: caller, requestId: id, recordedAt: 2 })).toBe(false);
    expect(objections.insert({ epoch: FEBRUARY, pseudonym: caller, requestId: id, recordedAt: 3 })).toBe(true);
    expect(objections.forgetLinkEpoch(JANUARY)).toBe(1);
    expect(objections.all()).toEqual([{ epoch: FEBRUARY, pseudonym: caller, requestId: id, recordedAt: 3 }]);
    expect(objections.forgetLinkEpochsBefore(asMonthEpoch('2026-03'))).toBe(1);
    expect(objections.count()).toBe(0);
  });
});
