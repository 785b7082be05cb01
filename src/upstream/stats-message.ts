import { z } from 'zod';
import type { Channel } from '../privacy/types.js';
import { PERIOD_LENGTHS, type PeriodLength } from './period-calendar.js';

/**
 * The statistics message, version 2 (`helpline.stats/2`): one closed period's registrations as a
 * channel × topic × age band × outcome table with fixed category lists (zeros included), the
 * margins the central office needs, and the disclosure control applied to both. Counts are arrays
 * in row-major order over the dimensions a table keeps, in the order of `STATS_DIMENSIONS`, so the
 * shape is told by `dimensions` alone and never depends on the data. A `null` count was
 * suppressed. docs/statistics.md has the method, docs/upstream.md the example.
 */
export const STATS_SCHEMA = 'helpline.stats/2';

export const STATS_DIMENSIONS = ['channel', 'topic', 'ageBand', 'outcome'] as const;
export type StatsDimension = (typeof STATS_DIMENSIONS)[number];

/**
 * The margins published beside the cells, in this order: the grand total, per channel, per
 * channel and each other dimension, per topic, and per topic and age band (the annual report's
 * "themes by age band"). Each is a sum over the dimensions it leaves out, suppressed with the
 * cells so that no suppressed count can be worked back from them.
 */
export const STATS_MARGIN_GROUPS: readonly (readonly StatsDimension[])[] = [
  [],
  ['channel'],
  ['channel', 'topic'],
  ['channel', 'ageBand'],
  ['channel', 'outcome'],
  ['topic'],
  ['topic', 'ageBand'],
];

/** The category lists of a table, each ending in `other`; channels are always phone, chat, mail. */
export interface StatsDimensions {
  readonly channel: readonly Channel[];
  readonly topic: readonly string[];
  readonly ageBand: readonly string[];
  readonly outcome: readonly string[];
}

/** Counts over the dimensions in `by`, row-major; null where suppressed. */
export interface StatsTable {
  readonly by: readonly StatsDimension[];
  readonly counts: readonly (number | null)[];
}

/** Discrete-Laplace (two-sided geometric) noise added to every cell before suppression. */
export interface StatsNoise {
  readonly mechanism: 'discrete-laplace';
  /** Privacy loss of this release. */
  readonly epsilon: number;
  /** Most that one caller can change the cell table in L1 (the contribution cap times the link months the period spans). */
  readonly sensitivity: number;
  /** Spent in the site's calendar year including this release, and the year's budget. */
  readonly budget: { readonly year: number; readonly spent: number; readonly total: number };
}

/** 'interval-audit': suppressed counts are protected against linear derivation (docs/statistics.md). */
export type StatsSecondarySuppression = 'interval-audit';

export interface StatsDisclosure {
  /** Counts from 1 to threshold − 1 are suppressed (cells and margins alike). */
  readonly threshold: number;
  /** Most registrations of one caller counted in one period (the rest are left out); null: no cap. */
  readonly contributionCap: number | null;
  /** How further counts were chosen so that no suppressed count can be derived from the others. */
  readonly secondarySuppression: StatsSecondarySuppression;
  /**
   * The width an attacker's range for every small suppressed count has at least (the least and
   * the most it can be, given everything published; docs/statistics.md), against an attacker who
   * knows which nulls are small when threshold − 2 ≥ protectionWidth, else against one who does not.
   */
  readonly protectionWidth: number;
  readonly noise: StatsNoise | null;
}

export interface StatsMessage {
  readonly schema: typeof STATS_SCHEMA;
  readonly site: string;
  readonly session: string;
  readonly seq: number;
  readonly period: { readonly start: string; readonly end: string; readonly length: PeriodLength };
  readonly dimensions: StatsDimensions;
  readonly disclosure: StatsDisclosure;
  /** Why nothing was released for this period (cells and margins then empty); null when released. */
  readonly withheld: 'privacy-budget-spent' | null;
  /** Over all four dimensions. */
  readonly cells: readonly (number | null)[];
  /** One per entry of STATS_MARGIN_GROUPS, in that order. */
  readonly margins: readonly StatsTable[];
}

/** How many counts a table over `by` has. */
export function tableSize(dimensions: StatsDimensions, by: readonly StatsDimension[]): number {
  return by.reduce((size, dimension) => size * dimensions[dimension].length, 1);
}

/** The position of a category combination in a table over `by` (row-major, STATS_DIMENSIONS order). */
export function tableIndex(dimensions: StatsDimensions, by: readonly StatsDimension[], categories: Readonly<Partial<Record<StatsDimension, string>>>): number {
  let index = 0;
  for (const dimension of by) {
    const list = dimensions[dimension];
    const position = list.indexOf(categories[dimension] as never);
    if (position < 0) throw new RangeError(`no ${dimension} category ${String(categories[dimension])} in this table`);
    index = index * list.length + position;
  }
  return index;
}

/** Every category combination of a table over `by`, in the table's order. */
export function tableKeys(dimensions: StatsDimensions, by: readonly StatsDimension[]): Array<Partial<Record<StatsDimension, string>>> {
  let keys: Array<Partial<Record<StatsDimension, string>>> = [{}];
  for (const dimension of by) {
    keys = keys.flatMap((key) => dimensions[dimension].map((category) => ({ ...key, [dimension]: category })));
  }
  return keys;
}

/** The count of one category combination in a table of the message; undefined when the message was withheld. */
export function countAt(message: StatsMessage, by: readonly StatsDimension[], categories: Readonly<Partial<Record<StatsDimension, string>>>): number | null | undefined {
  if (message.withheld !== null) return undefined;
  const table = by.length === STATS_DIMENSIONS.length ? message.cells : message.margins.find((margin) => sameGroup(margin.by, by))?.counts;
  if (!table) throw new RangeError(`no margin over ${by.join(', ') || 'nothing'} in a stats message`);
  return table[tableIndex(message.dimensions, by, categories)];
}

const sameGroup = (a: readonly StatsDimension[], b: readonly StatsDimension[]): boolean => a.length === b.length && a.every((dimension, i) => dimension === b[i]);

/** Builds the zod schema, given the pieces topics.ts shares with the other payloads. */
export function statsMessageSchema(parts: {
  readonly site: z.ZodType<string>;
  readonly session: z.ZodType<string>;
  readonly instant: z.ZodType<string>;
  readonly category: z.ZodType<string>;
}): z.ZodType<StatsMessage> {
  const count = z.number().int().nonnegative().nullable();
  const categories = z.array(parts.category).min(1).max(64).refine((list) => new Set(list).size === list.length, 'duplicate category');
  const dimension = z.enum(STATS_DIMENSIONS);
  const schema = z
    .strictObject({
      schema: z.literal(STATS_SCHEMA),
      site: parts.site,
      session: parts.session,
      seq: z.number().int().positive(),
      period: z
        .strictObject({ start: parts.instant, end: parts.instant, length: z.enum(PERIOD_LENGTHS as [PeriodLength, ...PeriodLength[]]) })
        .refine((period) => Date.parse(period.start) < Date.parse(period.end)),
      dimensions: z.strictObject({
        channel: z.tuple([z.literal('phone'), z.literal('chat'), z.literal('mail')]),
        topic: categories,
        ageBand: categories,
        outcome: categories,
      }),
      disclosure: z.strictObject({
        threshold: z.number().int().min(1),
        contributionCap: z.number().int().min(1).nullable(),
        secondarySuppression: z.literal('interval-audit'),
        protectionWidth: z.number().int().min(0),
        noise: z
          .strictObject({
            mechanism: z.literal('discrete-laplace'),
            epsilon: z.number().positive().finite(),
            sensitivity: z.number().int().positive(),
            budget: z.strictObject({ year: z.number().int().min(2000).max(9999), spent: z.number().nonnegative().finite(), total: z.number().positive().finite() }),
          })
          .refine((noise) => noise.budget.spent <= noise.budget.total + 1e-9, 'budget overspent')
          .nullable(),
      }),
      withheld: z.literal('privacy-budget-spent').nullable(),
      cells: z.array(count),
      margins: z.array(z.strictObject({ by: z.array(dimension), counts: z.array(count) })),
    })
    .superRefine((message, context) => {
      const dimensions = message.dimensions as StatsDimensions;
      if (message.withheld !== null) {
        if (message.cells.length > 0 || message.margins.length > 0) context.addIssue({ code: 'custom', path: ['cells'], message: 'a withheld period carries no counts' });
        return;
      }
      if (message.cells.length !== tableSize(dimensions, STATS_DIMENSIONS)) context.addIssue({ code: 'custom', path: ['cells'], message: 'wrong number of cells' });
      if (message.margins.length !== STATS_MARGIN_GROUPS.length) context.addIssue({ code: 'custom', path: ['margins'], message: 'wrong number of margins' });
      message.margins.forEach((margin, i) => {
        const group = STATS_MARGIN_GROUPS[i] ?? [];
        if (!sameGroup(margin.by, group)) context.addIssue({ code: 'custom', path: ['margins', i, 'by'], message: 'unexpected margin group' });
        if (margin.counts.length !== tableSize(dimensions, group)) context.addIssue({ code: 'custom', path: ['margins', i, 'counts'], message: 'wrong number of counts' });
      });
      // A count below the threshold that was not suppressed must never leave the box.
      const threshold = message.disclosure.threshold;
      const small = (value: number | null): boolean => value !== null && value > 0 && value < threshold;
      if (message.cells.some(small)) context.addIssue({ code: 'custom', path: ['cells'], message: 'unsuppressed count below threshold' });
      message.margins.forEach((margin, i) => {
        if (margin.counts.some(small)) context.addIssue({ code: 'custom', path: ['margins', i, 'counts'], message: 'unsuppressed count below threshold' });
      });
    });
  return schema as unknown as z.ZodType<StatsMessage>;
}
