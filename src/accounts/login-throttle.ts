import { TypedEmitter } from '../events/typed-emitter.js';
import type { Logger } from '../log/logger.js';
import type { Clock } from '../time/clock.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

export interface LoginThrottleOptions {
  readonly clock: Clock;
  readonly logger?: Logger;
  /** Failures within `windowMs` that lock a key. */
  readonly maxFailures?: number;
  readonly windowMs?: number;
  /** The first lock; each further lock of the same key doubles it, up to `maxLockMs`. */
  readonly lockMs?: number;
  readonly maxLockMs?: number;
  /** A key with no failure for this long starts again from the first lock length. */
  readonly lockMemoryMs?: number;
  /** Failures over all keys within `siteBurstWindowMs` that count as an attack on the site. */
  readonly siteBurstFailures?: number;
  readonly siteBurstWindowMs?: number;
  /** Bounds memory when someone sprays made-up account names or remote keys. */
  readonly maxTrackedKeys?: number;
}

/**
 * Both are opaque to the throttle. `remote` is what the HTTP layer derives from the client (a keyed
 * hash, never an address): it is only ever held in memory here.
 */
export interface LoginThrottleKeys {
  readonly account: string;
  readonly remote: string;
}

/**
 * Reported when a key gets locked or the site sees many failures. It names no account and no
 * remote key: a "user name" that failed may be a password typed into the wrong field.
 */
export interface LoginFailureBurst {
  readonly scope: 'account' | 'remote' | 'site';
  /** Failures within `windowMs` up to this one. */
  readonly failures: number;
  readonly windowMs: number;
  readonly at: number;
  /** For `account` and `remote`: when the lock ends. */
  readonly lockedUntil?: number;
}

/** One admitted attempt; exactly one of its methods is called when the password check is done. */
export interface LoginAttempt {
  succeeded(): void;
  failed(): void;
  /** Neither: the check did not run to the end, or the account is disabled. */
  abandoned(): void;
}

export type AdmitDecision = { readonly admitted: true; readonly attempt: LoginAttempt } | { readonly admitted: false; readonly retryAt: number };

interface KeyState {
  failures: number[];
  lockedUntil: number;
  locks: number;
  lastFailureAt: number;
  inFlight: boolean;
}

interface ThrottleSettings {
  maxFailures: number;
  windowMs: number;
  lockMs: number;
  maxLockMs: number;
  lockMemoryMs: number;
  siteBurstFailures: number;
  siteBurstWindowMs: number;
  maxTrackedKeys: number;
}

type ThrottleEvents = { burst: [LoginFailureBurst] };

/**
 * In-memory login throttling per account and per remote key (a restart forgets it; the password
 * hash's cost still bounds guessing). One attempt at a time per key: without that, a hundred
 * parallel guesses would all pass the check before the first failure is counted.
 */
export class LoginThrottle {
  readonly #clock: Clock;
  readonly #settings: ThrottleSettings;
  readonly #accounts = new Map<string, KeyState>();
  readonly #remotes = new Map<string, KeyState>();
  /** The most recent site-wide failure times, at most `siteBurstFailures` of them. */
  readonly #siteFailures: number[] = [];
  #siteQuietUntil = 0;
  readonly #events: TypedEmitter<ThrottleEvents>;

  constructor(options: LoginThrottleOptions) {
    this.#clock = options.clock;
    this.#settings = {
      maxFailures: positive(options.maxFailures ?? 5, 'maxFailures'),
      windowMs: positive(options.windowMs ?? 15 * MINUTE, 'windowMs'),
      lockMs: positive(options.lockMs ?? 15 * MINUTE, 'lockMs'),
      maxLockMs: positive(options.maxLockMs ?? 24 * HOUR, 'maxLockMs'),
      lockMemoryMs: positive(options.lockMemoryMs ?? 24 * HOUR, 'lockMemoryMs'),
      siteBurstFailures: positive(options.siteBurstFailures ?? 50, 'siteBurstFailures'),
      siteBurstWindowMs: positive(options.siteBurstWindowMs ?? 15 * MINUTE, 'siteBurstWindowMs'),
      maxTrackedKeys: positive(options.maxTrackedKeys ?? 10_000, 'maxTrackedKeys'),
    };
    this.#events = new TypedEmitter<ThrottleEvents>(options.logger);
  }

  /** Returns the unsubscribe function. A listener that throws is logged and skipped. */
  onBurst(listener: (burst: LoginFailureBurst) => void): () => void {
    return this.#events.on('burst', listener);
  }

  /** Refuses while either key is locked or has an attempt in flight; otherwise holds both keys. */
  admit(keys: LoginThrottleKeys): AdmitDecision {
    const now = this.#clock.now();
    const account = this.#accounts.get(keys.account);
    const remote = this.#remotes.get(keys.remote);
    const lockedUntil = Math.max(account?.lockedUntil ?? 0, remote?.lockedUntil ?? 0);
    if (lockedUntil > now) return { admitted: false, retryAt: lockedUntil };
    if (account?.inFlight || remote?.inFlight) return { admitted: false, retryAt: now };
    const accountState = this.#track(this.#accounts, keys.account, now);
    const remoteState = this.#track(this.#remotes, keys.remote, now);
    accountState.inFlight = true;
    remoteState.inFlight = true;
    let finished = false;
    const finish = (outcome: () => void): void => {
      if (finished) return;
      finished = true;
      accountState.inFlight = false;
      remoteState.inFlight = false;
      outcome();
    };
    return {
      admitted: true,
      attempt: {
        succeeded: () => finish(() => this.#accounts.delete(keys.account)),
        failed: () => finish(() => this.#recordFailure(accountState, remoteState)),
        abandoned: () => finish(() => undefined),
      },
    };
  }

  /** When a key is locked until, or undefined; for the health page and tests. */
  lockedUntil(scope: 'account' | 'remote', key: string): number | undefined {
    const state = (scope === 'account' ? this.#accounts : this.#remotes).get(key);
    return state && state.lockedUntil > this.#clock.now() ? state.lockedUntil : undefined;
  }

  #recordFailure(account: KeyState, remote: KeyState): void {
    const now = this.#clock.now();
    this.#countFailure(account, 'account', now);
    this.#countFailure(remote, 'remote', now);
    this.#countSiteFailure(now);
  }

  #countFailure(state: KeyState, scope: 'account' | 'remote', now: number): void {
    const { windowMs, maxFailures, lockMs, maxLockMs, lockMemoryMs } = this.#settings;
    if (now - state.lastFailureAt > lockMemoryMs) state.locks = 0;
    state.lastFailureAt = now;
    state.failures = state.failures.filter((at) => at > now - windowMs);
    state.failures.push(now);
    if (state.failures.length < maxFailures) return;
    const failures = state.failures.length;
    state.lockedUntil = now + Math.min(lockMs * 2 ** state.locks, maxLockMs);
    state.locks += 1;
    state.failures = [];
    this.#events.emit('burst', { scope, failures, windowMs, at: now, lockedUntil: state.lockedUntil });
  }

  #countSiteFailure(now: number): void {
    const { siteBurstFailures, siteBurstWindowMs } = this.#settings;
    this.#siteFailures.push(now);
    if (this.#siteFailures.length > siteBurstFailures) this.#siteFailures.shift();
    const oldest = this.#siteFailures[0] ?? now;
    if (this.#siteFailures.length < siteBurstFailures || oldest <= now - siteBurstWindowMs || now < this.#siteQuietUntil) return;
    // One report per window: the incidents register folds repeats anyway, the log need not flood.
    this.#siteQuietUntil = now + siteBurstWindowMs;
    this.#events.emit('burst', { scope: 'site', failures: this.#siteFailures.length, windowMs: siteBurstWindowMs, at: now });
  }

  #track(map: Map<string, KeyState>, key: string, now: number): KeyState {
    const existing = map.get(key);
    if (existing) return existing;
    if (map.size >= this.#settings.maxTrackedKeys) this.#evict(map, now);
    const state: KeyState = { failures: [], lockedUntil: 0, locks: 0, lastFailureAt: 0, inFlight: false };
    map.set(key, state);
    return state;
  }

  /** Drops keys with nothing left to remember; if that is not enough, the oldest unlocked ones. */
  #evict(map: Map<string, KeyState>, now: number): void {
    const { windowMs, lockMemoryMs, maxTrackedKeys } = this.#settings;
    for (const [key, state] of map) {
      if (!state.inFlight && state.lockedUntil <= now && now - state.lastFailureAt > Math.max(windowMs, lockMemoryMs)) map.delete(key);
    }
    for (const [key, state] of map) {
      if (map.size < maxTrackedKeys) return;
      if (!state.inFlight && state.lockedUntil <= now) map.delete(key);
    }
  }
}

function positive(value: number, name: string): number {
  if (!Number.isSafeInteger(value) || value < 1) throw new TypeError(`login throttle ${name} must be a positive whole number`);
  return value;
}
