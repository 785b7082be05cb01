import { randomBytes } from 'node:crypto';

/** Where the noise gets its randomness: uniform, independent bits. */
export interface RandomBits {
  nextBit(): 0 | 1;
}

const BUFFER_BYTES = 4096;

/** Bits from the operating system's cryptographic generator (node:crypto), read in 4 KiB blocks. */
export class CryptoRandomBits implements RandomBits {
  #buffer = Buffer.alloc(0);
  #bit = 0;

  nextBit(): 0 | 1 {
    const byteIndex = this.#bit >>> 3;
    if (byteIndex >= this.#buffer.length) {
      this.#buffer = randomBytes(BUFFER_BYTES);
      this.#bit = 0;
      return this.nextBit();
    }
    const bit = ((this.#buffer[byteIndex] ?? 0) >>> (this.#bit & 7)) & 1;
    this.#bit += 1;
    return bit === 1 ? 1 : 0;
  }
}
