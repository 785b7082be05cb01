/**
 * A calendar month in the site's time zone, written `YYYY-MM`. Link keys and vault keys are kept
 * per month epoch, so the month is taken where the site is, not in UTC: a call at 00:30 on the first
 * of the month in Amsterdam belongs to the new month.
 */
export type MonthEpoch = string & { readonly __brand: 'MonthEpoch' };

const MONTH_EPOCH = /^(\d{4})-(0[1-9]|1[0-2])$/;
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit' });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

export function monthEpochAt(epochMillis: number, timeZone: string): MonthEpoch {
  const parts = formatterFor(timeZone).formatToParts(new Date(epochMillis));
  const year = parts.find((p) => p.type === 'year')?.value;
  const month = parts.find((p) => p.type === 'month')?.value;
  return asMonthEpoch(`${year}-${month}`);
}

export function asMonthEpoch(text: string): MonthEpoch {
  if (!MONTH_EPOCH.test(text)) throw new TypeError(`not a month epoch (YYYY-MM): ${JSON.stringify(text)}`);
  return text as MonthEpoch;
}

export function isMonthEpoch(text: string): text is MonthEpoch {
  return MONTH_EPOCH.test(text);
}

/** The month `offset` months after (negative: before) the given one. */
export function shiftMonthEpoch(epoch: MonthEpoch, offset: number): MonthEpoch {
  const match = MONTH_EPOCH.exec(epoch);
  if (!match) throw new TypeError(`not a month epoch: ${epoch}`);
  const index = Number(match[1]) * 12 + (Number(match[2]) - 1) + offset;
  const year = Math.floor(index / 12);
  const month = (index % 12) + 1;
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}` as MonthEpoch;
}

/** The `count` month epochs ending with `current`, newest first. */
export function windowEndingAt(current: MonthEpoch, count: number): MonthEpoch[] {
  return Array.from({ length: count }, (_, i) => shiftMonthEpoch(current, -i));
}

/**
 * `monthEpochAt` for one time zone, remembering the last answer for its quarter hour: every zone's
 * offset is a whole number of quarter hours, so a month never changes inside one, and the hot path
 * of a call skips Intl's formatter.
 */
export function monthEpochLookup(timeZone: string): (epochMillis: number) => MonthEpoch {
  const QUARTER_HOUR = 15 * 60 * 1000;
  let lastQuarter = Number.NaN;
  let lastEpoch: MonthEpoch | undefined;
  return (epochMillis) => {
    const quarter = Math.floor(epochMillis / QUARTER_HOUR);
    if (quarter !== lastQuarter || lastEpoch === undefined) {
      lastEpoch = monthEpochAt(epochMillis, timeZone);
      lastQuarter = quarter;
    }
    return lastEpoch;
  };
}
