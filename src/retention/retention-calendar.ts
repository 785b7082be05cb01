/**
 * Retention deadlines as calendar math in the site's time zone. Pure: every function takes the
 * instant it reasons about, none reads a clock. Instants are epoch milliseconds; a "wall time" is
 * the local date and time written as if it were UTC (Date.UTC fields), so calendar arithmetic can
 * use the UTC methods of Date without touching the process's own zone.
 */
import { utcOffsetAt } from '../upstream/period-calendar.js';
import { monthEpochAt, shiftMonthEpoch, type MonthEpoch } from '../time/month-epoch.js';
import type { RetentionRule } from './retention-rules.js';

export interface LocalDate {
  readonly year: number;
  readonly month: number;
  readonly day: number;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** `months` calendar months after `date` (negative: before), the day clamped to the month's end: 31 Jan + 1 = 28/29 Feb. */
export function addCalendarMonths(date: LocalDate, months: number): LocalDate {
  if (!Number.isInteger(months)) throw new RangeError(`months must be a whole number, got ${months}`);
  const index = date.year * 12 + (date.month - 1) + months;
  const year = Math.floor(index / 12);
  const month = (index % 12) + 1;
  return { year, month, day: Math.min(date.day, daysInMonth(year, month)) };
}

/** The local wall time of an instant, as milliseconds in the Date.UTC frame. */
export function localWallTime(at: number, timeZone: string): number {
  return at + utcOffsetAt(at, timeZone);
}

/** The first instant in (lo, hi] whose offset is no longer lo's; the caller knows one change lies there. */
function offsetChangeIn(lo: number, hi: number, timeZone: string): number {
  const before = utcOffsetAt(lo, timeZone);
  let low = lo;
  let high = hi;
  while (high - low > 1) {
    const mid = Math.floor((low + high) / 2);
    if (utcOffsetAt(mid, timeZone) === before) low = mid;
    else high = mid;
  }
  return high;
}

/**
 * The instant a local wall time names. A wall time that happens twice (autumn) is its first
 * occurrence; one skipped by spring-forward is the end of the gap (02:30 becomes 03:00), which keeps
 * the mapping monotone, as period-calendar does for a skipped midnight.
 */
export function instantAtLocalWallTime(wall: number, timeZone: string): number {
  const offsetBefore = utcOffsetAt(wall - DAY, timeZone);
  const offsetAfter = utcOffsetAt(wall + DAY, timeZone);
  const candidates = [...new Set([offsetBefore, utcOffsetAt(wall, timeZone), offsetAfter])]
    .map((offset) => wall - offset)
    .filter((instant) => localWallTime(instant, timeZone) === wall)
    .sort((a, b) => a - b);
  const first = candidates[0];
  if (first !== undefined) return first;
  if (offsetAfter <= offsetBefore) throw new RangeError(`local time ${new Date(wall).toISOString().slice(0, 19)} does not exist in ${timeZone}`);
  return offsetChangeIn(wall - offsetAfter, wall - offsetBefore, timeZone);
}

export function startOfLocalDate(date: LocalDate, timeZone: string): number {
  return instantAtLocalWallTime(Date.UTC(date.year, date.month - 1, date.day), timeZone);
}

function epochParts(epoch: MonthEpoch): { year: number; month: number } {
  return { year: Number(epoch.slice(0, 4)), month: Number(epoch.slice(5, 7)) };
}

/** Local midnight on the first of the epoch's month. */
export function startOfLocalMonth(epoch: MonthEpoch, timeZone: string): number {
  return startOfLocalDate({ ...epochParts(epoch), day: 1 }, timeZone);
}

/** Local midnight on 1 January of `year`. */
export function startOfLocalYear(year: number, timeZone: string): number {
  return startOfLocalDate({ year, month: 1, day: 1 }, timeZone);
}

export function localYearAt(at: number, timeZone: string): number {
  return new Date(localWallTime(at, timeZone)).getUTCFullYear();
}

/**
 * The latest wall time reached up to `at`. It is `at`'s own wall time except in the repeated hour
 * of autumn's second pass, where the clock already showed a later time (the end of the first pass).
 */
function wallTimeReachedBy(at: number, timeZone: string): number {
  const wall = localWallTime(at, timeZone);
  const offsetNow = utcOffsetAt(at, timeZone);
  const offsetEarlier = utcOffsetAt(at - DAY, timeZone);
  if (offsetEarlier <= offsetNow) return wall;
  const change = offsetChangeIn(at - DAY, at, timeZone);
  return Math.max(wall, change + offsetEarlier);
}

/**
 * `months` calendar months after `at`, keeping the local wall-clock time across DST: a block given
 * at 14:00 ends at 14:00 local. Two refinements keep the end monotone in the start (a later start
 * never ends earlier): a start whose day the target month lacks (31 Jan + 1 month) ends when that
 * month's last day ends, and a start in autumn's repeated hour counts from the end of that hour.
 */
export function localMonthsAfter(at: number, months: number, timeZone: string): number {
  const wall = wallTimeReachedBy(at, timeZone);
  const day = new Date(wall);
  const date = { year: day.getUTCFullYear(), month: day.getUTCMonth() + 1, day: day.getUTCDate() };
  const target = addCalendarMonths(date, months);
  if (target.day !== date.day) {
    return startOfLocalDate(addCalendarMonths({ ...target, day: 1 }, 1), timeZone);
  }
  const timeOfDay = wall - Date.UTC(date.year, date.month - 1, date.day);
  return instantAtLocalWallTime(Date.UTC(target.year, target.month - 1, target.day) + timeOfDay, timeZone);
}

/**
 * The instant the item must be gone by. Month windows end at local midnight on the first of the
 * month `months` after the item's month; the calendar year at local midnight on 1 January after
 * receipt; hours are real elapsed hours; `keep` never ends; `not-kept` is due at once.
 */
export function expiresAt(rule: RetentionRule, itemAt: number, timeZone: string): number {
  switch (rule.kind) {
    case 'month-window':
      return startOfLocalMonth(shiftMonthEpoch(monthEpochAt(itemAt, timeZone), rule.months), timeZone);
    case 'calendar-year':
      return startOfLocalYear(localYearAt(itemAt, timeZone) + 1, timeZone);
    case 'duration':
      return 'hours' in rule.length ? itemAt + rule.length.hours * HOUR : localMonthsAfter(itemAt, rule.length.months, timeZone);
    case 'keep':
      return Number.POSITIVE_INFINITY;
    case 'not-kept':
      return itemAt;
  }
}

/** Whether an item stored at `itemAt` must be gone at `now`. */
export function isDue(rule: RetentionRule, itemAt: number, now: number, timeZone: string): boolean {
  return expiresAt(rule, itemAt, timeZone) <= now;
}

/**
 * The oldest month epoch whose keys the rule still needs at `now`; older keys are due. Undefined for
 * rules that keep no per-month keys (durations, keep).
 */
export function oldestLiveEpoch(rule: RetentionRule, now: number, timeZone: string): MonthEpoch | undefined {
  const current = monthEpochAt(now, timeZone);
  switch (rule.kind) {
    case 'month-window':
      return shiftMonthEpoch(current, -(rule.months - 1));
    case 'calendar-year':
      return shiftMonthEpoch(current, -(epochParts(current).month - 1));
    case 'not-kept':
      return current;
    case 'duration':
    case 'keep':
      return undefined;
  }
}

/** The epochs among `liveEpochs` whose keys are due at `now`, oldest first, each once. */
export function epochsDue(rule: RetentionRule, now: number, timeZone: string, liveEpochs: readonly MonthEpoch[]): MonthEpoch[] {
  const oldest = oldestLiveEpoch(rule, now, timeZone);
  if (oldest === undefined) return [];
  return [...new Set(liveEpochs.filter((epoch) => epoch < oldest))].sort();
}

/**
 * The next instant after `now` at which the rule's window moves and a month's keys become due.
 * Undefined where each item has its own end (durations) or nothing ends (keep).
 */
export function nextDeadline(rule: RetentionRule, now: number, timeZone: string): number | undefined {
  const current = monthEpochAt(now, timeZone);
  switch (rule.kind) {
    case 'month-window':
    case 'not-kept':
      return startOfLocalMonth(shiftMonthEpoch(current, 1), timeZone);
    case 'calendar-year':
      return startOfLocalYear(epochParts(current).year + 1, timeZone);
    case 'duration':
    case 'keep':
      return undefined;
  }
}

/**
 * Items stored before this instant are due at `now` (`itemAt < dueBefore(...)` exactly when
 * `expiresAt(itemAt) <= now`), so a sweeper can delete by one indexed range. Undefined for `keep`.
 */
export function dueBefore(rule: RetentionRule, now: number, timeZone: string): number | undefined {
  switch (rule.kind) {
    case 'month-window':
    case 'calendar-year': {
      const oldest = oldestLiveEpoch(rule, now, timeZone);
      return oldest === undefined ? undefined : startOfLocalMonth(oldest, timeZone);
    }
    case 'not-kept':
      return now + 1;
    case 'keep':
      return undefined;
    case 'duration': {
      if ('hours' in rule.length) return now - rule.length.hours * HOUR + 1;
      // Month ends clamp and follow DST, so search the first start that is not yet due; the end is
      // monotone in the start, and never more than months × 31 days + 1 day + 1 hour after it.
      let due = now - (rule.length.months * 31 + 2) * DAY;
      let live = now;
      while (live - due > 1) {
        const mid = Math.floor((due + live) / 2);
        if (expiresAt(rule, mid, timeZone) <= now) due = mid;
        else live = mid;
      }
      return live;
    }
  }
}
