/**
 * A 20 ms heartbeat on the Scheduler for everything the box sends on its own (mixed audio,
 * prompts). Deadlines advance by the interval rather than from when the task ran, so timer lateness
 * does not add up; after a stall longer than a few frames it skips ahead instead of bursting.
 */
import type { Clock, Scheduler } from '../time/index.js';

export const FRAME_MILLISECONDS = 20;
const MAX_CATCH_UP_FRAMES = 5;

export class FramePacer {
  readonly #clock: Clock;
  readonly #scheduler: Scheduler;
  readonly #tick: () => void;
  readonly #intervalMs: number;
  #nextDue = 0;
  #cancel: (() => void) | undefined;

  constructor(clock: Clock, scheduler: Scheduler, tick: () => void, intervalMs = FRAME_MILLISECONDS) {
    this.#clock = clock;
    this.#scheduler = scheduler;
    this.#tick = tick;
    this.#intervalMs = intervalMs;
  }

  get running(): boolean {
    return this.#cancel !== undefined;
  }

  /** The first tick comes one interval from now. */
  start(): void {
    if (this.#cancel) return;
    this.#nextDue = this.#clock.now() + this.#intervalMs;
    this.#schedule();
  }

  stop(): void {
    this.#cancel?.();
    this.#cancel = undefined;
  }

  #schedule(): void {
    this.#cancel = this.#scheduler.after(this.#nextDue - this.#clock.now(), this.#fire);
  }

  readonly #fire = (): void => {
    this.#nextDue += this.#intervalMs;
    const now = this.#clock.now();
    if (now - this.#nextDue > MAX_CATCH_UP_FRAMES * this.#intervalMs) this.#nextDue = now + this.#intervalMs;
    // Scheduled before the tick runs, so a tick that stops the pacer cancels the next one.
    this.#schedule();
    this.#tick();
  };
}
