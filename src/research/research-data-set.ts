import { localDateTime } from '../time/local-date-time.js';
import { ageBandHierarchy, keepOrHideHierarchy, periodHierarchy, type Hierarchy } from './generalization-hierarchies.js';
import { anonymize, type QuasiRecord } from './k-anonymity.js';
import { RecordIdMinter, shuffled, type RandomSource } from './record-ids.js';
import { researchCsv } from './research-csv.js';
import type { QuasiIdentifier, ResearchCategories, ResearchSettings, SourceRegistration } from './research-types.js';

/** Where a value outside the configured lists is counted, as in the statistics. */
const OTHER = 'other';
const CHANNELS = ['phone', 'chat', 'mail'] as const;

const COLUMN_OF: Readonly<Record<QuasiIdentifier, string>> = { period: 'period', ageBand: 'age_band', channel: 'channel', outcome: 'outcome' };

export interface ResearchDataSetInput {
  readonly registrations: readonly SourceRegistration[];
  readonly categories: ResearchCategories;
  /** The site's zone: months are local months. */
  readonly timeZone: string;
  readonly settings: ResearchSettings;
}

/** What the command prints and the audit entry records: counts and levels, never contents. */
export interface ResearchExportSummary {
  readonly recordsIn: number;
  readonly recordsOut: number;
  readonly suppressed: number;
  /** Records written with at least one value coarser than registered. */
  readonly generalized: number;
  readonly classes: number;
  readonly smallestClass: number;
  /** False when even the coarsest generalization suppressed more than the configured share. */
  readonly withinSuppressionLimit: boolean;
  readonly k: number;
  readonly l: number;
  /** The level chosen per quasi-identifier, by name (`quarter`, `merged in 2s`, `any`, …). */
  readonly levels: Readonly<Partial<Record<QuasiIdentifier, string>>>;
  /** The age bands that occur in the file, e.g. `8-14, 15-21, unknown`. */
  readonly ageBandsWritten: readonly string[];
  readonly columns: readonly string[];
}

export interface ResearchDataSet {
  readonly csv: string;
  readonly summary: ResearchExportSummary;
}

function withOther(list: readonly string[]): string[] {
  return list.includes(OTHER) ? [...list] : [...list, OTHER];
}

/** Zone offsets change on quarter hours at the finest, so one lookup per quarter hour is exact. */
const QUARTER_HOUR = 900_000;

/** The local month `YYYY-MM` of an instant; Intl is slow, so the months of each quarter hour are remembered. */
function localMonths(timeZone: string): (at: number) => string {
  const memo = new Map<number, string>();
  return (at) => {
    const bucket = Math.floor(at / QUARTER_HOUR);
    let month = memo.get(bucket);
    if (month === undefined) {
      const local = localDateTime(bucket * QUARTER_HOUR, timeZone);
      month = `${local.year}-${String(local.month).padStart(2, '0')}`;
      memo.set(bucket, month);
    }
    return month;
  };
}

/** At most this many fresh keys are drawn when two record ids of one export collide (80 bits: never, in practice). */
const MINT_ATTEMPTS = 3;

function mintIds(registrationIds: readonly number[], random: RandomSource): string[] {
  for (let attempt = 0; attempt < MINT_ATTEMPTS; attempt++) {
    const minter = new RecordIdMinter(random);
    try {
      const ids = registrationIds.map((id) => minter.idFor(id));
      if (new Set(ids).size === ids.length) return ids;
    } finally {
      minter.destroy();
    }
  }
  throw new Error('record ids kept colliding: the random source is broken');
}

/**
 * Builds one research data set (P12) from registrations: values outside the configured lists read
 * as `other`, quasi-identifiers generalized and classes suppressed until every class holds k
 * records and l distinct topics, each record given an id under a key drawn for this export and
 * destroyed after, rows in random order. Pure apart from the random source.
 */
export function buildResearchDataSet(input: ResearchDataSetInput, random: RandomSource): ResearchDataSet {
  const { categories, settings } = input;
  const ageBands = withOther(categories.ageBands);
  const outcomes = withOther(categories.outcomes);
  const known = { ageBand: new Set(ageBands), topic: new Set(withOther(categories.topics)), outcome: new Set(outcomes) };
  const inList = (value: string, list: ReadonlySet<string>): string => (list.has(value) ? value : OTHER);

  const ageBand = ageBandHierarchy(ageBands);
  // The order of the quasi-identifier columns; the age band is the second.
  const hierarchies: Hierarchy[] = [periodHierarchy(), ageBand, keepOrHideHierarchy('channel', CHANNELS)];
  if (settings.includeOutcome) hierarchies.push(keepOrHideHierarchy('outcome', outcomes));

  const localMonth = localMonths(input.timeZone);
  const records: QuasiRecord[] = input.registrations.map((registration) => {
    const quasi = [localMonth(registration.occurredAt), inList(registration.ageBand, known.ageBand), registration.channel];
    if (settings.includeOutcome) quasi.push(inList(registration.outcome, known.outcome));
    return { quasi, topic: inList(registration.topic, known.topic) };
  });
  const maxSuppressed = Math.floor((records.length * settings.maxSuppressionPercent) / 100);
  const result = anonymize(records, hierarchies, { k: settings.k, l: settings.l, maxSuppressed });

  const kept = shuffled(result.kept, random);
  const ids = mintIds(
    kept.map((record) => input.registrations[record.index]?.id ?? -1),
    random,
  );
  const columns = ['record_id', ...hierarchies.map((hierarchy) => COLUMN_OF[hierarchy.attribute]), 'topic'];
  const rows = kept.map((record, i) => [ids[i] ?? '', ...record.quasi, records[record.index]?.topic ?? '']);

  const levels: Partial<Record<QuasiIdentifier, string>> = {};
  hierarchies.forEach((hierarchy, i) => {
    levels[hierarchy.attribute] = hierarchy.levels[result.levels[i] ?? 0] ?? '';
  });
  const ageLevel = result.levels[1] ?? 0;
  const writtenOrder = ageBands.map((band) => ageBand.generalize(band, ageLevel));
  return {
    csv: researchCsv(columns, rows),
    summary: {
      recordsIn: records.length,
      recordsOut: kept.length,
      suppressed: result.suppressed,
      generalized: result.generalized,
      classes: result.classes,
      smallestClass: result.smallestClass,
      withinSuppressionLimit: result.withinSuppressionLimit,
      k: settings.k,
      l: settings.l,
      levels,
      ageBandsWritten: [...new Set(kept.map((record) => record.quasi[1] ?? ''))].sort((a, b) => writtenOrder.indexOf(a) - writtenOrder.indexOf(b)),
      columns,
    },
  };
}
