import type { Logger } from '../log/logger.js';
import type { Clock } from '../time/clock.js';

export interface FloodLimits {
  /** Sustained new INVITEs per second allowed from one source address. */
  readonly invitesPerSecond: number;
  /** How many may arrive at once before the rate applies. */
  readonly burst: number;
  /** Retry-After sent with the one 503; for this long the source's further INVITEs are dropped silently. */
  readonly retryAfterSeconds: number;
  /** At most one log line per period, however long the flood lasts. */
  readonly logPeriodMs: number;
  /** Bounds the memory the guard can be made to use by many source addresses. */
  readonly maxTrackedSources: number;
}

export const DEFAULT_FLOOD_LIMITS: FloodLimits = {
  invitesPerSecond: 10, burst: 30, retryAfterSeconds: 30, logPeriodMs: 60_000, maxTrackedSources: 4096,
};

export type FloodDecision = 'allow' | 'reject' | 'drop';

interface Bucket {
  tokens: number;
  refilledAt: number;
  silentUntil: number;
}

/**
 * A token bucket per source address for INVITEs. Past the bucket a source gets one 503 with
 * Retry-After and then silence until that time. Logged once per period without the address.
 */
export class InviteFloodGuard {
  readonly #limits: FloodLimits;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #buckets = new Map<string, Bucket>();
  #loggedAt = Number.NEGATIVE_INFINITY;
  #limitedInPeriod = 0;

  readonly #exempt: (sourceAddress: string) => boolean;

  /** `exempt`: sources never held back, e.g. the allow-listed trunk, whose every call is a caller. */
  constructor(limits: FloodLimits, clock: Clock, logger: Logger, exempt: (sourceAddress: string) => boolean = () => false) {
    this.#limits = limits;
    this.#clock = clock;
    this.#logger = logger;
    this.#exempt = exempt;
  }

  check(sourceAddress: string): FloodDecision {
    if (this.#exempt(sourceAddress)) return 'allow';
    const now = this.#clock.now();
    const bucket = this.#bucketFor(sourceAddress, now);
    const elapsed = Math.max(0, now - bucket.refilledAt) / 1000;
    bucket.tokens = Math.min(this.#limits.burst, bucket.tokens + elapsed * this.#limits.invitesPerSecond);
    bucket.refilledAt = now;
    if (bucket.tokens >= 1 && now >= bucket.silentUntil) {
      bucket.tokens -= 1;
      return 'allow';
    }
    this.#noteLimited(now);
    if (now < bucket.silentUntil) return 'drop';
    bucket.silentUntil = now + this.#limits.retryAfterSeconds * 1000;
    return 'reject';
  }

  get retryAfterSeconds(): number {
    return this.#limits.retryAfterSeconds;
  }

  #bucketFor(sourceAddress: string, now: number): Bucket {
    const existing = this.#buckets.get(sourceAddress);
    if (existing) {
      // Re-inserted so Map order is least-recently-seen first, for eviction.
      this.#buckets.delete(sourceAddress);
      this.#buckets.set(sourceAddress, existing);
      return existing;
    }
    while (this.#buckets.size >= this.#limits.maxTrackedSources) {
      const oldest = this.#buckets.keys().next();
      if (oldest.done) break;
      this.#buckets.delete(oldest.value);
    }
    const bucket: Bucket = { tokens: this.#limits.burst, refilledAt: now, silentUntil: 0 };
    this.#buckets.set(sourceAddress, bucket);
    return bucket;
  }

  #noteLimited(now: number): void {
    this.#limitedInPeriod++;
    if (now - this.#loggedAt < this.#limits.logPeriodMs) return;
    this.#logger.warn({ limitedInvites: this.#limitedInPeriod }, 'INVITE flood limited');
    this.#loggedAt = now;
    this.#limitedInPeriod = 0;
  }
}
