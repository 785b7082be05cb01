import type { Clock } from '../time/clock.js';

const MINUTE = 60_000;

/**
 * At most `perMinute` events per key in any sliding minute. Keys whose minute has passed are
 * dropped as new events come in, so the map holds only the last minute's keys.
 */
export class PerMinuteLimit {
  readonly #perMinute: number;
  readonly #clock: Clock;
  readonly #events = new Map<string, number[]>();
  #lastSweep = Number.NEGATIVE_INFINITY;

  constructor(perMinute: number, clock: Clock) {
    if (!Number.isInteger(perMinute) || perMinute < 1) throw new TypeError('PerMinuteLimit: perMinute must be a positive whole number');
    this.#perMinute = perMinute;
    this.#clock = clock;
  }

  /** Counts the event and says whether it is within the limit; a refused event is not counted. */
  take(key: string): boolean {
    const now = this.#clock.now();
    this.#sweep(now);
    const recent = (this.#events.get(key) ?? []).filter((at) => at > now - MINUTE);
    if (recent.length >= this.#perMinute) {
      this.#events.set(key, recent);
      return false;
    }
    recent.push(now);
    this.#events.set(key, recent);
    return true;
  }

  get size(): number {
    return this.#events.size;
  }

  #sweep(now: number): void {
    if (now - this.#lastSweep < MINUTE) return;
    this.#lastSweep = now;
    for (const [key, times] of this.#events) {
      if ((times.at(-1) ?? Number.NEGATIVE_INFINITY) <= now - MINUTE) this.#events.delete(key);
    }
  }
}
