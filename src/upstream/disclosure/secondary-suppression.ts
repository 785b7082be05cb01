import { BoundedSimplex, type ColumnPricer } from './bounded-simplex.js';
import { widenByMoves } from './move-witnesses.js';
import type { TableLayout } from './table-layout.js';

/**
 * Primary and secondary suppression of a table with margins, checked by an interval audit.
 *
 * The attacker (docs/statistics.md) knows every published count, that each margin is the sum of
 * its cells, that every suppressed count is at least 1 (zeros are always published), and — more
 * than any real reader could know — which suppressed counts were suppressed for being small
 * (so those lie in [1, threshold − 1]) and which to protect others (so those are ≥ threshold).
 * For every small count the audit works out, by linear programming over exactly that knowledge,
 * the least and the most it could be; the table is protected when that range is at least
 * `protectionWidth` wide for every small count. A weaker attacker (one who cannot tell the two
 * kinds of suppression apart) has a larger feasible set, so a wider range.
 *
 * That attacker can only be beaten when [1, threshold − 1] is itself wide enough: with a threshold
 * below protectionWidth + 2 (2 means every small count is 1), the audit instead assumes the
 * attacker who cannot tell the kinds apart, every suppressed count in [1, total + width].
 *
 * The audit's linear program is also the search: published counts are variables that can be
 * added (column generation). While a small count's range is too narrow, the cheapest published
 * count whose release would widen it (its reduced cost, from the current basis) is suppressed,
 * and the optimization goes on. Suppressing more only enlarges the attacker's feasible set, so a
 * count protected once stays protected, and one pass over the small counts is enough.
 */
export interface SuppressionInput {
  readonly layout: TableLayout;
  /** Every entry's count (cells, then margins), non-negative integers. */
  readonly values: readonly number[];
  /** Counts from 1 to threshold − 1 are suppressed. */
  readonly threshold: number;
  /** Required width of the attacker's range for each small count. */
  readonly protectionWidth: number;
}

export interface SuppressionResult {
  /** Per entry: true when it is suppressed. Zeros never are. */
  readonly suppressed: readonly boolean[];
  readonly primary: number;
  readonly secondary: number;
  /** Whether the audit assumed the attacker who knows which suppressed counts are small. */
  readonly knowsSmall: boolean;
  /**
   * Small counts whose range stays narrower than required even though no further suppression
   * could widen it (the zeros and the bounds alone pin them); published as suppressed all the same.
   */
  readonly underProtected: readonly number[];
  /** Simplex pivots spent (for the benchmark). */
  readonly pivots: number;
}

/** Rounding the simplex may carry; true ranges are ratios of small integers, far coarser than this. */
const EPS = 1e-5;
const PRICE_EPS = 1e-6;
/** A margin costs twice its count: it summarizes many cells, and the central office reads margins first. */
const MARGIN_COST_FACTOR = 2;
/** Whether the threshold leaves room for the attacker who knows which suppressed counts are small. */
export function auditKnowsSmall(protectionWidth: number, threshold: number): boolean {
  return threshold - 2 >= protectionWidth;
}

export function suppressTable(input: SuppressionInput): SuppressionResult {
  const { layout, values, threshold } = input;
  if (!Number.isInteger(threshold) || threshold < 1) throw new RangeError('suppression threshold must be a positive integer');
  if (!Number.isInteger(input.protectionWidth) || input.protectionWidth < 0) throw new RangeError('protection width must be a non-negative integer');
  if (values.length !== layout.entryCount) throw new RangeError(`expected ${layout.entryCount} entries, got ${values.length}`);
  if (values.some((value) => !Number.isInteger(value) || value < 0)) throw new RangeError('counts must be non-negative integers');
  const width = input.protectionWidth;
  const knowsSmall = auditKnowsSmall(width, threshold);
  // The attacker's bounds on a suppressed count: small ones, and the others.
  const total = values.slice(0, layout.cellCount).reduce((sum, value) => sum + value, 0);
  const smallBounds: [number, number] = knowsSmall ? [1, threshold - 1] : [1, total + width];
  const otherBounds: [number, number] = knowsSmall ? [threshold, Number.POSITIVE_INFINITY] : [1, total + width];

  const suppressed = values.map((value) => value > 0 && value < threshold);
  const sensitive = suppressed.flatMap((small, entry) => (small ? [entry] : []));
  const base = { primary: sensitive.length, knowsSmall, underProtected: [] as number[] };
  if (sensitive.length === 0 || width === 0) return { ...base, suppressed, secondary: 0, pivots: 0 };

  const problem = new AuditProblem(layout, values);
  const columnOf = new Map<number, number>();
  for (const entry of sensitive) columnOf.set(entry, problem.add(entry, ...smallBounds));

  // Published non-zero counts, cheapest first: the pool secondary suppression draws from.
  const cost = (entry: number): number => (values[entry] ?? 0) * (entry < layout.cellCount ? 1 : MARGIN_COST_FACTOR);
  const pool = values.flatMap((value, entry) => (value >= threshold ? [entry] : [])).sort((a, b) => cost(a) - cost(b) || a - b);
  const released = (price: ColumnPricer): boolean => {
    for (const entry of pool) {
      if (suppressed[entry]) continue;
      const { rows, coefficients } = problem.columnOf(entry);
      const effect = price(rows, coefficients);
      // Raising it is possible up to its bound; lowering down to its bound.
      const value = values[entry] ?? 0;
      if ((effect > PRICE_EPS && value < otherBounds[1]) || (effect < -PRICE_EPS && value > otherBounds[0])) {
        suppressed[entry] = true;
        problem.add(entry, ...otherBounds);
        return true;
      }
    }
    return false;
  };

  // The widest range seen for each small count, from feasible points the simplex passed through.
  const low = sensitive.map((entry) => values[entry] ?? 0);
  const high = [...low];
  const observe = (): void => {
    sensitive.forEach((entry, i) => {
      const value = problem.simplex.value(columnOf.get(entry) ?? -1);
      if (value < (low[i] ?? value)) low[i] = value;
      if (value > (high[i] ?? value)) high[i] = value;
    });
  };
  const protectedAt = (i: number): boolean => (high[i] ?? 0) - (low[i] ?? 0) >= width - EPS;
  const small = (entry: number): boolean => (values[entry] ?? 0) < threshold;
  widenByMoves(
    layout,
    { values, suppressed, lower: (entry) => (small(entry) ? smallBounds : otherBounds)[0], upper: (entry) => (small(entry) ? smallBounds : otherBounds)[1] },
    sensitive,
    low,
    high,
    protectedAt,
  );

  const { simplex } = problem;
  const columns = sensitive.map((entry) => columnOf.get(entry) ?? -1);
  columns.forEach((column, i) => {
    const ceiling = smallBounds[1];
    const stages: Array<[1 | -1, () => number, boolean]> = [
      [1, () => (low[i] ?? 0) + width, false],
      [-1, () => (high[i] ?? 0) - width, false],
      [1, () => Math.min(ceiling, (low[i] ?? 0) + width), true],
      [-1, () => (high[i] ?? 0) - width, true],
    ];
    for (const [direction, target, generate] of stages) {
      if (protectedAt(i)) return;
      const goal = target();
      simplex.setObjective([[column, direction]]);
      simplex.optimize({ stopWhen: () => direction * (simplex.value(column) - goal) >= -EPS, whenStuck: generate ? released : undefined });
      observe();
    }
    if (!protectedAt(i)) base.underProtected.push(sensitive[i] ?? -1);
  });

  return { ...base, suppressed, secondary: suppressed.filter(Boolean).length - sensitive.length, pivots: problem.simplex.pivots };
}

/**
 * The attacker's linear program: one row per margin entry (its cells minus itself equal zero once
 * the published counts are moved to the right-hand side), one column per suppressed entry.
 */
class AuditProblem {
  readonly simplex: BoundedSimplex;
  readonly #layout: TableLayout;
  readonly #values: readonly number[];

  constructor(layout: TableLayout, values: readonly number[]) {
    this.#layout = layout;
    this.#values = values;
    this.simplex = new BoundedSimplex(layout.entryCount - layout.cellCount);
  }

  columnOf(entry: number): { rows: number[]; coefficients: number[] } {
    const { cellCount, cellMargins } = this.#layout;
    if (entry < cellCount) {
      const rows = Array.from(cellMargins[entry] ?? [], (margin) => margin - cellCount);
      return { rows, coefficients: rows.map(() => 1) };
    }
    return { rows: [entry - cellCount], coefficients: [-1] };
  }

  add(entry: number, lower: number, upper: number): number {
    return this.simplex.addColumn({ ...this.columnOf(entry), lower, upper, value: this.#values[entry] ?? 0 });
  }
}
