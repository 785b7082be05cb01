import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ContactReference } from '../../src/contacts/contact-view.js';
import { silentLogger } from '../../src/log/index.js';
import type { Pseudonym, SealedIdentifier } from '../../src/privacy/types.js';
import { ContactsRepository, type NewContactRow } from '../../src/store/contacts-repository.js';
import { GatewayDatabase } from '../../src/store/open-database.js';
import { asMonthEpoch } from '../../src/time/index.js';
import { makeTempDirectory, type TempDirectory } from './fixtures/temp-directory.js';
import { insertedContact } from '../support/inserted-contact.js';

let temp: TempDirectory;
let db: GatewayDatabase;
let contacts: ContactsRepository;
let referenceCounter = 0;

const january = asMonthEpoch('2025-01');
const february = asMonthEpoch('2025-02');
const pseudonym = (): Pseudonym => new Uint8Array(randomBytes(16)) as Pseudonym;
const sealed = (): SealedIdentifier => new Uint8Array(randomBytes(24 + 16 + 12)) as SealedIdentifier;

function newContact(overrides: Partial<NewContactRow> = {}): NewContactRow {
  referenceCounter += 1;
  return {
    reference: `ref-${referenceCounter}` as ContactReference,
    channel: 'phone',
    presentation: 'number',
    linkEpoch: january,
    pseudonym: pseudonym(),
    sealedEpoch: january,
    sealedIdentifier: sealed(),
    openedAt: 1_736_000_000_000 + referenceCounter,
    ...overrides,
  };
}

function inserted(row: NewContactRow): number {
  return insertedContact(contacts, row);
}

beforeEach(() => {
  temp = makeTempDirectory();
  db = GatewayDatabase.open({ path: temp.databasePath, logger: silentLogger() });
  contacts = new ContactsRepository(db);
});

afterEach(() => {
  db.close();
  temp.remove();
});

describe('ContactsRepository', () => {
  it('stores a contact and finds it by reference, with blobs back as Uint8Array', () => {
    const row = newContact();
    const id = inserted(row);
    const found = contacts.findByReference(row.reference);
    expect(found).toEqual({ ...row, id, priorContacts: 0, endedAt: null, state: 'offered' });
    expect(contacts.findById(id)).toEqual(found);
    expect(found?.pseudonym).toBeInstanceOf(Uint8Array);
    expect(found?.sealedIdentifier).toBeInstanceOf(Uint8Array);
  });

  it('stores a withheld caller without pseudonym or sealed copy', () => {
    const row = newContact({ presentation: 'withheld', linkEpoch: null, pseudonym: null, sealedEpoch: null, sealedIdentifier: null });
    contacts.insert(row);
    expect(contacts.findByReference(row.reference)).toMatchObject({ presentation: 'withheld', pseudonym: null, sealedIdentifier: null });
  });

  it('returns undefined for an unknown reference or id', () => {
    expect(contacts.findByReference('nope' as ContactReference)).toBeUndefined();
    expect(contacts.findById(424_242)).toBeUndefined();
  });

  it('keeps the prior-contact count the contact arrived with', () => {
    const id = inserted(newContact({ priorContacts: 3, state: 'live' }));
    expect(contacts.findById(id)).toMatchObject({ priorContacts: 3, state: 'live' });
  });

  it('refuses a pseudonym or sealed copy without its month, which the shredder could never find', () => {
    expect(() => contacts.insert(newContact({ linkEpoch: null }))).toThrow(/link epoch/);
    expect(() => contacts.insert(newContact({ sealedEpoch: null }))).toThrow(/sealed epoch/);
    expect(contacts.count()).toBe(0);
  });

  it('refuses a reused reference (answering undefined) and a pseudonym that is not 32 bytes', () => {
    const row = newContact();
    contacts.insert(row);
    expect(contacts.insert(newContact({ reference: row.reference }))).toBeUndefined();
    expect(contacts.count()).toBe(1);
    expect(() => contacts.insert(newContact({ pseudonym: new Uint8Array(32) as Pseudonym }))).toThrow(/CHECK/);
  });

  it('inserts normally right after an insert that broke a constraint', () => {
    contacts.insert(newContact());
    expect(() => contacts.insert(newContact({ pseudonym: new Uint8Array(32) as Pseudonym }))).toThrow(/CHECK/);
    expect(() => contacts.insert(newContact())).not.toThrow();
    expect(contacts.count()).toBe(2);
  });

  it('finds the contacts under a (month, pseudonym) pair only in that month', () => {
    const underJanuaryKey = pseudonym();
    const underFebruaryKey = pseudonym();
    const first = inserted(newContact({ pseudonym: underJanuaryKey }));
    const second = inserted(newContact({ pseudonym: underJanuaryKey }));
    const february_ = inserted(newContact({ pseudonym: underFebruaryKey, linkEpoch: february }));
    contacts.insert(newContact({ pseudonym: pseudonym() }));
    contacts.insert(newContact({ presentation: 'withheld', linkEpoch: null, pseudonym: null }));
    const found = contacts.findByLinkedPseudonyms([
      { epoch: january, pseudonym: underJanuaryKey },
      { epoch: february, pseudonym: underFebruaryKey },
    ]);
    expect(found.map((row) => row.id)).toEqual([first, second, february_]);
    expect(contacts.findByLinkedPseudonyms([{ epoch: february, pseudonym: underJanuaryKey }])).toEqual([]);
    expect(contacts.findByLinkedPseudonyms([])).toEqual([]);
  });

  it('has no pseudonym index left to rewrite when a month is unlinked', () => {
    const indexes = db.all<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'contacts'");
    expect(indexes.map((index) => index.name).filter((name) => !name.startsWith('sqlite_autoindex'))).toEqual([]);
  });

  it('moves a contact through live, ended and registered, once each', () => {
    const id = inserted(newContact());
    expect(contacts.markLive(id)).toBe(true);
    expect(contacts.markLive(id)).toBe(false);
    expect(contacts.markEnded(id, 1_736_000_100_000)).toBe(true);
    expect(contacts.markEnded(id, 1_736_000_200_000)).toBe(false);
    expect(contacts.markRegistered(id)).toBe(true);
    expect(contacts.markRegistered(id)).toBe(false);
    expect(contacts.findByReference(`ref-${referenceCounter}` as ContactReference)).toMatchObject({ state: 'registered', endedAt: 1_736_000_100_000 });
    expect(contacts.markEnded(999_999, 1)).toBe(false);
  });

  it('lists open contacts since a moment: offered, live and ended, not registered, oldest first', () => {
    const before = inserted(newContact({ openedAt: 1_000 }));
    const offered = inserted(newContact({ openedAt: 3_000 }));
    const live = inserted(newContact({ openedAt: 2_000, state: 'live' }));
    const ended = inserted(newContact({ openedAt: 4_000 }));
    const registered = inserted(newContact({ openedAt: 5_000 }));
    contacts.markEnded(ended, 4_500);
    contacts.markRegistered(registered);
    expect(contacts.openContacts(2_000).map((row) => row.id)).toEqual([live, offered, ended]);
    expect(contacts.openContacts(0).map((row) => row.id)).toContain(before);
  });

  it('forgets the pseudonyms of one link month only, and the count no longer finds them', () => {
    const caller = pseudonym();
    contacts.insert(newContact({ pseudonym: caller }));
    contacts.insert(newContact({ pseudonym: caller }));
    const kept = inserted(newContact({ linkEpoch: february }));
    expect(contacts.forgetLinkEpoch(january)).toBe(2);
    expect(contacts.forgetLinkEpoch(january)).toBe(0);
    expect(contacts.findByLinkedPseudonyms([{ epoch: january, pseudonym: caller }])).toEqual([]);
    expect(db.get<{ n: number }>('SELECT count(*) AS n FROM contacts WHERE pseudonym IS NOT NULL')?.n).toBe(1);
    expect(db.get<{ id: number }>('SELECT id FROM contacts WHERE pseudonym IS NOT NULL')?.id).toBe(kept);
  });

  it('forgets the sealed copies of one month only, keeping the rows', () => {
    contacts.insert(newContact());
    contacts.insert(newContact({ sealedEpoch: february }));
    expect(contacts.forgetSealedEpoch(january)).toBe(1);
    expect(contacts.count()).toBe(2);
    const remaining = db.all<{ sealed_epoch: string }>('SELECT sealed_epoch FROM contacts WHERE sealed_identifier IS NOT NULL');
    expect(remaining).toEqual([{ sealed_epoch: february }]);
  });

  it('forgets every link month before a month, for a sweeper catching up', () => {
    const december = asMonthEpoch('2024-12');
    contacts.insert(newContact({ linkEpoch: december }));
    contacts.insert(newContact({ linkEpoch: january }));
    const kept = inserted(newContact({ linkEpoch: february }));
    expect(contacts.forgetLinkEpochsBefore(february)).toBe(2);
    expect(db.all<{ id: number }>('SELECT id FROM contacts WHERE pseudonym IS NOT NULL')).toEqual([{ id: kept }]);
  });

  it('forgets sealed copies before a month, of one channel when asked', () => {
    const phone = inserted(newContact({ channel: 'phone' }));
    const chat = inserted(newContact({ channel: 'chat' }));
    const recent = inserted(newContact({ channel: 'phone', sealedEpoch: february }));
    expect(contacts.forgetSealedEpochsBefore(february, 'chat')).toBe(1);
    expect(contacts.findById(chat)?.sealedIdentifier).toBeNull();
    expect(contacts.findById(phone)?.sealedIdentifier).not.toBeNull();
    expect(contacts.forgetSealedEpochsBefore(february)).toBe(1);
    expect(contacts.findById(phone)?.sealedIdentifier).toBeNull();
    expect(contacts.findById(recent)?.sealedIdentifier).not.toBeNull();
  });

  it('rolls back a contact inserted in a transaction that fails', () => {
    expect(() =>
      db.transaction(() => {
        contacts.insert(newContact());
        throw new Error('routing failed');
      }),
    ).toThrow('routing failed');
    expect(contacts.count()).toBe(0);
  });
});
