import { performance } from 'node:perf_hooks';

const PROBE_EVERY_MS = 1;

/** A 1 ms interval: the longest time between two ticks is the longest the loop was not free. */
export class GapProbe {
  #timer: NodeJS.Timeout | undefined;
  #last = 0;
  #longest = { ms: 0, from: 0, to: 0 };

  start(): void {
    this.#last = performance.now();
    this.#longest = { ms: 0, from: this.#last, to: this.#last };
    this.#timer = setInterval(() => this.#tick(), PROBE_EVERY_MS);
  }

  /** The longest gap and when it was, counting the one still open: a stall at the very end is seen too. */
  stop(): { ms: number; from: number; to: number } {
    this.#tick();
    clearInterval(this.#timer);
    this.#timer = undefined;
    return this.#longest;
  }

  #tick(): void {
    const now = performance.now();
    if (now - this.#last > this.#longest.ms) this.#longest = { ms: now - this.#last, from: this.#last, to: now };
    this.#last = now;
  }
}
