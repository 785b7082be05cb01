/**
 * Runs a check at start and then every interval, on an unref'd timer: a pending check must not keep
 * a stopping process alive. The watches that raise incidents by themselves share it.
 */
export class RepeatingCheck {
  readonly #intervalMs: number;
  readonly #check: () => unknown;
  #timer: NodeJS.Timeout | undefined;

  constructor(name: string, intervalMs: number, check: () => unknown) {
    if (!Number.isSafeInteger(intervalMs) || intervalMs < 1) throw new TypeError(`${name} intervalMs must be a positive whole number`);
    this.#intervalMs = intervalMs;
    this.#check = check;
  }

  start(): Promise<void> {
    if (this.#timer) return Promise.resolve();
    this.#check();
    this.#timer = setInterval(() => this.#check(), this.#intervalMs).unref();
    return Promise.resolve();
  }

  stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    return Promise.resolve();
  }
}
