import nacl from 'tweetnacl';
import type { MonthEpoch } from '../time/month-epoch.js';
import type { Keyring } from './keyring.js';
import { RawIdentifier, canonicalText, type IdentifierKind } from './raw-identifier.js';
import type { IdentifierDataClass, SealedIdentifier, SealedText, TextDataClass } from './types.js';

const NONCE_BYTES = nacl.secretbox.nonceLength;

/** Which kind of identifier each data class seals. */
const dataClassKind: Readonly<Record<IdentifierDataClass, IdentifierKind>> = {
  'phone-number': 'phone',
  'chat-ip': 'ip',
  'mail-address': 'email',
};

export interface Vault {
  /** nonce ‖ secretbox(canonical identifier) under the vault key of (dataClass, epoch), created if needed. */
  seal(identifier: RawIdentifier, dataClass: IdentifierDataClass, epoch: MonthEpoch): SealedIdentifier;
  /** The identifier back; undefined when that month's key was shredded or the box does not authenticate. */
  unseal<K extends IdentifierKind>(sealed: SealedIdentifier, dataClass: IdentifierDataClass, epoch: MonthEpoch, kind: K): RawIdentifier<K> | undefined;
  /** A transcript line (or, with 'mail-content', a mail) under that class's vault key of `epoch`, created if needed. */
  sealText(text: string, epoch: MonthEpoch, dataClass?: TextDataClass): SealedText;
  /** The text back; undefined when that month's key was shredded or the box does not authenticate. */
  unsealText(sealed: SealedText, epoch: MonthEpoch, dataClass?: TextDataClass): string | undefined;
}

function sealBytes(plaintext: Uint8Array, key: Uint8Array): Uint8Array {
  const nonce = nacl.randomBytes(NONCE_BYTES);
  const box = nacl.secretbox(plaintext, nonce, key);
  const sealed = new Uint8Array(NONCE_BYTES + box.length);
  sealed.set(nonce);
  sealed.set(box, NONCE_BYTES);
  return sealed;
}

function openBytes(sealed: Uint8Array, key: Uint8Array | undefined): Uint8Array | undefined {
  if (!key || sealed.length < NONCE_BYTES + nacl.secretbox.overheadLength) return undefined;
  return nacl.secretbox.open(sealed.subarray(NONCE_BYTES), sealed.subarray(0, NONCE_BYTES), key) ?? undefined;
}

function requireMatchingKind(kind: IdentifierKind, dataClass: IdentifierDataClass): void {
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
      const plaintext = encoder.encode(canonicalText(identifier));
      const sealed = sealBytes(plaintext, keyring.ensureVaultKey(dataClass, epoch));
      plaintext.fill(0);
      return sealed as SealedIdentifier;
    },
    unseal(sealed, dataClass, epoch, kind) {
      requireMatchingKind(kind, dataClass);
      if (sealed.length < NONCE_BYTES + nacl.secretbox.overheadLength + 1) return undefined;
      const opened = openBytes(sealed, keyring.vaultKey(dataClass, epoch));
      if (!opened) return undefined;
      try {
        return RawIdentifier.fromCanonical(kind, decoder.decode(opened));
      } catch {
        return undefined;
      } finally {
        opened.fill(0);
      }
    },
    sealText(text, epoch, dataClass = 'chat-transcript') {
      const plaintext = encoder.encode(text);
      const sealed = sealBytes(plaintext, keyring.ensureVaultKey(dataClass, epoch));
      plaintext.fill(0);
      return sealed as SealedText;
    },
    unsealText(sealed, epoch, dataClass = 'chat-transcript') {
      const opened = openBytes(sealed, keyring.vaultKey(dataClass, epoch));
      if (!opened) return undefined;
      try {
        return decoder.decode(opened);
      } catch {
        return undefined;
      } finally {
        opened.fill(0);
      }
    },
  };
}
