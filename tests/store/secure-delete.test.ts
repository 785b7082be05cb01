import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ContactReference } from '../../src/contacts/contact-view.js';
import { silentLogger } from '../../src/log/index.js';
import type { Pseudonym, SealedIdentifier } from '../../src/privacy/types.js';
import { ContactsRepository } from '../../src/store/contacts-repository.js';
import { GatewayDatabase } from '../../src/store/open-database.js';
import { asMonthEpoch } from '../../src/time/index.js';
import { databaseFileBytes, makeTempDirectory, type TempDirectory } from './fixtures/temp-directory.js';
import { insertedContact } from '../support/inserted-contact.js';

let temp: TempDirectory;
const epoch = asMonthEpoch('2025-01');

/**
 * Where any 16-byte piece of `needle` occurs in the database file, its -wal or its -journal; a
 * partly overwritten value still counts.
 */
function sightings(databasePath: string, needle: Uint8Array): string[] {
  const found: string[] = [];
  for (const [name, bytes] of databaseFileBytes(databasePath)) {
    for (let offset = 0; offset + 16 <= needle.length; offset += 16) {
      if (bytes.indexOf(needle.subarray(offset, offset + 16)) !== -1) found.push(`${name} @${offset}`);
    }
  }
  return found;
}

function distinctive(length: number): Uint8Array {
  return new Uint8Array(randomBytes(length));
}

function addContact(contacts: ContactsRepository, sealedIdentifier: Uint8Array, pseudonym = distinctive(16)): number {
  return insertedContact(contacts, {
    reference: `ref-${Buffer.from(randomBytes(8)).toString('hex')}` as ContactReference,
    channel: 'phone',
    presentation: 'number',
    linkEpoch: epoch,
    pseudonym: pseudonym as Pseudonym,
    sealedEpoch: epoch,
    sealedIdentifier: sealedIdentifier as SealedIdentifier,
    openedAt: 1_736_000_000_000,
  });
}

beforeEach(() => {
  temp = makeTempDirectory();
});

afterEach(() => temp.remove());

describe.each(['WAL', 'TRUNCATE'] as const)('secure delete in %s mode', (journalMode) => {
  let db: GatewayDatabase;
  let contacts: ContactsRepository;

  beforeEach(() => {
    db = GatewayDatabase.open({ path: temp.databasePath, logger: silentLogger(), journalMode });
    contacts = new ContactsRepository(db);
    // Neighbours on the same pages, so deleting one row does not free its whole page.
    for (let i = 0; i < 20; i += 1) addContact(contacts, distinctive(64));
  });

  afterEach(() => db.close());

  it('finds a stored value in the files (the scan works)', () => {
    const sealed = distinctive(64);
    addContact(contacts, sealed);
    db.checkpoint();
    expect(sightings(temp.databasePath, sealed).length).toBeGreaterThan(0);
  });

  it.each([64, 9000])('leaves no trace of a deleted %i-byte value in the file, -wal or -journal', (length) => {
    const sealed = distinctive(length);
    const id = addContact(contacts, sealed);
    db.checkpoint();
    db.run('DELETE FROM contacts WHERE id = ?', [id]);
    db.checkpoint();
    expect(sightings(temp.databasePath, sealed)).toEqual([]);
    db.close();
    expect(sightings(temp.databasePath, sealed)).toEqual([]);
  });

  it.each([64, 9000])('leaves no trace of a %i-byte sealed copy after its month is forgotten', (length) => {
    const sealed = distinctive(length);
    addContact(contacts, sealed);
    db.checkpoint();
    db.transaction(() => contacts.forgetSealedEpoch(epoch));
    db.checkpoint();
    expect(sightings(temp.databasePath, sealed)).toEqual([]);
  });

  it('leaves no trace of a pseudonym after its link month is forgotten', () => {
    const pseudonym = distinctive(16);
    addContact(contacts, distinctive(64), pseudonym);
    db.checkpoint();
    contacts.forgetLinkEpoch(epoch);
    db.checkpoint();
    expect(sightings(temp.databasePath, pseudonym)).toEqual([]);
  });
});

describe('the WAL checkpoint after a deletion', () => {
  it('is needed: until it runs the deleted value is still in the -wal file', () => {
    const db = GatewayDatabase.open({ path: temp.databasePath, logger: silentLogger(), journalMode: 'WAL' });
    try {
      const contacts = new ContactsRepository(db);
      const sealed = distinctive(64);
      const id = addContact(contacts, sealed);
      db.run('DELETE FROM contacts WHERE id = ?', [id]);
      expect(sightings(temp.databasePath, sealed).some((where) => where.startsWith('gateway.db-wal'))).toBe(true);
      db.checkpoint();
      expect(sightings(temp.databasePath, sealed)).toEqual([]);
    } finally {
      db.close();
    }
  });
});
