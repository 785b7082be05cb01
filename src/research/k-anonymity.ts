import type { Hierarchy } from './generalization-hierarchies.js';

/** A record's quasi-identifier values (in the hierarchies' order) and its sensitive value. */
export interface QuasiRecord {
  readonly quasi: readonly string[];
  readonly topic: string;
}

export interface PrivacyModel {
  readonly k: number;
  readonly l: number;
  /** The most records suppression may remove before a coarser generalization is preferred. */
  readonly maxSuppressed: number;
}

/** A record that stays in the data set, with its generalized quasi-identifier values. */
export interface KeptRecord {
  /** Its position in the input. */
  readonly index: number;
  readonly quasi: readonly string[];
}

export interface Anonymization {
  /** The generalization level chosen per hierarchy. */
  readonly levels: readonly number[];
  readonly kept: readonly KeptRecord[];
  readonly suppressed: number;
  /** Kept records with at least one value coarser than registered. */
  readonly generalized: number;
  readonly classes: number;
  /** Size of the smallest equivalence class kept; 0 when nothing is kept. */
  readonly smallestClass: number;
  /** False when even the most general level suppressed more than `maxSuppressed`. */
  readonly withinSuppressionLimit: boolean;
}

interface Candidate {
  readonly levels: readonly number[];
  readonly loss: number;
  readonly suppressed: number;
}

const SEPARATOR = '\u0001';

/**
 * k-anonymity with distinct l-diversity by full-domain generalization and record suppression:
 * every level combination of the hierarchies is tried (a few dozen), records are grouped into
 * equivalence classes by their generalized values, and a class with fewer than k records or fewer
 * than l distinct topics is suppressed whole. Chosen: the combination with the least precision
 * loss (mean of level ÷ top level over the hierarchies) whose suppression stays within the limit;
 * a coarser one always has a larger loss, so the choice is a minimal generalization. When none
 * stays within the limit, the one that suppresses least. Merging classes never makes a class fail,
 * so the classes kept all satisfy both conditions whatever is chosen.
 */
export function anonymize(records: readonly QuasiRecord[], hierarchies: readonly Hierarchy[], model: PrivacyModel): Anonymization {
  if (!Number.isInteger(model.k) || model.k < 1 || !Number.isInteger(model.l) || model.l < 1) throw new RangeError('k and l must be positive integers');
  const generalized = generalizationTables(records, hierarchies);
  const histogram = new Map<string, { quasi: readonly string[]; count: number; topics: Set<string> }>();
  for (const record of records) {
    const key = record.quasi.join(SEPARATOR);
    const entry = histogram.get(key) ?? { quasi: record.quasi, count: 0, topics: new Set<string>() };
    entry.count += 1;
    entry.topics.add(record.topic);
    histogram.set(key, entry);
  }
  const classKey = (quasi: readonly string[], levels: readonly number[]): string =>
    quasi.map((value, i) => generalized[i]?.get(value)?.[levels[i] ?? 0] ?? '').join(SEPARATOR);
  const classify = (levels: readonly number[]): { classes: Map<string, { count: number; topics: Set<string> }>; suppressed: number } => {
    const classes = new Map<string, { count: number; topics: Set<string> }>();
    for (const entry of histogram.values()) {
      const key = classKey(entry.quasi, levels);
      const found = classes.get(key) ?? { count: 0, topics: new Set<string>() };
      found.count += entry.count;
      for (const topic of entry.topics) found.topics.add(topic);
      classes.set(key, found);
    }
    let suppressed = 0;
    for (const found of classes.values()) if (!satisfies(found, model)) suppressed += found.count;
    return { classes, suppressed };
  };

  const candidates: Candidate[] = latticeNodes(hierarchies).map((levels) => ({
    levels,
    loss: levels.reduce((sum, level, i) => sum + level / ((hierarchies[i]?.levels.length ?? 2) - 1), 0) / Math.max(1, levels.length),
    suppressed: classify(levels).suppressed,
  }));
  const within = candidates.filter((candidate) => candidate.suppressed <= model.maxSuppressed);
  const chosen = (within.length > 0 ? within.sort(byLossThenSuppression) : candidates.sort(bySuppressionThenLoss))[0];
  if (!chosen) throw new RangeError('no hierarchy to generalize with');

  const { classes } = classify(chosen.levels);
  const kept: KeptRecord[] = [];
  let generalizedCount = 0;
  records.forEach((record, index) => {
    const found = classes.get(classKey(record.quasi, chosen.levels));
    if (!found || !satisfies(found, model)) return;
    const quasi = record.quasi.map((value, i) => generalized[i]?.get(value)?.[chosen.levels[i] ?? 0] ?? '');
    if (quasi.some((value, i) => value !== record.quasi[i])) generalizedCount += 1;
    kept.push({ index, quasi });
  });
  const keptClasses = [...classes.values()].filter((found) => satisfies(found, model));
  return {
    levels: chosen.levels,
    kept,
    suppressed: records.length - kept.length,
    generalized: generalizedCount,
    classes: keptClasses.length,
    smallestClass: keptClasses.length === 0 ? 0 : Math.min(...keptClasses.map((found) => found.count)),
    withinSuppressionLimit: within.length > 0,
  };
}

function satisfies(found: { count: number; topics: Set<string> }, model: PrivacyModel): boolean {
  return found.count >= model.k && found.topics.size >= model.l;
}

/** Per hierarchy: each value that occurs, mapped to its value at every level. */
function generalizationTables(records: readonly QuasiRecord[], hierarchies: readonly Hierarchy[]): Array<Map<string, string[]>> {
  return hierarchies.map((hierarchy, i) => {
    const table = new Map<string, string[]>();
    for (const record of records) {
      const value = record.quasi[i];
      if (value === undefined) throw new RangeError(`record without a ${hierarchy.attribute}`);
      if (!table.has(value)) table.set(value, hierarchy.levels.map((_, level) => hierarchy.generalize(value, level)));
    }
    return table;
  });
}

/** Every combination of levels, most specific first. */
function latticeNodes(hierarchies: readonly Hierarchy[]): number[][] {
  let nodes: number[][] = [[]];
  for (const hierarchy of hierarchies) {
    nodes = nodes.flatMap((node) => hierarchy.levels.map((_, level) => [...node, level]));
  }
  return nodes;
}

function compareLevels(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < a.length; i++) {
    const difference = (a[i] ?? 0) - (b[i] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}

const LOSS_EPSILON = 1e-9;

function byLossThenSuppression(a: Candidate, b: Candidate): number {
  if (Math.abs(a.loss - b.loss) > LOSS_EPSILON) return a.loss - b.loss;
  return a.suppressed - b.suppressed || compareLevels(a.levels, b.levels);
}

function bySuppressionThenLoss(a: Candidate, b: Candidate): number {
  return a.suppressed - b.suppressed || byLossThenSuppression(a, b);
}
