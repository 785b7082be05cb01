import { describe, expect, it } from 'vitest';
import { deadlineAlert, extendedDueAt, nearlyDueFrom, originalDueAt } from '../../src/rights/request-deadlines.js';

const AMSTERDAM = 'Europe/Amsterdam';
const BRUSSELS = 'Europe/Brussels';
const at = (iso: string): number => new Date(iso).getTime();
const iso = (instant: number): string => new Date(instant).toISOString();

describe('the one-month answer deadline', () => {
  it('ends when the same date of the next month ends, in the site time zone', () => {
    // Received 15 March 10:00 in Amsterdam (CET); due when 15 April ends (16 April 00:00 CEST).
    expect(iso(originalDueAt(at('2026-03-15T09:00:00Z'), AMSTERDAM))).toBe('2026-04-15T22:00:00.000Z');
  });

  it('ends with February when received on 31 January: 28 February, and 29 in a leap year', () => {
    expect(iso(originalDueAt(at('2026-01-31T12:00:00Z'), AMSTERDAM))).toBe('2026-02-28T23:00:00.000Z');
    expect(iso(originalDueAt(at('2028-01-31T12:00:00Z'), AMSTERDAM))).toBe('2028-02-29T23:00:00.000Z');
    expect(iso(originalDueAt(at('2026-03-31T12:00:00Z'), AMSTERDAM))).toBe('2026-04-30T22:00:00.000Z');
  });

  it('counts the local date of receipt: 00:30 on 1 February in Amsterdam is still 31 January in UTC', () => {
    expect(iso(originalDueAt(at('2026-01-31T23:30:00Z'), AMSTERDAM))).toBe('2026-03-01T23:00:00.000Z');
    expect(iso(originalDueAt(at('2026-01-31T22:30:00Z'), AMSTERDAM))).toBe('2026-02-28T23:00:00.000Z');
  });

  it('goes through the spring DST change and the autumn repeated hour', () => {
    // Received on the day clocks go forward (29 March 2026): due when 29 April ends, in CEST.
    expect(iso(originalDueAt(at('2026-03-29T08:00:00Z'), AMSTERDAM))).toBe('2026-04-29T22:00:00.000Z');
    // Received 15 October (CEST): due when 15 November ends, in CET.
    expect(iso(originalDueAt(at('2026-10-15T10:00:00Z'), AMSTERDAM))).toBe('2026-11-15T23:00:00.000Z');
    // Both passes of 02:30 on 25 October 2026 are the same local date.
    const firstPass = originalDueAt(at('2026-10-25T00:30:00Z'), AMSTERDAM);
    const secondPass = originalDueAt(at('2026-10-25T01:30:00Z'), AMSTERDAM);
    expect(iso(firstPass)).toBe('2026-11-25T23:00:00.000Z');
    expect(secondPass).toBe(firstPass);
  });

  it('crosses the year end', () => {
    expect(iso(originalDueAt(at('2026-12-15T10:00:00Z'), BRUSSELS))).toBe('2027-01-15T23:00:00.000Z');
    // 31 December 23:30 in Brussels: due when 31 January ends.
    expect(iso(originalDueAt(at('2026-12-31T22:30:00Z'), BRUSSELS))).toBe('2027-01-31T23:00:00.000Z');
    // 00:30 on 1 January in Brussels, still 2026 in UTC: due when 1 February ends.
    expect(iso(originalDueAt(at('2026-12-31T23:30:00Z'), BRUSSELS))).toBe('2027-02-01T23:00:00.000Z');
  });

  it('never moves earlier when the receipt moves later (property over a year of hours)', () => {
    let previous = 0;
    for (let instant = at('2026-01-01T00:00:00Z'); instant < at('2027-01-01T00:00:00Z'); instant += 187 * 60 * 1000) {
      const due = originalDueAt(instant, AMSTERDAM);
      expect(due).toBeGreaterThanOrEqual(previous);
      expect(due).toBeGreaterThan(instant + 27 * 24 * 3600 * 1000);
      previous = due;
    }
  });
});

describe('the extended deadline', () => {
  it('is three months from receipt, so 31 January extends to the end of 30 April, not of 28 April', () => {
    expect(iso(extendedDueAt(at('2026-01-31T12:00:00Z'), AMSTERDAM))).toBe('2026-04-30T22:00:00.000Z');
  });

  it('crosses DST and the year end: received 30 November, extended to the end of 28 February', () => {
    expect(iso(extendedDueAt(at('2026-11-30T12:00:00Z'), AMSTERDAM))).toBe('2027-02-28T23:00:00.000Z');
    // Received 31 December (CET), extended to the end of 31 March (CEST since 28 March 2027).
    expect(iso(extendedDueAt(at('2026-12-31T12:00:00Z'), AMSTERDAM))).toBe('2027-03-31T22:00:00.000Z');
  });
});

describe('the deadline alerts', () => {
  it('raises nearly-due from local midnight seven calendar days before, then overdue at the deadline', () => {
    const due = originalDueAt(at('2026-03-15T09:00:00Z'), AMSTERDAM); // end of 15 April
    expect(iso(nearlyDueFrom(due, AMSTERDAM))).toBe('2026-04-08T22:00:00.000Z');
    expect(deadlineAlert(due, false, at('2026-04-08T21:59:59Z'), AMSTERDAM)).toBeNull();
    expect(deadlineAlert(due, false, at('2026-04-08T22:00:00Z'), AMSTERDAM)).toBe('nearly-due');
    expect(deadlineAlert(due, false, due - 1, AMSTERDAM)).toBe('nearly-due');
    expect(deadlineAlert(due, false, due, AMSTERDAM)).toBe('overdue');
    expect(deadlineAlert(due, true, due + 1, AMSTERDAM)).toBeNull();
  });

  it('counts the seven days as calendar days across the DST change (one of them is 23 hours)', () => {
    const due = originalDueAt(at('2026-03-01T09:00:00Z'), AMSTERDAM); // end of 1 April, CEST
    expect(iso(due)).toBe('2026-04-01T22:00:00.000Z');
    // 7 local days earlier is midnight of 26 March, still CET: 7 * 24 - 1 hours before.
    expect(iso(nearlyDueFrom(due, AMSTERDAM))).toBe('2026-03-25T23:00:00.000Z');
  });
});
