import { localDateTime, type LocalDate } from '../time/local-date-time.js';

/**
 * Statistics periods in the site's time zone. Day, week and month boundaries fall on local midnight,
 * so a day is 23 or 25 hours long on the DST change days and a month follows the local calendar;
 * weeks are ISO weeks (Monday to Monday). Hours are real 60-minute hours, so the repeated hour in
 * October is two periods, not one of two hours.
 */
export type PeriodLength = 'minute' | 'hour' | 'day' | 'week' | 'month';

export const PERIOD_LENGTHS: readonly PeriodLength[] = ['minute', 'hour', 'day', 'week', 'month'];

/** Half-open interval [start, end) in epoch milliseconds. */
export interface Period {
  readonly start: number;
  readonly end: number;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Local time minus UTC at `at`, in milliseconds (+3_600_000 for Amsterdam in winter). */
export function utcOffsetAt(at: number, timeZone: string): number {
  const local = localDateTime(at, timeZone);
  const asUtc = Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute, local.second);
  return asUtc - Math.floor(at / 1000) * 1000;
}

function sameDate(a: LocalDate, b: LocalDate): boolean {
  return a.year === b.year && a.month === b.month && a.day === b.day;
}

/**
 * The first instant of a local calendar date. Midnight normally exists once; where a zone skips
 * midnight the day starts at the end of the gap, where it repeats midnight the earlier one counts.
 */
function startOfLocalDate(date: LocalDate, timeZone: string): number {
  const wall = Date.UTC(date.year, date.month - 1, date.day);
  const offsets = new Set([utcOffsetAt(wall - DAY, timeZone), utcOffsetAt(wall, timeZone), utcOffsetAt(wall + DAY, timeZone)]);
  const candidates = [...offsets]
    .map((offset) => wall - offset)
    .filter((instant) => sameDate(localDateTime(instant, timeZone), date))
    .sort((a, b) => a - b);
  const first = candidates[0];
  if (first === undefined) throw new RangeError(`no start of day found for ${date.year}-${date.month}-${date.day} in ${timeZone}`);
  return first;
}

/** The calendar date `days` after `date` (negative: before), in the proleptic Gregorian calendar. */
function shiftDate(date: LocalDate, days: number): LocalDate {
  const shifted = new Date(Date.UTC(date.year, date.month - 1, date.day + days));
  return { year: shifted.getUTCFullYear(), month: shifted.getUTCMonth() + 1, day: shifted.getUTCDate() };
}

/** The period of the given length that contains `at`, in the site's time zone. */
export function periodContaining(at: number, length: PeriodLength, timeZone: string): Period {
  if (!Number.isFinite(at)) throw new RangeError('period instant must be a finite number');
  switch (length) {
    case 'minute': {
      const start = Math.floor(at / MINUTE) * MINUTE;
      return { start, end: start + MINUTE };
    }
    case 'hour': {
      // Floor in wall-clock time, then map back with the same offset: each real hour is a period.
      const offset = utcOffsetAt(at, timeZone);
      const start = Math.floor((at + offset) / HOUR) * HOUR - offset;
      return { start, end: start + HOUR };
    }
    case 'day': {
      const today = localDateTime(at, timeZone);
      return { start: startOfLocalDate(today, timeZone), end: startOfLocalDate(shiftDate(today, 1), timeZone) };
    }
    case 'week': {
      const today = localDateTime(at, timeZone);
      const weekday = new Date(Date.UTC(today.year, today.month - 1, today.day)).getUTCDay();
      const monday = shiftDate(today, -((weekday + 6) % 7));
      return { start: startOfLocalDate(monday, timeZone), end: startOfLocalDate(shiftDate(monday, 7), timeZone) };
    }
    case 'month': {
      const today = localDateTime(at, timeZone);
      const first = { year: today.year, month: today.month, day: 1 };
      const next = today.month === 12 ? { year: today.year + 1, month: 1, day: 1 } : { year: today.year, month: today.month + 1, day: 1 };
      return { start: startOfLocalDate(first, timeZone), end: startOfLocalDate(next, timeZone) };
    }
  }
}

/**
 * Every period that has ended by `now`, starting with the one that contains `from`: pass the end
 * of the last closed period (aligned, so the next period comes first) or the first registration's
 * time (the period it falls in comes first). Oldest first, at most `limit` of them.
 */
export function closedPeriodsBetween(from: number, now: number, length: PeriodLength, timeZone: string, limit = Number.POSITIVE_INFINITY): Period[] {
  const periods: Period[] = [];
  let period = periodContaining(from, length, timeZone);
  while (period.end <= now && periods.length < limit) {
    periods.push(period);
    period = periodContaining(period.end, length, timeZone);
  }
  return periods;
}

/** RFC 3339 text with the site's offset (`2025-03-30T00:00:00+01:00`): an exact instant that still shows local midnight. */
export function formatLocalIso(at: number, timeZone: string): string {
  if (at % 1000 !== 0) throw new RangeError('period boundaries are whole seconds');
  const offset = utcOffsetAt(at, timeZone);
  const wall = new Date(at + offset).toISOString().slice(0, 19);
  const sign = offset < 0 ? '-' : '+';
  const minutes = Math.abs(offset) / MINUTE;
  const hh = String(Math.floor(minutes / 60)).padStart(2, '0');
  const mm = String(minutes % 60).padStart(2, '0');
  return `${wall}${sign}${hh}:${mm}`;
}
