import { describe, expect, it } from 'vitest';
import { decideRelease, monthsSpanned } from '../../../src/upstream/disclosure/privacy-budget.js';
import { localDateTime } from '../../../src/time/local-date-time.js';

describe('privacy budget', () => {
  it('releases while the year has room, counting decimal epsilons without rounding trouble', () => {
    let spent = 0;
    const decisions = Array.from({ length: 12 }, () => {
      const decision = decideRelease(spent, 0.1, 1);
      spent = decision.spent;
      return decision.release;
    });
    expect(decisions).toEqual([...new Array<boolean>(10).fill(true), false, false]);
    expect(spent).toBeCloseTo(1, 12);
  });

  it('counts the link months a period touches in the site time zone', () => {
    const local = (at: number): { year: number; month: number } => localDateTime(at, 'Europe/Amsterdam');
    // A week from Monday 29 December 2025 to Monday 5 January 2026 (local): December and January.
    expect(monthsSpanned(Date.parse('2025-12-28T23:00:00Z'), Date.parse('2026-01-04T23:00:00Z'), local)).toBe(2);
    // March 2025, local month (starts 23:00 UTC on 28 February): one.
    expect(monthsSpanned(Date.parse('2025-02-28T23:00:00Z'), Date.parse('2025-03-31T22:00:00Z'), local)).toBe(1);
  });
});
