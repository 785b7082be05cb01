/**
 * The sentences the box says, as segment lists: the queue message with an estimated wait, and
 * "tot dinsdag 3 maart om 14 uur 30" for the end of a Time Out or a block. Dates are taken in the
 * site's time zone through Intl, so the hour spoken is the local one on both sides of a DST change.
 */
import { localDateTime, weekdayOf } from '../time/local-date-time.js';
import { MONTH_SEGMENTS, numberSegment, WEEKDAY_SEGMENTS, type PromptSegment } from './prompt-catalog.js';

const MINUTE = 60_000;
export interface LocalDateParts {
  /** 0 = Monday … 6 = Sunday. */
  readonly weekday: number;
  readonly day: number;
  /** 1–12. */
  readonly month: number;
  readonly hour: number;
  readonly minute: number;
}

export function localDateParts(epochMillis: number, timeZone: string): LocalDateParts {
  const local = localDateTime(epochMillis, timeZone);
  return { weekday: weekdayOf(local), day: local.day, month: local.month, hour: local.hour, minute: local.minute };
}

/**
 * "dinsdag 3 maart om 14 uur 30" (the minutes left out on the hour). Rounded up to the next whole
 * minute: a caller told 14:30 who calls at 14:30 must not still be refused.
 */
export function spokenInstant(epochMillis: number, timeZone: string): PromptSegment[] {
  const { weekday, day, month, hour, minute } = localDateParts(Math.ceil(epochMillis / MINUTE) * MINUTE, timeZone);
  const segments: PromptSegment[] = [
    WEEKDAY_SEGMENTS[weekday] ?? 'maandag',
    numberSegment(day),
    MONTH_SEGMENTS[month - 1] ?? 'januari',
    'om',
    numberSegment(hour),
    'uur',
  ];
  if (minute !== 0) segments.push(numberSegment(minute));
  return segments;
}

/** "Je hebt een time-out tot … Je kunt daarna weer bellen." */
export function timeOutMessage(untilEpochMillis: number, timeZone: string): PromptSegment[] {
  return ['time-out-tot', ...spokenInstant(untilEpochMillis, timeZone), 'daarna-weer-bellen'];
}

/** "Je bent geblokkeerd tot … Je kunt daarna weer bellen." */
export function blockedMessage(untilEpochMillis: number, timeZone: string): PromptSegment[] {
  return ['geblokkeerd-tot', ...spokenInstant(untilEpochMillis, timeZone), 'daarna-weer-bellen'];
}

/**
 * "Alle vrijwilligers zijn in gesprek. De verwachte wachttijd is ongeveer 4 minuten." The wait is
 * rounded up to whole minutes (at least 1); past an hour the sentence says so; without an
 * estimate only the first sentence is said.
 */
export function queueMessage(estimatedWaitMinutes: number | undefined): PromptSegment[] {
  const segments: PromptSegment[] = ['alle-vrijwilligers-in-gesprek'];
  if (estimatedWaitMinutes === undefined || !Number.isFinite(estimatedWaitMinutes) || estimatedWaitMinutes < 0) return segments;
  const minutes = Math.max(1, Math.ceil(estimatedWaitMinutes));
  if (minutes > 59) return [...segments, 'wachttijd-langer-dan-een-uur'];
  return [...segments, 'verwachte-wachttijd', numberSegment(minutes), minutes === 1 ? 'minuut' : 'minuten'];
}
