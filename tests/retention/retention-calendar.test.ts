import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { policyPresets, type Policy } from '../../src/config/policy-presets.js';
import {
  addCalendarMonths,
  dueBefore,
  epochsDue,
  expiresAt,
  instantAtLocalWallTime,
  isDue,
  localMonthsAfter,
  nextDeadline,
  oldestLiveEpoch,
  startOfLocalMonth,
} from '../../src/retention/retention-calendar.js';
import { retentionRules, ruleFor, type RetentionDataClass, type RetentionRule } from '../../src/retention/retention-rules.js';
import { asMonthEpoch, shiftMonthEpoch, type MonthEpoch } from '../../src/time/month-epoch.js';
import { formatLocalIso, periodContaining } from '../../src/upstream/period-calendar.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const ZONES = ['Europe/Amsterdam', 'Europe/Brussels'] as const;
const SITES = [
  { timeZone: 'Europe/Amsterdam', policy: policyPresets['allesoke-nl'] },
  { timeZone: 'Europe/Brussels', policy: policyPresets['lumi-be'] },
] as const;

const at = (iso: string): number => Date.parse(iso);
const epoch = (text: string): MonthEpoch => asMonthEpoch(text);

function rule(policy: Policy, dataClass: RetentionDataClass): RetentionRule {
  return ruleFor(retentionRules(policy), dataClass);
}

/** Live a day before the deadline, due a day after. */
function expectBoundary(r: RetentionRule, itemAt: number, timeZone: string, deadline: number): void {
  expect(formatLocalIso(expiresAt(r, itemAt, timeZone), timeZone)).toBe(formatLocalIso(deadline, timeZone));
  expect(isDue(r, itemAt, deadline - DAY, timeZone)).toBe(false);
  expect(isDue(r, itemAt, deadline - 1, timeZone)).toBe(false);
  expect(isDue(r, itemAt, deadline, timeZone)).toBe(true);
  expect(isDue(r, itemAt, deadline + DAY, timeZone)).toBe(true);
}

describe('calendar months on local dates', () => {
  it('clamps to the end of a shorter month: 31 Jan + 1 month is 28 Feb, or 29 Feb in a leap year', () => {
    expect(addCalendarMonths({ year: 2025, month: 1, day: 31 }, 1)).toEqual({ year: 2025, month: 2, day: 28 });
    expect(addCalendarMonths({ year: 2024, month: 1, day: 31 }, 1)).toEqual({ year: 2024, month: 2, day: 29 });
    expect(addCalendarMonths({ year: 2025, month: 10, day: 31 }, 1)).toEqual({ year: 2025, month: 11, day: 30 });
    expect(addCalendarMonths({ year: 2025, month: 3, day: 31 }, -1)).toEqual({ year: 2025, month: 2, day: 28 });
  });

  it('moves 29 Feb of a leap year to 29 Mar after one month and to 28 Feb after twelve', () => {
    expect(addCalendarMonths({ year: 2024, month: 2, day: 29 }, 1)).toEqual({ year: 2024, month: 3, day: 29 });
    expect(addCalendarMonths({ year: 2024, month: 2, day: 29 }, 12)).toEqual({ year: 2025, month: 2, day: 28 });
    expect(addCalendarMonths({ year: 2024, month: 2, day: 29 }, 48)).toEqual({ year: 2028, month: 2, day: 29 });
  });

  it('crosses the year end both ways', () => {
    expect(addCalendarMonths({ year: 2025, month: 11, day: 15 }, 3)).toEqual({ year: 2026, month: 2, day: 15 });
    expect(addCalendarMonths({ year: 2026, month: 2, day: 15 }, -3)).toEqual({ year: 2025, month: 11, day: 15 });
  });
});

describe('local wall times across DST', () => {
  it('maps a wall time skipped by spring-forward to the end of the gap, and a repeated one to its first occurrence', () => {
    for (const timeZone of ZONES) {
      expect(instantAtLocalWallTime(Date.UTC(2025, 2, 30, 2, 30), timeZone)).toBe(at('2025-03-30T01:00:00Z'));
      expect(instantAtLocalWallTime(Date.UTC(2025, 9, 26, 2, 30), timeZone)).toBe(at('2025-10-26T00:30:00Z'));
      expect(instantAtLocalWallTime(Date.UTC(2025, 9, 26, 3, 0), timeZone)).toBe(at('2025-10-26T02:00:00Z'));
    }
  });

  it('starts every local month where the statistics calendar does', () => {
    for (const timeZone of ZONES) {
      let month = epoch('2023-01');
      for (let i = 0; i < 36; i++, month = shiftMonthEpoch(month, 1)) {
        const start = startOfLocalMonth(month, timeZone);
        expect(start).toBe(periodContaining(start, 'month', timeZone).start);
        expect(formatLocalIso(start, timeZone)).toMatch(new RegExp(`^${month}-01T00:00:00\\+0[12]:00$`));
      }
    }
  });

  it('keeps the local wall-clock time when adding months over a DST change', () => {
    for (const timeZone of ZONES) {
      expect(localMonthsAfter(at('2024-12-30T14:00:00+01:00'), 3, timeZone)).toBe(at('2025-03-30T14:00:00+02:00'));
      expect(localMonthsAfter(at('2025-07-26T14:00:00+02:00'), 3, timeZone)).toBe(at('2025-10-26T14:00:00+01:00'));
    }
  });
});

describe('each rule at its boundary, a day before and a day after', () => {
  it('keeps a sealed phone number and its linkage six calendar months counted from its local month', () => {
    for (const { timeZone, policy } of SITES) {
      for (const dataClass of ['phone-number', 'phone-linkage'] as const) {
        expectBoundary(rule(policy, dataClass), at('2025-03-15T10:00:00+01:00'), timeZone, at('2025-09-01T00:00:00+02:00'));
        // 00:30 local on 1 April is April there, though still March in UTC.
        expectBoundary(rule(policy, dataClass), at('2025-03-31T22:30:00Z'), timeZone, at('2025-10-01T00:00:00+02:00'));
        expectBoundary(rule(policy, dataClass), at('2025-03-31T21:30:00Z'), timeZone, at('2025-09-01T00:00:00+02:00'));
      }
    }
  });

  it('keeps a chat transcript and its IP three months in the Netherlands and six in Belgium', () => {
    const item = at('2025-01-31T23:30:00+01:00');
    for (const dataClass of ['chat-transcript', 'chat-ip'] as const) {
      expectBoundary(rule(policyPresets['allesoke-nl'], dataClass), item, 'Europe/Amsterdam', at('2025-04-01T00:00:00+02:00'));
      expectBoundary(rule(policyPresets['lumi-be'], dataClass), item, 'Europe/Brussels', at('2025-07-01T00:00:00+02:00'));
    }
  });

  it('deletes a mail received at 23:59 on 31 December at local midnight, and keeps one from 00:01 on 1 January a whole year', () => {
    for (const { timeZone, policy } of SITES) {
      const mail = rule(policy, 'mail');
      expectBoundary(mail, at('2025-12-31T23:59:00+01:00'), timeZone, at('2026-01-01T00:00:00+01:00'));
      expectBoundary(mail, at('2026-01-01T00:01:00+01:00'), timeZone, at('2027-01-01T00:00:00+01:00'));
      // 23:30 UTC on 31 December is already the new year on the site.
      expectBoundary(mail, at('2025-12-31T23:30:00Z'), timeZone, at('2027-01-01T00:00:00+01:00'));
      expect(isDue(mail, at('2025-12-31T23:59:00+01:00'), at('2025-12-31T23:59:59+01:00'), timeZone)).toBe(false);
    }
  });

  it('ends a time-out after real elapsed hours, across spring-forward and fall-back', () => {
    for (const { timeZone, policy } of SITES) {
      const timeOut = rule(policy, 'time-out');
      expectBoundary(timeOut, at('2025-03-29T12:00:00+01:00'), timeZone, at('2025-03-30T13:00:00+02:00'));
      expectBoundary(timeOut, at('2025-10-25T12:00:00+02:00'), timeZone, at('2025-10-26T11:00:00+01:00'));
    }
    const week = ruleFor(retentionRules({ ...policyPresets['allesoke-nl'], timeOutHours: 168 }), 'time-out');
    expectBoundary(week, at('2025-01-01T08:00:00Z'), 'Europe/Amsterdam', at('2025-01-08T08:00:00Z'));
  });

  it('ends a block three calendar months later at local midnight on the DST change days, right in UTC', () => {
    for (const { timeZone, policy } of SITES) {
      const block = rule(policy, 'block');
      expectBoundary(block, at('2024-12-30T00:00:00+01:00'), timeZone, at('2025-03-29T23:00:00Z'));
      expectBoundary(block, at('2025-07-26T00:00:00+02:00'), timeZone, at('2025-10-25T22:00:00Z'));
      // 02:30 does not exist on 30 March 2025: the block ends when the clock jumps to 03:00.
      expectBoundary(block, at('2024-12-30T02:30:00+01:00'), timeZone, at('2025-03-30T03:00:00+02:00'));
    }
  });

  it('ends a block given on a day the target month lacks when that month ends, leap years included', () => {
    for (const { timeZone, policy } of SITES) {
      const block = rule(policy, 'block');
      expectBoundary(block, at('2024-11-30T10:00:00+01:00'), timeZone, at('2025-03-01T00:00:00+01:00'));
      expectBoundary(block, at('2023-11-29T10:00:00+01:00'), timeZone, at('2024-02-29T10:00:00+01:00'));
      const yearBlock = ruleFor(retentionRules({ ...policy, blockMonths: 12 }), 'block');
      expectBoundary(yearBlock, at('2024-02-29T10:00:00+01:00'), timeZone, at('2025-03-01T00:00:00+01:00'));
      const monthBlock = ruleFor(retentionRules({ ...policy, blockMonths: 1 }), 'block');
      expectBoundary(monthBlock, at('2024-02-29T10:00:00+01:00'), timeZone, at('2024-03-29T10:00:00+01:00'));
      expectBoundary(monthBlock, at('2024-01-31T10:00:00+01:00'), timeZone, at('2024-03-01T00:00:00+01:00'));
    }
  });

  it('never ends a block given in the repeated autumn hour before one given earlier that night', () => {
    const block = rule(policyPresets['allesoke-nl'], 'block');
    const firstPass = at('2024-10-27T02:50:00+02:00');
    const secondPass = at('2024-10-27T02:10:00+01:00');
    expect(secondPass).toBeGreaterThan(firstPass);
    expect(expiresAt(block, firstPass, 'Europe/Amsterdam')).toBe(at('2025-01-27T02:50:00+01:00'));
    expect(expiresAt(block, secondPass, 'Europe/Amsterdam')).toBe(at('2025-01-27T03:00:00+01:00'));
  });

  it('keeps registrations, which hold no identifier, forever', () => {
    for (const { timeZone, policy } of SITES) {
      const registration = rule(policy, 'registration');
      expect(expiresAt(registration, at('2020-01-01T00:00:00Z'), timeZone)).toBe(Number.POSITIVE_INFINITY);
      expect(isDue(registration, at('2020-01-01T00:00:00Z'), at('2060-01-01T00:00:00Z'), timeZone)).toBe(false);
      expect(dueBefore(registration, at('2060-01-01T00:00:00Z'), timeZone)).toBeUndefined();
    }
  });

  it('treats a chat transcript policy of 0 months as not kept: due at once, past months\' keys due', () => {
    const notKept = ruleFor(retentionRules({ ...policyPresets['allesoke-nl'], chatTranscriptMonths: 0 }), 'chat-ip');
    const now = at('2025-05-10T12:00:00+02:00');
    expect(isDue(notKept, now, now, 'Europe/Amsterdam')).toBe(true);
    expect(epochsDue(notKept, now, 'Europe/Amsterdam', [epoch('2025-04'), epoch('2025-05')])).toEqual(['2025-04']);
  });
});

describe('month keys: oldest live epoch, epochs due, next deadline', () => {
  it('lets a six-month window keep the current month and the five before it', () => {
    const phone = rule(policyPresets['allesoke-nl'], 'phone-number');
    const now = at('2025-07-02T12:00:00+02:00');
    expect(oldestLiveEpoch(phone, now, 'Europe/Amsterdam')).toBe('2025-02');
    const live = ['2025-07', '2024-12', '2025-02', '2025-01', '2025-01'].map(epoch);
    expect(epochsDue(phone, now, 'Europe/Amsterdam', live)).toEqual(['2024-12', '2025-01']);
    expect(nextDeadline(phone, now, 'Europe/Amsterdam')).toBe(at('2025-08-01T00:00:00+02:00'));
  });

  it('moves the month window at local midnight, not at UTC midnight', () => {
    const phone = rule(policyPresets['lumi-be'], 'phone-number');
    const live = [epoch('2025-03')];
    expect(epochsDue(phone, at('2025-08-31T21:59:59Z'), 'Europe/Brussels', live)).toEqual([]);
    expect(epochsDue(phone, at('2025-08-31T22:00:00Z'), 'Europe/Brussels', live)).toEqual(['2025-03']);
  });

  it('keeps every month of the current local year for mail and lets all of them go at the year end', () => {
    const mail = rule(policyPresets['lumi-be'], 'mail');
    const year = Array.from({ length: 12 }, (_, i) => shiftMonthEpoch(epoch('2025-01'), i));
    expect(oldestLiveEpoch(mail, at('2025-12-31T22:59:59Z'), 'Europe/Brussels')).toBe('2025-01');
    expect(epochsDue(mail, at('2025-12-31T22:59:59Z'), 'Europe/Brussels', year)).toEqual([]);
    expect(nextDeadline(mail, at('2025-12-31T22:59:59Z'), 'Europe/Brussels')).toBe(at('2026-01-01T00:00:00+01:00'));
    expect(epochsDue(mail, at('2025-12-31T23:00:00Z'), 'Europe/Brussels', [...year].reverse())).toEqual(year);
  });

  it('has no month keys for durations and registrations', () => {
    for (const dataClass of ['time-out', 'block', 'registration'] as const) {
      const r = rule(policyPresets['allesoke-nl'], dataClass);
      expect(oldestLiveEpoch(r, at('2025-05-01T00:00:00Z'), 'Europe/Amsterdam')).toBeUndefined();
      expect(nextDeadline(r, at('2025-05-01T00:00:00Z'), 'Europe/Amsterdam')).toBeUndefined();
      expect(epochsDue(r, at('2025-05-01T00:00:00Z'), 'Europe/Amsterdam', [epoch('2020-01')])).toEqual([]);
    }
  });
});

describe('properties over every rule', () => {
  const START = at('2000-01-01T00:00:00Z');
  const END = at('2040-01-01T00:00:00Z');
  // Half the instants fall within a day of a DST change or a month end, where the calendar bites.
  const edges = [at('2024-03-31T01:00:00Z'), at('2024-10-27T01:00:00Z'), at('2025-03-30T01:00:00Z'), at('2025-10-26T01:00:00Z'), at('2024-02-29T23:00:00Z'), at('2025-12-31T23:00:00Z')];
  const instant = fc.oneof(
    fc.integer({ min: START, max: END }),
    fc.tuple(fc.constantFrom(...edges), fc.integer({ min: -DAY, max: DAY })).map(([edge, offset]) => edge + offset),
  );
  const policy = fc.record({
    phoneLinkageMonths: fc.integer({ min: 1, max: 6 }),
    phoneSealedMonths: fc.integer({ min: 1, max: 6 }),
    chatTranscriptMonths: fc.integer({ min: 0, max: 6 }),
    timeOutHours: fc.integer({ min: 1, max: 744 }),
    blockMonths: fc.integer({ min: 1, max: 12 }),
    suppressionThreshold: fc.constant(10),
    timeOutsBeforeBlock: fc.constant(3),
    transcriptReaders: fc.constant('coordinators' as const),
    chatIpVisibleToCoordinators: fc.boolean(),
    trainingFragments: fc.boolean(),
  });
  const ruleArbitrary = fc.tuple(policy, fc.nat()).map(([p, index]) => {
    const rules = retentionRules(p);
    return rules[index % rules.length] as RetentionRule;
  });

  it('puts expiresAt after itemAt (at it for a not-kept rule) and keeps it monotone in itemAt', () => {
    fc.assert(
      fc.property(ruleArbitrary, fc.constantFrom(...ZONES), instant, fc.integer({ min: 0, max: 3 * DAY }), (r, timeZone, itemAt, later) => {
        const end = expiresAt(r, itemAt, timeZone);
        if (r.kind === 'not-kept') expect(end).toBe(itemAt);
        else expect(end).toBeGreaterThan(itemAt);
        expect(expiresAt(r, itemAt + later, timeZone)).toBeGreaterThanOrEqual(end);
      }),
      { numRuns: 400 },
    );
  });

  it('keeps monotone through the repeated autumn hour and the spring gap, minute by minute', () => {
    const block = rule(policyPresets['allesoke-nl'], 'block');
    for (const night of [at('2024-10-27T00:00:00Z'), at('2025-03-30T00:00:00Z'), at('2024-12-30T00:00:00Z')]) {
      let previous = Number.NEGATIVE_INFINITY;
      for (let minute = 0; minute < 4 * 60; minute += 5) {
        const end = expiresAt(block, night + minute * 60_000, 'Europe/Amsterdam');
        expect(end).toBeGreaterThanOrEqual(previous);
        previous = end;
      }
    }
  });

  it('makes dueBefore the exact cut: an item is due at now exactly when it was taken in before it', () => {
    fc.assert(
      fc.property(ruleArbitrary, fc.constantFrom(...ZONES), instant, fc.integer({ min: -2 * DAY, max: 2 * DAY }), (r, timeZone, now, around) => {
        const cut = dueBefore(r, now, timeZone);
        if (cut === undefined) return;
        for (const itemAt of [cut - 1, cut, cut + around]) {
          if (itemAt > now) continue;
          expect(itemAt < cut).toBe(isDue(r, itemAt, now, timeZone));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('lists an epoch as due exactly when the last item it could hold is due', () => {
    fc.assert(
      fc.property(ruleArbitrary, fc.constantFrom(...ZONES), instant, fc.integer({ min: -30, max: 2 }), (r, timeZone, now, shift) => {
        if (oldestLiveEpoch(r, now, timeZone) === undefined) return;
        const current = periodContaining(now, 'month', timeZone);
        const month = shiftMonthEpoch(asMonthEpoch(formatLocalIso(current.start, timeZone).slice(0, 7)), shift);
        const lastInstant = startOfLocalMonth(shiftMonthEpoch(month, 1), timeZone) - 1;
        const due = epochsDue(r, now, timeZone, [month]).length === 1;
        // A not-kept rule keeps the current month's key for contacts still in progress.
        const expected = r.kind === 'not-kept' ? lastInstant < current.start : isDue(r, lastInstant, now, timeZone);
        expect(due).toBe(expected);
      }),
      { numRuns: 300 },
    );
  });
});
