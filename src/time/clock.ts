/** The only way the core learns the time: passed in, never read from the system clock. */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
}

/** A clock a test moves by hand. */
export class ManualClock implements Clock {
  #now: number;

  constructor(start: number | Date) {
    this.#now = typeof start === 'number' ? start : start.getTime();
  }

  now(): number {
    return this.#now;
  }

  set(to: number | Date): void {
    this.#now = typeof to === 'number' ? to : to.getTime();
  }

  advance(milliseconds: number): void {
    this.#now += milliseconds;
  }
}
