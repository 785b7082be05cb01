export type { SiteCountry, PhoneNormalization } from './normalize.js';
export { normalizePhoneNumber, normalizeIpAddress, normalizeEmailAddress } from './normalize.js';
export type { IdentifierKind, RawPhoneNumber, RawIpAddress, RawEmailAddress } from './raw-identifier.js';
export { RawIdentifier, canonicalText } from './raw-identifier.js';
export type { Pseudonym, SealedIdentifier, SealedText, DataClass, IdentifierDataClass, Channel } from './types.js';
export { channelIdentifierKind } from './types.js';
export type {
  KeyringOptions,
  KeyringStatus,
  KeyringPathStatus,
  KeySetStatus,
  KeyEpochStatus,
  ShreddedEpochStatus,
  KeyringEvent,
} from './keyring.js';
export { Keyring } from './keyring.js';
export type { Pseudonymizer } from './pseudonym.js';
export { createPseudonymizer } from './pseudonym.js';
export type { Vault } from './vault.js';
export { createVault } from './vault.js';
