import { describe, expect, it } from 'vitest';
import { LoginThrottle, type LoginFailureBurst, type LoginThrottleKeys } from '../../src/accounts/index.js';
import { ManualClock } from '../../src/time/clock.js';
import { MINUTE, START } from './account-fixture.js';

function fail(throttle: LoginThrottle, keys: LoginThrottleKeys): void {
  const decision = throttle.admit(keys);
  if (!decision.admitted) throw new Error('expected the attempt to be admitted');
  decision.attempt.failed();
}

/** Whether an attempt would be admitted now; the attempt is given back at once. */
function admits(throttle: LoginThrottle, keys: LoginThrottleKeys): boolean {
  const decision = throttle.admit(keys);
  if (decision.admitted) decision.attempt.abandoned();
  return decision.admitted;
}

const ANNA_HERE: LoginThrottleKeys = { account: 'anna', remote: 'remote-1' };

describe('LoginThrottle', () => {
  it('still admits an account after 4 failures within the window', () => {
    const clock = new ManualClock(START);
    const throttle = new LoginThrottle({ clock });
    for (let i = 0; i < 4; i += 1) {
      fail(throttle, { account: 'anna', remote: `remote-${i}` });
      clock.advance(MINUTE);
    }
    expect(admits(throttle, { account: 'anna', remote: 'remote-9' })).toBe(true);
  });

  it('refuses the sixth attempt after five failures, from any remote, until the lock ends', () => {
    const clock = new ManualClock(START);
    const throttle = new LoginThrottle({ clock });
    for (let i = 0; i < 5; i += 1) fail(throttle, { account: 'anna', remote: `remote-${i}` });
    const refused = throttle.admit({ account: 'anna', remote: 'somewhere-else' });
    expect(refused).toEqual({ admitted: false, retryAt: START + 15 * MINUTE });
    expect(throttle.lockedUntil('account', 'anna')).toBe(START + 15 * MINUTE);
    expect(admits(throttle, { account: 'bram', remote: 'somewhere-else' })).toBe(true);
    clock.advance(15 * MINUTE - 1);
    expect(admits(throttle, { account: 'anna', remote: 'somewhere-else' })).toBe(false);
    clock.advance(1);
    expect(admits(throttle, { account: 'anna', remote: 'somewhere-else' })).toBe(true);
  });

  it('forgets failures older than the window', () => {
    const clock = new ManualClock(START);
    const throttle = new LoginThrottle({ clock });
    for (let i = 0; i < 4; i += 1) fail(throttle, ANNA_HERE);
    clock.advance(15 * MINUTE + 1);
    fail(throttle, ANNA_HERE);
    expect(admits(throttle, ANNA_HERE)).toBe(true);
  });

  it('locks a remote key that tries many accounts', () => {
    const clock = new ManualClock(START);
    const throttle = new LoginThrottle({ clock });
    for (let i = 0; i < 5; i += 1) fail(throttle, { account: `account-${i}`, remote: 'sprayer' });
    expect(admits(throttle, { account: 'anna', remote: 'sprayer' })).toBe(false);
    expect(throttle.lockedUntil('remote', 'sprayer')).toBe(START + 15 * MINUTE);
    expect(admits(throttle, { account: 'anna', remote: 'colleague' })).toBe(true);
  });

  it('doubles the lock each time the same key is locked again', () => {
    const clock = new ManualClock(START);
    const throttle = new LoginThrottle({ clock });
    const lengths: number[] = [];
    for (let round = 0; round < 3; round += 1) {
      for (let i = 0; i < 5; i += 1) fail(throttle, { account: 'anna', remote: `r-${round}-${i}` });
      const until = throttle.lockedUntil('account', 'anna') ?? 0;
      lengths.push(until - clock.now());
      clock.set(until);
    }
    expect(lengths).toEqual([15 * MINUTE, 30 * MINUTE, 60 * MINUTE]);
  });

  it('clears the account after a successful login', () => {
    const clock = new ManualClock(START);
    const throttle = new LoginThrottle({ clock });
    for (let i = 0; i < 4; i += 1) fail(throttle, { account: 'anna', remote: `r-${i}` });
    const decision = throttle.admit({ account: 'anna', remote: 'r-ok' });
    if (!decision.admitted) throw new Error('expected admission');
    decision.attempt.succeeded();
    fail(throttle, { account: 'anna', remote: 'r-x' });
    expect(admits(throttle, { account: 'anna', remote: 'r-y' })).toBe(true);
  });

  it('admits one attempt at a time per account and per remote key', () => {
    const throttle = new LoginThrottle({ clock: new ManualClock(START) });
    const first = throttle.admit(ANNA_HERE);
    expect(first.admitted).toBe(true);
    expect(throttle.admit({ account: 'anna', remote: 'remote-2' })).toEqual({ admitted: false, retryAt: START });
    expect(admits(throttle, { account: 'bram', remote: 'remote-1' })).toBe(false);
    if (first.admitted) first.attempt.abandoned();
    expect(admits(throttle, ANNA_HERE)).toBe(true);
  });

  it('reports a lock through onBurst, naming neither the account nor the remote key', () => {
    const clock = new ManualClock(START);
    const throttle = new LoginThrottle({ clock });
    const bursts: LoginFailureBurst[] = [];
    throttle.onBurst((burst) => bursts.push(burst));
    for (let i = 0; i < 5; i += 1) fail(throttle, { account: 'anna', remote: `remote-${i}` });
    expect(bursts).toEqual([{ scope: 'account', failures: 5, windowMs: 15 * MINUTE, at: START, lockedUntil: START + 15 * MINUTE }]);
    expect(JSON.stringify(bursts)).not.toMatch(/anna|remote-/);
  });

  it('reports a site-wide burst once per window when failures are spread over many keys', () => {
    const clock = new ManualClock(START);
    const throttle = new LoginThrottle({ clock, siteBurstFailures: 10, siteBurstWindowMs: 5 * MINUTE });
    const bursts: LoginFailureBurst[] = [];
    const unsubscribe = throttle.onBurst((burst) => bursts.push(burst));
    for (let i = 0; i < 25; i += 1) fail(throttle, { account: `account-${i}`, remote: `remote-${i}` });
    expect(bursts).toEqual([{ scope: 'site', failures: 10, windowMs: 5 * MINUTE, at: START }]);
    clock.advance(5 * MINUTE - 1);
    for (let i = 0; i < 10; i += 1) fail(throttle, { account: `quiet-${i}`, remote: `quiet-${i}` });
    expect(bursts).toHaveLength(1);
    clock.advance(1);
    fail(throttle, { account: 'late', remote: 'late' });
    expect(bursts).toHaveLength(2);
    unsubscribe();
    clock.advance(5 * MINUTE);
    for (let i = 0; i < 10; i += 1) fail(throttle, { account: `again-${i}`, remote: `again-${i}` });
    expect(bursts).toHaveLength(2);
  });

  it('keeps a listener that throws from breaking the throttle', () => {
    const throttle = new LoginThrottle({ clock: new ManualClock(START) });
    throttle.onBurst(() => {
      throw new Error('listener broke');
    });
    for (let i = 0; i < 5; i += 1) fail(throttle, { account: 'anna', remote: `remote-${i}` });
    expect(throttle.lockedUntil('account', 'anna')).toBe(START + 15 * MINUTE);
  });

  it('keeps locked keys when made-up keys overflow its memory', () => {
    const clock = new ManualClock(START);
    const throttle = new LoginThrottle({ clock, maxTrackedKeys: 20 });
    for (let i = 0; i < 5; i += 1) fail(throttle, { account: 'anna', remote: `remote-${i}` });
    for (let i = 0; i < 100; i += 1) fail(throttle, { account: `made-up-${i}`, remote: `spray-${i}` });
    expect(throttle.lockedUntil('account', 'anna')).toBe(START + 15 * MINUTE);
  });

  it('refuses nonsense limits', () => {
    expect(() => new LoginThrottle({ clock: new ManualClock(START), maxFailures: 0 })).toThrow(TypeError);
  });
});
