import { describe, expect, it } from 'vitest';
import { assertTimeZone, localDateTime, weekdayOf } from '../../src/time/local-date-time.js';

describe('local date and time in a zone', () => {
  it('reads the wall clock of Amsterdam on both sides of the spring change, and the date across midnight UTC', () => {
    expect(localDateTime(Date.parse('2026-03-29T00:59:59Z'), 'Europe/Amsterdam')).toMatchObject({ day: 29, hour: 1, minute: 59 });
    expect(localDateTime(Date.parse('2026-03-29T01:00:00Z'), 'Europe/Amsterdam')).toMatchObject({ day: 29, hour: 3, minute: 0 });
    expect(localDateTime(Date.parse('2026-12-31T23:30:00Z'), 'Europe/Brussels')).toMatchObject({ year: 2027, month: 1, day: 1, hour: 0 });
  });

  it('numbers weekdays from Monday, and refuses a zone Intl does not know', () => {
    expect(weekdayOf({ year: 2026, month: 11, day: 23 })).toBe(0);
    expect(weekdayOf({ year: 2026, month: 11, day: 29 })).toBe(6);
    expect(() => assertTimeZone('Europe/Amsterdan')).toThrow(RangeError);
  });
});
