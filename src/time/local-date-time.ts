/** A calendar date in a time zone: `month` 1–12. */
export interface LocalDate {
  readonly year: number;
  readonly month: number;
  readonly day: number;
}

export interface LocalDateTime extends LocalDate {
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** One formatter per zone, made once: creating an Intl.DateTimeFormat costs far more than using it. */
function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** Throws a RangeError for a name Intl does not know, so a config typo fails at start. */
export function assertTimeZone(timeZone: string): void {
  formatterFor(timeZone);
}

/** The wall-clock date and time at `at` in `timeZone`. */
export function localDateTime(at: number, timeZone: string): LocalDateTime {
  const fields: Record<string, number> = {};
  for (const part of formatterFor(timeZone).formatToParts(new Date(at))) {
    if (part.type !== 'literal') fields[part.type] = Number(part.value);
  }
  return {
    year: fields['year'] ?? NaN,
    month: fields['month'] ?? NaN,
    day: fields['day'] ?? NaN,
    hour: fields['hour'] ?? NaN,
    minute: fields['minute'] ?? NaN,
    second: fields['second'] ?? NaN,
  };
}

/** 0 = Monday … 6 = Sunday, for a calendar date (no zone involved once the date is known). */
export function weekdayOf(date: LocalDate): number {
  return (new Date(Date.UTC(date.year, date.month - 1, date.day)).getUTCDay() + 6) % 7;
}
