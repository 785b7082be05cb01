import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ContactReference } from '../../src/contacts/contact-view.js';
import { silentLogger } from '../../src/log/index.js';
import { ContactsRepository } from '../../src/store/contacts-repository.js';
import { GatewayDatabase } from '../../src/store/open-database.js';
import { RegistrationsRepository, type NewRegistrationRow } from '../../src/store/registrations-repository.js';
import { makeTempDirectory, type TempDirectory } from './fixtures/temp-directory.js';
import { insertedContact } from '../support/inserted-contact.js';

let temp: TempDirectory;
let db: GatewayDatabase;
let contacts: ContactsRepository;
let registrations: RegistrationsRepository;

function addContact(reference: string): number {
  return insertedContact(contacts, {
    reference: reference as ContactReference,
    channel: 'chat',
    presentation: 'unknown',
    linkEpoch: null,
    pseudonym: null,
    sealedEpoch: null,
    sealedIdentifier: null,
    openedAt: 1_736_000_000_000,
  });
}

function registrationFor(contactId: number): NewRegistrationRow {
  return { contactId, channel: 'chat', occurredAt: 1_736_000_000_000, ageBand: '12-14', topic: 'school', outcome: 'advice', registeredAt: 1_736_000_900_000 };
}

beforeEach(() => {
  temp = makeTempDirectory();
  db = GatewayDatabase.open({ path: temp.databasePath, logger: silentLogger() });
  contacts = new ContactsRepository(db);
  registrations = new RegistrationsRepository(db);
});

afterEach(() => {
  db.close();
  temp.remove();
});

describe('RegistrationsRepository', () => {
  it('stores a registration and finds it by contact', () => {
    const contactId = addContact('r-1');
    const id = registrations.insert(registrationFor(contactId));
    expect(registrations.forContact(contactId)).toEqual({ id, ...registrationFor(contactId) });
    expect(registrations.forContact(contactId + 1)).toBeUndefined();
    expect(registrations.count()).toBe(1);
  });

  it('refuses a second registration of the same contact', () => {
    const contactId = addContact('r-1');
    registrations.insert(registrationFor(contactId));
    expect(() => registrations.insert(registrationFor(contactId))).toThrow(/UNIQUE/);
  });

  it('refuses a registration for a contact that does not exist (foreign keys are on)', () => {
    expect(() => registrations.insert(registrationFor(424_242))).toThrow(/FOREIGN KEY/);
  });

  it('keeps the registration, without its contact, when the contact row is deleted', () => {
    const contactId = addContact('r-1');
    const id = registrations.insert(registrationFor(contactId));
    db.run('DELETE FROM contacts WHERE id = ?', [contactId]);
    expect(registrations.count()).toBe(1);
    expect(db.get('SELECT contact_id FROM registrations WHERE id = ?', [id])).toEqual({ contact_id: null });
  });

  it('registers and marks the contact in one transaction, or neither', () => {
    const contactId = addContact('r-1');
    contacts.markEnded(contactId, 1_736_000_500_000);
    expect(() =>
      db.transaction(() => {
        contacts.markRegistered(contactId);
        registrations.insert(registrationFor(999_999));
      }),
    ).toThrow(/FOREIGN KEY/);
    expect(contacts.findByReference('r-1' as ContactReference)?.state).toBe('ended');
    expect(registrations.count()).toBe(0);
  });
});
