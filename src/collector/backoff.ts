/** How long to wait before reconnect attempt number `failures` + 1 to the broker or the database. */
export interface BackoffOptions {
  /** First delay; doubled after every failed attempt up to maxMs. */
  readonly initialMs: number;
  readonly maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 1_000, maxMs: 30_000 };

/** Exponential with ±20 % jitter, so collectors do not return to a restarted server in the same instant. */
export function backoffDelay(failures: number, options: BackoffOptions, random: () => number = Math.random): number {
  const base = Math.min(options.maxMs, options.initialMs * 2 ** Math.min(failures, 20));
  return Math.round(base * (0.8 + random() * 0.4));
}
