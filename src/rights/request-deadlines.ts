/**
 * The deadlines of a caller's request, as calendar math in the site's time zone. A period "of one
 * month" runs, as EU Regulation 1182/71 (art. 3(2)(c)) counts it, to the end of the day with the
 * same date in the next month, or to the end of that month's last day when it has no such date:
 * received 15 March, due when 15 April ends; received 31 January, due when 28 (29) February ends.
 * GDPR art. 12(3) allows two further months; they are counted from the receipt (three months in all),
 * so 31 January extends to the end of 30 April, not of 28 April.
 */
import { addCalendarMonths, instantAtLocalWallTime, localWallTime, startOfLocalDate } from '../retention/retention-calendar.js';
import type { CallerRequestAlert } from './caller-request-types.js';

const DAY = 24 * 60 * 60 * 1000;

export const ANSWER_MONTHS = 1;
export const EXTENDED_ANSWER_MONTHS = 3;
/** A request is nearly due from the start of the local day a week before its deadline. */
export const NEARLY_DUE_DAYS = 7;

/** The end (next local midnight) of the local day `months` calendar months after the day of `receivedAt`. */
export function dueAfterMonths(receivedAt: number, months: number, timeZone: string): number {
  const wall = new Date(localWallTime(receivedAt, timeZone));
  const receivedOn = { year: wall.getUTCFullYear(), month: wall.getUTCMonth() + 1, day: wall.getUTCDate() };
  const lastDay = addCalendarMonths(receivedOn, months);
  const dayAfter = new Date(Date.UTC(lastDay.year, lastDay.month - 1, lastDay.day + 1));
  return startOfLocalDate({ year: dayAfter.getUTCFullYear(), month: dayAfter.getUTCMonth() + 1, day: dayAfter.getUTCDate() }, timeZone);
}

/** When the answer is due without an extension: one month. */
export function originalDueAt(receivedAt: number, timeZone: string): number {
  return dueAfterMonths(receivedAt, ANSWER_MONTHS, timeZone);
}

/** When the answer is due with the one extension allowed: three months from receipt. */
export function extendedDueAt(receivedAt: number, timeZone: string): number {
  return dueAfterMonths(receivedAt, EXTENDED_ANSWER_MONTHS, timeZone);
}

/** Local midnight `NEARLY_DUE_DAYS` calendar days before `dueAt` (itself a local midnight), through DST. */
export function nearlyDueFrom(dueAt: number, timeZone: string): number {
  return instantAtLocalWallTime(localWallTime(dueAt, timeZone) - NEARLY_DUE_DAYS * DAY, timeZone);
}

/** The alert an open request raises at `now`; answered requests raise none. */
export function deadlineAlert(dueAt: number, answered: boolean, now: number, timeZone: string): CallerRequestAlert | null {
  if (answered) return null;
  if (now >= dueAt) return 'overdue';
  if (now >= nearlyDueFrom(dueAt, timeZone)) return 'nearly-due';
  return null;
}
