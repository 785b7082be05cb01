import { createHmac, randomBytes } from 'node:crypto';

const HOUR = 60 * 60 * 1000;

/**
 * How many times each key was admitted in the last hour, in memory only: the flood limits and the
 * one-confirmation-per-hour rule. Keys of a quiet hour are dropped as the window slides.
 */
export class HourlyWindow {
  readonly #limit: number;
  readonly #times = new Map<string, number[]>();
  #lastSweep = 0;

  constructor(limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new TypeError('HourlyWindow: limit must be a positive whole number');
    this.#limit = limit;
  }

  /** Counts one more for `key` and answers true, or answers false (and counts nothing) when the hour is full. */
  admit(key: string, now: number): boolean {
    this.#sweep(now);
    const recent = (this.#times.get(key) ?? []).filter((at) => at > now - HOUR);
    if (recent.length >= this.#limit) {
      this.#times.set(key, recent);
      return false;
    }
    recent.push(now);
    this.#times.set(key, recent);
    return true;
  }

  #sweep(now: number): void {
    if (now - this.#lastSweep < 60_000) return;
    this.#lastSweep = now;
    for (const [key, times] of this.#times) {
      if (times.every((at) => at <= now - HOUR)) this.#times.delete(key);
    }
  }
}

/**
 * A sender's key for the hourly windows: an HMAC under a key drawn at start and never stored, so
 * the windows hold no address and a heap dump cannot be read back into one. The text is put in the
 * canonical form of normalizeEmailAddress (NFC, trimmed, lower-case) first, so both agree on who is
 * the same sender.
 */
export function senderKeyer(): (addressText: string) => string {
  const key = randomBytes(32);
  return (addressText) => createHmac('sha256', key).update(addressText.normalize('NFC').trim().toLowerCase()).digest('base64url').slice(0, 22);
}
