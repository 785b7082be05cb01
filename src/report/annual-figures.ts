import type { Channel } from '../privacy/types.js';
import { localDateTime } from '../time/local-date-time.js';
import { formatLocalIso, type PeriodLength } from '../upstream/period-calendar.js';
import { STATS_MARGIN_GROUPS, tableIndex, type StatsDimension, type StatsMessage } from '../upstream/stats-message.js';
import { byFigureDescending, NO_FIGURE, withCount, withWithheldPeriod, type Figure } from './figure.js';
import type { PublishedPeriod } from './published-periods.js';

export const ANNUAL_REPORT_SCHEMA = 'helpline.annual-report/1';

const CHANNELS: readonly Channel[] = ['phone', 'chat', 'mail'];

/** A category and its figure; lists of them are sorted largest first where the report ranks. */
export interface Ranked {
  readonly name: string;
  readonly total: Figure;
}

export interface BreakdownFigures extends Ranked {
  /** Topics within this channel or age band, largest first. */
  readonly topics: readonly Ranked[];
}

export interface MonthFigures {
  /** `YYYY-MM`, local. */
  readonly month: string;
  /** Published periods assigned to the month, withheld ones included; 0: no data (and no channels or topics). */
  readonly periods: number;
  readonly withheld: number;
  /** Null when no period was published for the month. */
  readonly total: Figure | null;
  readonly channels: readonly Ranked[];
  /** Largest first. */
  readonly topics: readonly Ranked[];
}

export interface NoiseSummary {
  /** Periods whose counts had discrete-Laplace noise added. */
  readonly periods: number;
  readonly epsilonMin: number;
  readonly epsilonMax: number;
  /** The year's budget as the last noised period of this year stated it. */
  readonly budgetSpent: number | null;
  readonly budgetTotal: number | null;
}

/** The annual report's numbers: what the HTML shows and the JSON file holds, nothing more. */
export interface AnnualReport {
  readonly schema: typeof ANNUAL_REPORT_SCHEMA;
  readonly site: string;
  readonly year: number;
  readonly timeZone: string;
  readonly coverage: {
    readonly periods: number;
    readonly withheld: number;
    readonly lengths: readonly PeriodLength[];
    /** Start of the first and end of the last period, RFC 3339 with the site's offset; null without periods. */
    readonly from: string | null;
    readonly to: string | null;
    /** The stats messages' sequence numbers the report was made from. */
    readonly seqs: readonly number[];
  };
  readonly disclosure: {
    readonly thresholds: readonly number[];
    /** The caps applied; null for periods published without a cap. */
    readonly contributionCaps: readonly (number | null)[];
    readonly noise: NoiseSummary | null;
  };
  readonly total: Figure;
  /** Every topic, largest first: the first are the themes that came up most. */
  readonly topics: readonly Ranked[];
  /** phone, chat, mail. */
  readonly channels: readonly BreakdownFigures[];
  /** In the order of the published age band list. */
  readonly ageBands: readonly BreakdownFigures[];
  /** January to December. */
  readonly months: readonly MonthFigures[];
}

/**
 * The local month a period is counted in: the one its middle falls in. Day, hour and month periods
 * lie within one month; a week that spans two counts where 4 of its 7 days are (its Thursday, as
 * ISO 8601 gives a week to a year), so a year's weeks are the ISO weeks of that year.
 */
export function monthOfPeriod(start: number, end: number, timeZone: string): { year: number; month: number } {
  const middle = localDateTime(start + Math.floor((end - start) / 2), timeZone);
  return { year: middle.year, month: middle.month };
}

class FigureTable {
  readonly #figures = new Map<string, Figure>();

  add(key: string, count: number | null): void {
    this.#figures.set(key, withCount(this.get(key), count));
  }

  withhold(key: string): void {
    this.#figures.set(key, withWithheldPeriod(this.get(key)));
  }

  get(key: string): Figure {
    return this.#figures.get(key) ?? NO_FIGURE;
  }
}

function unionInOrder(lists: Iterable<readonly string[]>): string[] {
  const seen = new Set<string>();
  for (const list of lists) for (const item of list) seen.add(item);
  return [...seen];
}

/** Counts of one margin table of a released message, looked up by category. */
function marginOf(message: StatsMessage, group: readonly StatsDimension[]): (categories: Partial<Record<StatsDimension, string>>) => number | null {
  const index = STATS_MARGIN_GROUPS.findIndex((candidate) => candidate.length === group.length && candidate.every((dimension, i) => dimension === group[i]));
  const table = message.margins[index];
  if (!table) throw new RangeError(`no margin over ${group.join(', ') || 'nothing'}`);
  return (categories) => table.counts[tableIndex(message.dimensions, group, categories)] ?? null;
}

/** Every figure key one period adds to, with the published count it adds (null: suppressed). */
function contributions(message: StatsMessage, month: string): Array<[string, () => number | null]> {
  const { topic: topics, ageBand: ageBands } = message.dimensions;
  const released = message.withheld === null;
  const look = (group: readonly StatsDimension[]): ((categories: Partial<Record<StatsDimension, string>>) => number | null) =>
    released ? marginOf(message, group) : () => null;
  const grand = look([]);
  const byTopic = look(['topic']);
  const byChannel = look(['channel']);
  const byChannelTopic = look(['channel', 'topic']);
  const byChannelAge = look(['channel', 'ageBand']);
  const byTopicAge = look(['topic', 'ageBand']);
  const list: Array<[string, () => number | null]> = [
    ['total', () => grand({})],
    [`month|${month}`, () => grand({})],
  ];
  for (const topic of topics) {
    list.push([`topic|${topic}`, () => byTopic({ topic })], [`month-topic|${month}|${topic}`, () => byTopic({ topic })]);
    for (const ageBand of ageBands) list.push([`topic-age|${topic}|${ageBand}`, () => byTopicAge({ topic, ageBand })]);
  }
  for (const channel of CHANNELS) {
    list.push([`channel|${channel}`, () => byChannel({ channel })], [`month-channel|${month}|${channel}`, () => byChannel({ channel })]);
    for (const topic of topics) list.push([`channel-topic|${channel}|${topic}`, () => byChannelTopic({ channel, topic })]);
    // An age band's total is its channels' counts added up: three published counts per period.
    for (const ageBand of ageBands) list.push([`age|${ageBand}`, () => byChannelAge({ channel, ageBand })]);
  }
  return list;
}

const monthKey = (year: number, month: number): string => `${year}-${String(month).padStart(2, '0')}`;
const distinct = <T>(values: readonly T[]): T[] => [...new Set(values)];

/** Noise of the released periods; the budget as the last period of the year stated it, a withheld one included. */
function noiseSummary(periods: readonly PublishedPeriod[], year: number): NoiseSummary | null {
  const noised = periods.flatMap((period) => (period.message.withheld === null && period.message.disclosure.noise ? [period.message.disclosure.noise] : []));
  if (noised.length === 0) return null;
  const ofYear = periods.flatMap((period) => (period.message.disclosure.noise?.budget.year === year ? [period.message.disclosure.noise.budget] : []));
  const last = ofYear[ofYear.length - 1];
  return {
    periods: noised.length,
    epsilonMin: Math.min(...noised.map((noise) => noise.epsilon)),
    epsilonMax: Math.max(...noised.map((noise) => noise.epsilon)),
    budgetSpent: last ? Math.max(...ofYear.map((budget) => budget.spent)) : null,
    budgetTotal: last ? last.total : null,
  };
}

/**
 * The annual report's numbers, from the published periods alone: every figure is a sum of counts
 * from the periods' margin tables (the grand total, per topic, per channel, per channel and topic,
 * per channel and age band, per topic and age band), never from registrations. Periods are
 * counted in the month their middle falls in (`monthOfPeriod`); those outside `year` are skipped.
 */
export function buildAnnualReport(allPeriods: readonly PublishedPeriod[], year: number, timeZone: string): AnnualReport {
  const assigned = allPeriods
    .map((period) => ({ period, at: monthOfPeriod(period.start, period.end, timeZone) }))
    .filter(({ at }) => at.year === year)
    .sort((a, b) => a.period.start - b.period.start);
  const periods = assigned.map(({ period }) => period);
  const figures = new FigureTable();
  const periodsPerMonth = new Map<string, { periods: number; withheld: number }>();
  for (const { period, at } of assigned) {
    const month = monthKey(at.year, at.month);
    const tally = periodsPerMonth.get(month) ?? { periods: 0, withheld: 0 };
    tally.periods += 1;
    if (period.message.withheld !== null) tally.withheld += 1;
    periodsPerMonth.set(month, tally);
    const added = contributions(period.message, month);
    if (period.message.withheld === null) for (const [key, count] of added) figures.add(key, count());
    else for (const key of new Set(added.map(([key]) => key))) figures.withhold(key);
  }

  const topics = unionInOrder(periods.map((period) => period.message.dimensions.topic));
  const ageBands = unionInOrder(periods.map((period) => period.message.dimensions.ageBand));
  const ranked = (names: readonly string[], key: (name: string) => string): Ranked[] => names.map((name) => ({ name, total: figures.get(key(name)) })).sort(byFigureDescending);
  const first = periods[0];
  const last = periods[periods.length - 1];
  return {
    schema: ANNUAL_REPORT_SCHEMA,
    site: first?.message.site ?? '',
    year,
    timeZone,
    coverage: {
      periods: periods.length,
      withheld: periods.filter((period) => period.message.withheld !== null).length,
      lengths: distinct(periods.map((period) => period.message.period.length)),
      from: first ? formatLocalIso(first.start, timeZone) : null,
      to: last ? formatLocalIso(last.end, timeZone) : null,
      seqs: periods.map((period) => period.seq),
    },
    disclosure: {
      thresholds: distinct(periods.map((period) => period.message.disclosure.threshold)).sort((a, b) => a - b),
      contributionCaps: distinct(periods.map((period) => period.message.disclosure.contributionCap)).sort((a, b) => (a ?? Infinity) - (b ?? Infinity)),
      noise: noiseSummary(periods, year),
    },
    total: figures.get('total'),
    topics: ranked(topics, (topic) => `topic|${topic}`),
    channels: CHANNELS.map((channel) => ({ name: channel, total: figures.get(`channel|${channel}`), topics: ranked(topics, (topic) => `channel-topic|${channel}|${topic}`) })),
    ageBands: ageBands.map((ageBand) => ({ name: ageBand, total: figures.get(`age|${ageBand}`), topics: ranked(topics, (topic) => `topic-age|${topic}|${ageBand}`) })),
    months: Array.from({ length: 12 }, (_, i): MonthFigures => {
      const month = monthKey(year, i + 1);
      const tally = periodsPerMonth.get(month);
      return {
        month,
        periods: tally?.periods ?? 0,
        withheld: tally?.withheld ?? 0,
        total: tally ? figures.get(`month|${month}`) : null,
        channels: tally ? CHANNELS.map((channel) => ({ name: channel, total: figures.get(`month-channel|${month}|${channel}`) })) : [],
        topics: tally ? ranked(topics, (topic) => `month-topic|${month}|${topic}`) : [],
      };
    }),
  };
}
