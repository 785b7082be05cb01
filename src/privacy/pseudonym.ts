import { createHmac, createSecretKey, type KeyObject } from 'node:crypto';
import type { MonthEpoch } from '../time/month-epoch.js';
import type { Keyring } from './keyring.js';
import { canonicalText, type RawIdentifier } from './raw-identifier.js';
import { channelIdentifierKind, PSEUDONYM_BYTES, type Channel, type Pseudonym } from './types.js';

/** Separates the channel from the identifier in the HMAC input (ASCII unit separator). */
const UNIT_SEPARATOR = '\x1f';

/** A pseudonym with the link month whose key made it. */
export interface LinkedPseudonym {
  readonly epoch: MonthEpoch;
  readonly pseudonym: Pseudonym;
}

export interface Pseudonymizer {
  /** The pseudonym of `identifier` under the link key of `epoch`, creating that key if needed. */
  pseudonymize(identifier: RawIdentifier, channel: Channel, epoch: MonthEpoch): Pseudonym;
  /** Its pseudonyms under those of `epochs` whose link key still exists (a shredded month gives none). */
  lookupPseudonyms(identifier: RawIdentifier, channel: Channel, epochs: readonly MonthEpoch[]): Pseudonym[];
  /** The same, each with its month. */
  lookupLinked(identifier: RawIdentifier, channel: Channel, epochs: readonly MonthEpoch[]): LinkedPseudonym[];
}

function requireMatchingKind(identifier: RawIdentifier, channel: Channel): void {
  if (identifier.kind !== channelIdentifierKind[channel]) {
    throw new TypeError(`a ${identifier.kind} identifier does not belong to the ${channel} channel`);
  }
}

/**
 * A KeyObject per link key, made once: createHmac with raw key bytes builds one on every call.
 * Keyed by the key's buffer, which the keyring zeroes and drops when it shreds the month.
 */
const keyObjects = new WeakMap<Uint8Array, KeyObject>();

function keyObjectFor(key: Uint8Array): KeyObject {
  let keyObject = keyObjects.get(key);
  if (!keyObject) {
    keyObject = createSecretKey(key);
    keyObjects.set(key, keyObject);
  }
  return keyObject;
}

/** The HMAC input, made once per call and shared by the HMACs under every live key. */
function hmacInput(identifier: RawIdentifier, channel: Channel): Buffer {
  return Buffer.from(channel + UNIT_SEPARATOR + canonicalText(identifier), 'utf8');
}

function hmac(key: Uint8Array, input: Buffer): Pseudonym {
  const digest = createHmac('sha256', keyObjectFor(key)).update(input).digest();
  return new Uint8Array(digest.subarray(0, PSEUDONYM_BYTES)) as Pseudonym;
}

/**
 * HMAC-SHA-256(linkKey[month], channel ‖ 0x1f ‖ canonical identifier), first 16 bytes. The keyring keeps the
 * unwrapped link keys in memory, so a pseudonym costs one map lookup and one HMAC (a few µs); the
 * key is asked for on every call so a shredded month stops matching at once.
 */
export function createPseudonymizer(keyring: Keyring): Pseudonymizer {
  const lookupLinked = (identifier: RawIdentifier, channel: Channel, epochs: readonly MonthEpoch[]): LinkedPseudonym[] => {
    requireMatchingKind(identifier, channel);
    const input = hmacInput(identifier, channel);
    const linked: LinkedPseudonym[] = [];
    for (const epoch of epochs) {
      const key = keyring.linkKey(epoch);
      if (key) linked.push({ epoch, pseudonym: hmac(key, input) });
    }
    input.fill(0);
    return linked;
  };
  return {
    pseudonymize(identifier, channel, epoch) {
      requireMatchingKind(identifier, channel);
      const input = hmacInput(identifier, channel);
      const pseudonym = hmac(keyring.ensureLinkKey(epoch), input);
      input.fill(0);
      return pseudonym;
    },
    lookupPseudonyms: (identifier, channel, epochs) => lookupLinked(identifier, channel, epochs).map((linked) => linked.pseudonym),
    lookupLinked,
  };
}
