import type { ManualClock } from '../../src/time/clock.js';
import type { Scheduler, TimerHandle } from '../../src/line/scheduler.js';

interface PendingTimer {
  readonly id: number;
  readonly dueAt: number;
  readonly callback: () => void;
}

/**
 * Timers that run only when the test moves time: `advance(ms)` moves the ManualClock to each
 * timer's due time in order and runs it, so a timer set by a timer also runs if it falls due.
 */
export class ManualScheduler implements Scheduler {
  readonly #clock: ManualClock;
  readonly #timers = new Map<number, PendingTimer>();
  #nextId = 1;

  constructor(clock: ManualClock) {
    this.#clock = clock;
  }

  setTimeout(callback: () => void, delayMs: number): TimerHandle {
    const id = this.#nextId++;
    this.#timers.set(id, { id, dueAt: this.#clock.now() + Math.max(0, delayMs), callback });
    return id;
  }

  clearTimeout(handle: TimerHandle): void {
    this.#timers.delete(handle as number);
  }

  get pending(): number {
    return this.#timers.size;
  }

  advance(milliseconds: number): void {
    const until = this.#clock.now() + milliseconds;
    for (;;) {
      const next = this.#earliest();
      if (!next || next.dueAt > until) break;
      this.#timers.delete(next.id);
      if (next.dueAt > this.#clock.now()) this.#clock.set(next.dueAt);
      next.callback();
    }
    if (until > this.#clock.now()) this.#clock.set(until);
  }

  /** Runs timers until none is left (or the guard trips: a replay that loops forever). */
  runAll(maxTimers = 10_000): void {
    for (let ran = 0; ran < maxTimers; ran += 1) {
      const next = this.#earliest();
      if (!next) return;
      this.advance(Math.max(0, next.dueAt - this.#clock.now()));
    }
    throw new Error('timers still pending after the guard: something reschedules forever');
  }

  #earliest(): PendingTimer | undefined {
    let earliest: PendingTimer | undefined;
    for (const timer of this.#timers.values()) {
      if (!earliest || timer.dueAt < earliest.dueAt || (timer.dueAt === earliest.dueAt && timer.id < earliest.id)) earliest = timer;
    }
    return earliest;
  }
}
