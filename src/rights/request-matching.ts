import { isContactReference } from '../contacts/contact-reference.js';
import type { ContactReference } from '../contacts/contact-view.js';
import type { GatewayErrorCode } from '../errors.js';
import type { Keyring } from '../privacy/keyring.js';
import { normalizeEmailAddress, normalizePhoneNumber, type SiteCountry } from '../privacy/normalize.js';
import type { LinkedPseudonym, Pseudonymizer } from '../privacy/pseudonym.js';
import type { RawIdentifier } from '../privacy/raw-identifier.js';
import { channelIdentifierKind, type Channel, type IdentifierDataClass } from '../privacy/types.js';
import type { Vault } from '../privacy/vault.js';
import type { ContactRow, ContactsRepository } from '../store/contacts-repository.js';
import type { RightsRequestLink } from '../store/rights-requests-repository.js';

export interface RequestMatchingOptions {
  readonly contacts: ContactsRepository;
  readonly pseudonymizer: Pseudonymizer;
  readonly vault: Vault;
  /** Only `linkEpochs()` is read: the months whose link keys still exist. */
  readonly keyring: Pick<Keyring, 'linkEpochs'>;
  readonly country: SiteCountry;
}

export type SuppliedResolution =
  | { readonly ok: true; readonly links: RightsRequestLink[] }
  | { readonly ok: false; readonly code: GatewayErrorCode; readonly message: string };

export const identifierDataClass: Readonly<Record<Channel, IdentifierDataClass>> = {
  phone: 'phone-number',
  chat: 'chat-ip',
  mail: 'mail-address',
};

/**
 * Turns what the person supplied into the rows a request keeps: pseudonyms under every live link
 * key, and the contact a kept reference names. The supplied text and its identifier are dropped
 * when this returns; messages never repeat them.
 */
export function resolveSupplied(supplied: string, channel: Channel, options: RequestMatchingOptions): SuppliedResolution {
  const text = typeof supplied === 'string' ? supplied.trim() : '';
  const reference = text.toUpperCase();
  if (isContactReference(reference)) return resolveReference(reference, channel, options);
  switch (channel) {
    case 'phone': {
      const normalized = normalizePhoneNumber(text, options.country);
      if (normalized.kind !== 'number') return invalid('the supplied text is neither a phone number (national or international) nor a contact reference such as K7Q-3F9');
      return { ok: true, links: linksOfIdentifier(normalized.number, channel, options) };
    }
    case 'mail': {
      const address = normalizeEmailAddress(text);
      if (!address) return invalid('the supplied text is neither an e-mail address nor a contact reference such as K7Q-3F9');
      return { ok: true, links: linksOfIdentifier(address, channel, options) };
    }
    case 'chat':
      return invalid('a chat request needs the contact reference the person kept (such as K7Q-3F9): an IP address is shared by many people and identifies none of them');
  }
}

/** The stored contacts a request's rows find today, oldest first, each once. */
export function matchedContacts(links: readonly RightsRequestLink[], contacts: ContactsRepository): ContactRow[] {
  const linked: LinkedPseudonym[] = [];
  for (const link of links) if (link.matchesPseudonym && link.epoch !== null && link.pseudonym !== null) linked.push({ epoch: link.epoch, pseudonym: link.pseudonym });
  const found = new Map<number, ContactRow>();
  for (const row of contacts.findByLinkedPseudonyms(linked)) found.set(row.id, row);
  for (const link of links) {
    if (link.contactId === null || found.has(link.contactId)) continue;
    const row = contacts.findById(link.contactId);
    if (row) found.set(row.id, row);
  }
  return [...found.values()].sort((a, b) => a.openedAt - b.openedAt || a.id - b.id);
}

/** The request's (month, pseudonym) pairs, for recording an objection. */
export function linkedPseudonymsOf(links: readonly RightsRequestLink[]): LinkedPseudonym[] {
  const linked: LinkedPseudonym[] = [];
  for (const link of links) if (link.epoch !== null && link.pseudonym !== null) linked.push({ epoch: link.epoch, pseudonym: link.pseudonym });
  return linked;
}

/** The contact's identifier while its sealed copy still opens; undefined after that. */
export function unsealedIdentifier(contact: ContactRow, vault: Vault): RawIdentifier | undefined {
  if (contact.sealedIdentifier === null || contact.sealedEpoch === null) return undefined;
  return vault.unseal(contact.sealedIdentifier, identifierDataClass[contact.channel], contact.sealedEpoch, channelIdentifierKind[contact.channel]);
}

/**
 * A kept reference finds its contact, and through it the person's other contacts: under every live
 * key while the contact's sealed copy still opens, else under the contact's own month. A chat's IP
 * address may be shared by a whole school or a carrier's NAT, so a chat reference matches that one
 * contact only; its pseudonym is kept for an objection.
 */
function resolveReference(reference: ContactReference, channel: Channel, options: RequestMatchingOptions): SuppliedResolution {
  const contact = options.contacts.findByReference(reference);
  if (!contact) return { ok: false, code: 'HGW_RIGHTS_UNKNOWN_CONTACT', message: 'no contact with that reference; check it with the person' };
  if (contact.channel !== channel) {
    return { ok: false, code: 'HGW_RIGHTS_UNKNOWN_CONTACT', message: `that reference belongs to a ${contact.channel} contact, not a ${channel} one` };
  }
  const matchesPseudonym = contact.channel !== 'chat';
  const identifier = matchesPseudonym ? unsealedIdentifier(contact, options.vault) : undefined;
  const links: RightsRequestLink[] = identifier ? linksOfIdentifier(identifier, contact.channel, options) : [];
  const ownListed = links.some((link) => link.epoch === contact.linkEpoch);
  if (!ownListed && contact.linkEpoch !== null && contact.pseudonym !== null) {
    links.push({ epoch: contact.linkEpoch, pseudonym: contact.pseudonym, contactId: null, matchesPseudonym });
  }
  links.push({ epoch: null, pseudonym: null, contactId: contact.id, matchesPseudonym });
  return { ok: true, links };
}

function linksOfIdentifier(identifier: RawIdentifier, channel: Channel, options: RequestMatchingOptions): RightsRequestLink[] {
  return options.pseudonymizer
    .lookupLinked(identifier, channel, options.keyring.linkEpochs())
    .map(({ epoch, pseudonym }) => ({ epoch, pseudonym, contactId: null, matchesPseudonym: true }));
}

function invalid(message: string): SuppliedResolution {
  return { ok: false, code: 'HGW_RIGHTS_INVALID_IDENTIFIER', message };
}
