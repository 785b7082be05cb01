import type { Pseudonym } from '../privacy/types.js';

const EMPTY = 0;
const INITIAL_CAPACITY = 1024;

/**
 * How many stored contacts of one link month carry each pseudonym, in an open-addressing hash table
 * over typed arrays: the prior-contact count becomes six memory lookups instead of six B-tree probes
 * through SQLite's WASM VFS. Keys are the pseudonym's first 8 bytes (two 32-bit words; a 64-bit
 * slice of an HMAC, so two callers of one month share one with odds of about 2^-64 per pair, and
 * then a count is one too high, nothing worse). 12 bytes a slot at most half full.
 */
export class PseudonymTally {
  #high = new Uint32Array(INITIAL_CAPACITY);
  #low = new Uint32Array(INITIAL_CAPACITY);
  #counts = new Uint32Array(INITIAL_CAPACITY);
  #size = 0;

  get size(): number {
    return this.#size;
  }

  add(pseudonym: Pseudonym): void {
    if ((this.#size + 1) * 2 > this.#counts.length) this.#grow();
    const [high, low] = keyOf(pseudonym);
    const slot = this.#slotOf(high, low);
    if (this.#counts[slot] === EMPTY) {
      this.#high[slot] = high;
      this.#low[slot] = low;
      this.#size += 1;
    }
    this.#counts[slot] = (this.#counts[slot] ?? 0) + 1;
  }

  count(pseudonym: Pseudonym): number {
    const [high, low] = keyOf(pseudonym);
    return this.#counts[this.#slotOf(high, low)] ?? 0;
  }

  /**
   * One stored contact fewer under this pseudonym (an erased contact); false when none was counted.
   * A key whose count reaches zero leaves the table by backward-shift deletion, so later keys of its
   * probe run stay reachable without tombstones.
   */
  remove(pseudonym: Pseudonym): boolean {
    const [high, low] = keyOf(pseudonym);
    const slot = this.#slotOf(high, low);
    const count = this.#counts[slot] ?? EMPTY;
    if (count === EMPTY) return false;
    if (count > 1) {
      this.#counts[slot] = count - 1;
      return true;
    }
    this.#counts[slot] = EMPTY;
    this.#size -= 1;
    const mask = this.#counts.length - 1;
    let hole = slot;
    for (let next = (slot + 1) & mask; this.#counts[next] !== EMPTY; next = (next + 1) & mask) {
      const home = this.#homeOf(this.#high[next] ?? 0, this.#low[next] ?? 0);
      // The key at `next` may fill the hole only if the hole lies on its probe path, home..next.
      if (((next - home) & mask) < ((next - hole) & mask)) continue;
      this.#high[hole] = this.#high[next] ?? 0;
      this.#low[hole] = this.#low[next] ?? 0;
      this.#counts[hole] = this.#counts[next] ?? EMPTY;
      this.#counts[next] = EMPTY;
      hole = next;
    }
    return true;
  }

  #homeOf(high: number, low: number): number {
    return (low ^ Math.imul(high, 0x9e3779b1)) & (this.#counts.length - 1);
  }

  /** The slot holding this key, or the empty slot where it would go (linear probing). */
  #slotOf(high: number, low: number): number {
    const mask = this.#counts.length - 1;
    let slot = this.#homeOf(high, low);
    while (this.#counts[slot] !== EMPTY && (this.#high[slot] !== high || this.#low[slot] !== low)) slot = (slot + 1) & mask;
    return slot;
  }

  #grow(): void {
    const high = this.#high;
    const low = this.#low;
    const counts = this.#counts;
    const capacity = counts.length * 2;
    this.#high = new Uint32Array(capacity);
    this.#low = new Uint32Array(capacity);
    this.#counts = new Uint32Array(capacity);
    for (let slot = 0; slot < counts.length; slot++) {
      const count = counts[slot] ?? EMPTY;
      if (count === EMPTY) continue;
      const target = this.#slotOf(high[slot] ?? 0, low[slot] ?? 0);
      this.#high[target] = high[slot] ?? 0;
      this.#low[target] = low[slot] ?? 0;
      this.#counts[target] = count;
    }
  }
}

function keyOf(pseudonym: Pseudonym): [number, number] {
  if (pseudonym.length < 8) throw new TypeError('a pseudonym has at least 8 bytes');
  const view = new DataView(pseudonym.buffer, pseudonym.byteOffset, 8);
  return [view.getUint32(0), view.getUint32(4)];
}
