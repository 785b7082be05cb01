/**
 * A number in the annual report: the sum of the published counts that went into it, and how many
 * could not go in because they were suppressed (null) or their whole period was withheld. Only a
 * complete figure is exact; any other is a lower bound ("at least").
 */
export interface Figure {
  /** Sum of the published counts. */
  readonly count: number;
  /** Published counts left out because they were suppressed. */
  readonly suppressed: number;
  /** Periods left out because nothing was released for them. */
  readonly withheld: number;
  /** True when nothing was left out: `count` is the published total. */
  readonly complete: boolean;
}

export const NO_FIGURE: Figure = { count: 0, suppressed: 0, withheld: 0, complete: true };

function figure(count: number, suppressed: number, withheld: number): Figure {
  return { count, suppressed, withheld, complete: suppressed === 0 && withheld === 0 };
}

/** Adds one published count; null is a suppressed one. */
export function withCount(total: Figure, count: number | null): Figure {
  return count === null ? figure(total.count, total.suppressed + 1, total.withheld) : figure(total.count + count, total.suppressed, total.withheld);
}

export function withWithheldPeriod(total: Figure): Figure {
  return figure(total.count, total.suppressed, total.withheld + 1);
}

/** Larger first; at equal counts a lower bound (it may be more) before an exact figure, then by name for a stable order. */
export function byFigureDescending<T extends { readonly total: Figure; readonly name: string }>(a: T, b: T): number {
  return b.total.count - a.total.count || Number(a.total.complete) - Number(b.total.complete) || a.name.localeCompare(b.name);
}

const DUTCH = new Intl.NumberFormat('nl-NL');

/**
 * The figure as the report writes it, in Dutch: `1.234`, `≥ 1.234` when something was left out,
 * `onderdrukt` when all that was published of it was suppressed, `achtergehouden` when its periods
 * were withheld, `geen gegevens` when no period covers it.
 */
export function figureText(total: Figure | null): string {
  if (total === null) return 'geen gegevens';
  if (total.complete) return DUTCH.format(total.count);
  if (total.count > 0) return `≥ ${DUTCH.format(total.count)}`;
  return total.suppressed > 0 ? 'onderdrukt' : 'achtergehouden';
}
