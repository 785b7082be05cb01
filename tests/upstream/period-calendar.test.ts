import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { closedPeriodsBetween, formatLocalIso, periodContaining, PERIOD_LENGTHS } from '../../src/upstream/period-calendar.js';

const AMSTERDAM = 'Europe/Amsterdam';
const HOUR = 3_600_000;
const utc = (text: string): number => Date.parse(text);

describe('periodContaining in Europe/Amsterdam', () => {
  it('makes the March DST day 23 hours long, from local midnight to local midnight', () => {
    const day = periodContaining(utc('2025-03-30T12:00:00Z'), 'day', AMSTERDAM);
    expect(day).toEqual({ start: utc('2025-03-29T23:00:00Z'), end: utc('2025-03-30T22:00:00Z') });
    expect((day.end - day.start) / HOUR).toBe(23);
    expect(formatLocalIso(day.start, AMSTERDAM)).toBe('2025-03-30T00:00:00+01:00');
    expect(formatLocalIso(day.end, AMSTERDAM)).toBe('2025-03-31T00:00:00+02:00');
  });

  it('makes the October DST day 25 hours long', () => {
    const day = periodContaining(utc('2025-10-26T12:00:00Z'), 'day', AMSTERDAM);
    expect(day).toEqual({ start: utc('2025-10-25T22:00:00Z'), end: utc('2025-10-26T23:00:00Z') });
    expect((day.end - day.start) / HOUR).toBe(25);
  });

  it('puts an instant just before local midnight in the old day and one at midnight in the new day', () => {
    expect(periodContaining(utc('2025-03-29T22:59:59.999Z'), 'day', AMSTERDAM).start).toBe(utc('2025-03-28T23:00:00Z'));
    expect(periodContaining(utc('2025-03-29T23:00:00Z'), 'day', AMSTERDAM).start).toBe(utc('2025-03-29T23:00:00Z'));
  });

  it('splits the October day into 25 real hours, the repeated 02:00 hour being two periods', () => {
    const day = periodContaining(utc('2025-10-26T12:00:00Z'), 'day', AMSTERDAM);
    const hours = closedPeriodsBetween(day.start, day.end, 'hour', AMSTERDAM);
    expect(hours).toHaveLength(25);
    expect(hours.every((hour) => hour.end - hour.start === HOUR)).toBe(true);
    expect(hours.map((hour) => formatLocalIso(hour.start, AMSTERDAM)).slice(1, 5)).toEqual([
      '2025-10-26T01:00:00+02:00',
      '2025-10-26T02:00:00+02:00',
      '2025-10-26T02:00:00+01:00',
      '2025-10-26T03:00:00+01:00',
    ]);
  });

  it('splits the March day into 23 hours', () => {
    const day = periodContaining(utc('2025-03-30T12:00:00Z'), 'day', AMSTERDAM);
    expect(closedPeriodsBetween(day.start, day.end, 'hour', AMSTERDAM)).toHaveLength(23);
  });

  it('starts ISO weeks on Monday at local midnight, across the DST change (167-hour week)', () => {
    const week = periodContaining(utc('2025-03-30T10:00:00Z'), 'week', AMSTERDAM);
    expect(formatLocalIso(week.start, AMSTERDAM)).toBe('2025-03-24T00:00:00+01:00');
    expect(formatLocalIso(week.end, AMSTERDAM)).toBe('2025-03-31T00:00:00+02:00');
    expect((week.end - week.start) / HOUR).toBe(167);
  });

  it('runs a week across the year end from Monday 29 December to Monday 5 January', () => {
    const week = periodContaining(utc('2026-01-01T08:00:00Z'), 'week', AMSTERDAM);
    expect(formatLocalIso(week.start, AMSTERDAM)).toBe('2025-12-29T00:00:00+01:00');
    expect(formatLocalIso(week.end, AMSTERDAM)).toBe('2026-01-05T00:00:00+01:00');
  });

  it('puts 00:30 on New Year’s Day (23:30 UTC on 31 December) in January, not December', () => {
    const month = periodContaining(utc('2025-12-31T23:30:00Z'), 'month', AMSTERDAM);
    expect(formatLocalIso(month.start, AMSTERDAM)).toBe('2026-01-01T00:00:00+01:00');
    expect(formatLocalIso(month.end, AMSTERDAM)).toBe('2026-02-01T00:00:00+01:00');
    const december = periodContaining(utc('2025-12-31T22:59:00Z'), 'month', AMSTERDAM);
    expect(formatLocalIso(december.start, AMSTERDAM)).toBe('2025-12-01T00:00:00+01:00');
    expect(december.end).toBe(month.start);
  });

  it('gives March 2025 one hour less than 31 days', () => {
    const march = periodContaining(utc('2025-03-15T12:00:00Z'), 'month', AMSTERDAM);
    expect((march.end - march.start) / HOUR).toBe(31 * 24 - 1);
  });

  it('tiles time without gaps or overlaps for every period length, in Amsterdam and Brussels', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: utc('2023-01-01T00:00:00Z'), max: utc('2027-12-31T00:00:00Z') }),
        fc.constantFrom(...PERIOD_LENGTHS),
        fc.constantFrom(AMSTERDAM, 'Europe/Brussels'),
        (at, length, zone) => {
          const period = periodContaining(at, length, zone);
          expect(period.start).toBeLessThanOrEqual(at);
          expect(period.end).toBeGreaterThan(at);
          expect(periodContaining(period.end, length, zone).start).toBe(period.end);
          expect(periodContaining(period.start - 1, length, zone).end).toBe(period.start);
        },
      ),
      { numRuns: 400 },
    );
  });
});

describe('closedPeriodsBetween', () => {
  it('starts with the period that contains `from` and stops before the one still running', () => {
    const from = utc('2025-06-01T08:37:00Z');
    const now = utc('2025-06-04T10:00:00Z');
    const days = closedPeriodsBetween(from, now, 'day', AMSTERDAM);
    expect(days.map((day) => formatLocalIso(day.start, AMSTERDAM))).toEqual([
      '2025-06-01T00:00:00+02:00',
      '2025-06-02T00:00:00+02:00',
      '2025-06-03T00:00:00+02:00',
    ]);
  });

  it('returns nothing while the first period is still running, and respects the limit', () => {
    expect(closedPeriodsBetween(utc('2025-06-01T08:00:00Z'), utc('2025-06-01T20:00:00Z'), 'day', AMSTERDAM)).toEqual([]);
    expect(closedPeriodsBetween(utc('2025-06-01T08:00:00Z'), utc('2025-06-01T20:00:00Z'), 'minute', AMSTERDAM, 5)).toHaveLength(5);
  });
});
