import { createHmac, randomBytes, randomInt } from 'node:crypto';

/** Where an export's key and row order come from: the system's CSPRNG, or a test's stand-in. */
export interface RandomSource {
  bytes(length: number): Uint8Array;
  /** A uniform integer in [0, limit). */
  below(limit: number): number;
}

export const cryptoRandom: RandomSource = {
  bytes: (length) => new Uint8Array(randomBytes(length)),
  below: (limit) => randomInt(limit),
};

const KEY_BYTES = 32;
/** 80 bits: two ids of one export collide with odds below 1 in 10^12 at a million records; a collision is redrawn anyway. */
const ID_BYTES = 10;
/** Sixteen consonants, four bits each: no digits (an id never looks like part of a number) and no words. */
const ALPHABET = 'bcdfghjklmnpqrst';
const LABEL = 'helpline-gateway/research-record/1';

/**
 * Record ids for one export: HMAC-SHA-256 under a key drawn for this export alone, of the
 * registration's row id, truncated to 80 bits. The key is never stored and is zeroed by
 * `destroy()`, so ids of two exports cannot be matched with each other, with the row ids, or with
 * anything the box keeps (its pseudonyms use the keyring's link keys, which this never touches).
 */
export class RecordIdMinter {
  readonly #key: Uint8Array;
  #destroyed = false;

  constructor(random: RandomSource) {
    this.#key = random.bytes(KEY_BYTES);
    if (this.#key.length !== KEY_BYTES) throw new RangeError('the random source gave a key of the wrong length');
  }

  idFor(registrationId: number): string {
    if (this.#destroyed) throw new Error('this export key was destroyed');
    const input = Buffer.alloc(8);
    input.writeBigUInt64BE(BigInt(registrationId));
    const digest = createHmac('sha256', this.#key).update(LABEL).update(input).digest();
    let id = '';
    for (const byte of digest.subarray(0, ID_BYTES)) id += (ALPHABET[byte >> 4] ?? '') + (ALPHABET[byte & 15] ?? '');
    return id;
  }

  destroy(): void {
    this.#key.fill(0);
    this.#destroyed = true;
  }
}

/** Fisher–Yates with the given source: the written order says nothing about the stored order. */
export function shuffled<T>(items: readonly T[], random: RandomSource): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = random.below(i + 1);
    const held = copy[i] as T;
    copy[i] = copy[j] as T;
    copy[j] = held;
  }
  return copy;
}
