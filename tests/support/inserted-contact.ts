import type { ContactsRepository, NewContactRow } from '../../src/store/contacts-repository.js';

/** Inserts a contact whose reference the test knows is free, and returns its id. */
export function insertedContact(contacts: ContactsRepository, row: NewContactRow): number {
  const id = contacts.insert(row);
  if (id === undefined) throw new Error(`reference ${row.reference} was taken`);
  return id;
}
