import { ManualClock } from './clock.js';

/**
 * Deferred work (ring timeouts, SIP retransmissions, expiries) through one seam, so tests move time
 * by hand instead of sleeping. `after` returns the function that cancels the task.
 */
export interface Scheduler {
  after(milliseconds: number, task: () => void): () => void;
}

/** Node's timers, unref'd: a pending task never keeps a stopping process alive. */
export const timerScheduler: Scheduler = {
  after(milliseconds, task) {
    const timer = setTimeout(task, Math.max(0, milliseconds));
    timer.unref();
    return () => clearTimeout(timer);
  },
};

interface PendingTask {
  readonly at: number;
  readonly order: number;
  readonly task: () => void;
}

/**
 * A scheduler on a ManualClock: `advance` moves the clock and runs every task that falls due, in
 * time order (ties in the order they were scheduled), including tasks scheduled by those tasks.
 */
export class ManualScheduler implements Scheduler {
  readonly clock: ManualClock;
  #pending: PendingTask[] = [];
  #order = 0;

  constructor(clock: ManualClock | number | Date) {
    this.clock = clock instanceof ManualClock ? clock : new ManualClock(clock);
  }

  get pending(): number {
    return this.#pending.length;
  }

  after(milliseconds: number, task: () => void): () => void {
    const entry: PendingTask = { at: this.clock.now() + Math.max(0, milliseconds), order: this.#order++, task };
    this.#pending.push(entry);
    return () => {
      this.#pending = this.#pending.filter((candidate) => candidate !== entry);
    };
  }

  /** Moves the clock by `milliseconds`, running what falls due on the way at its own time. */
  advance(milliseconds: number): void {
    const end = this.clock.now() + milliseconds;
    for (;;) {
      const next = this.#next(end);
      if (!next) break;
      this.#pending = this.#pending.filter((candidate) => candidate !== next);
      if (next.at > this.clock.now()) this.clock.set(next.at);
      next.task();
    }
    this.clock.set(end);
  }

  #next(end: number): PendingTask | undefined {
    let next: PendingTask | undefined;
    for (const candidate of this.#pending) {
      if (candidate.at > end) continue;
      if (!next || candidate.at < next.at || (candidate.at === next.at && candidate.order < next.order)) next = candidate;
    }
    return next;
  }
}
