import nacl from 'tweetnacl';
import type { MonthEpoch } from '../time/month-epoch.js';
import type { Keyring } from './keyring.js';
import { RawIdentifier, canonicalText, type IdentifierKind } from './raw-identifier.js';
import type { DataClass, SealedIdentifier } from './types.js';

const NONCE_BYTES = nacl.secretbox.nonceLength;

/** Which kind of identifier each data class seals. */
const dataClassKind: Readonly<Record<DataClass, IdentifierKind>> = {
  'phone-number': 'phone',
  'chat-ip': 'ip',
  'mail-address': 'email',
};

export interface Vault {
  /** nonce ‖ secretbox(canonical identifier) under the vault key of (dataClass, epoch), created if needed. */
  seal(identifier: RawIdentifier, dataClass: DataClass, epoch: MonthEpoch): SealedIdentifier;
  /** The identifier back; undefined when that month's key was shredded or the box does not authenticate. */
  unseal<K extends IdentifierKind>(sealed: SealedIdentifier, dataClass: DataClass, epoch: MonthEpoch, kind: K): RawIdentifier<K> | undefined;
}

function requireMatchingKind(kind: IdentifierKind, dataClass: DataClass): void {
  if (dataClassKind[dataClass] !== kind) {
    throw new TypeError(`a ${kind} identifier does not belong to data class ${dataClass}`);
  }
}

export function createVault(keyring: Keyring): Vault {
  const encoder = new TextEncoder();
  const decoder = new TextDecoder('utf-8', { fatal: true });
  return {
    seal(identifier, dataClass, epoch) {
      requireMatchingKind(identifier.kind, dataClass);
      const key = keyring.ensureVaultKey(dataClass, epoch);
      const nonce = nacl.randomBytes(NONCE_BYTES);
      const plaintext = encoder.encode(canonicalText(identifier));
      const box = nacl.secretbox(plaintext, nonce, key);
      plaintext.fill(0);
      const sealed = new Uint8Array(NONCE_BYTES + box.length);
      sealed.set(nonce);
      sealed.set(box, NONCE_BYTES);
      return sealed as SealedIdentifier;
    },
    unseal(sealed, dataClass, epoch, kind) {
      requireMatchingKind(kind, dataClass);
      const key = keyring.vaultKey(dataClass, epoch);
      if (!key || sealed.length < NONCE_BYTES + nacl.secretbox.overheadLength + 1) return undefined;
      const opened = nacl.secretbox.open(sealed.subarray(NONCE_BYTES), sealed.subarray(0, NONCE_BYTES), key);
      if (!opened) return undefined;
      try {
        return RawIdentifier.fromCanonical(kind, decoder.decode(opened));
      } catch {
        return undefined;
      } finally {
        opened.fill(0);
      }
    },
  };
}
