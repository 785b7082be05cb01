import type { TableLayout } from '../../../src/upstream/disclosure/table-layout.js';

/**
 * An attacker independent of the box's linear program: exhaustive integer search. It knows every
 * published count, that margins are sums of cells, that suppressed counts are ≥ 1, and (with
 * `knowsSmall`) which suppressed counts are small (< threshold) and which are not; for every small
 * suppressed entry it finds every value some integer table consistent with all that gives it. Values of a suppressed
 * large cell are tried only up to `cap`, which can only narrow the ranges it reports, never widen.
 */
export interface AttackInput {
  readonly layout: TableLayout;
  /** The published entries: a count, or null when suppressed. */
  readonly published: readonly (number | null)[];
  /** The true values (for the attacker's knowledge of which suppressed counts are small). */
  readonly truth: readonly number[];
  readonly threshold: number;
  readonly cap: number;
  readonly knowsSmall: boolean;
}

/** For each small suppressed entry: the least and greatest value an integer table allows. */
export function integerRanges(input: AttackInput): Map<number, [number, number]> {
  const { layout, published, truth, threshold } = input;
  const ranges = new Map<number, [number, number]>();
  published.forEach((value, entry) => {
    if (value !== null || !((truth[entry] ?? 0) < threshold)) return;
    // The least and the greatest feasible value, by bisection on "some table has it ≥ v" (and ≤ v).
    const highest = input.knowsSmall ? threshold - 1 : input.cap;
    if (!satisfiable(input, entry, 1, highest)) throw new Error(`the true table is not feasible for entry ${entry}: attacker bug`);
    let low = 1;
    let high = highest;
    for (let a = 1, b = highest; a < b; ) {
      const mid = Math.floor((a + b) / 2);
      if (satisfiable(input, entry, 1, mid)) b = mid;
      else a = mid + 1;
      low = a;
    }
    for (let a = low, b = highest; a < b; ) {
      const mid = Math.ceil((a + b) / 2);
      if (satisfiable(input, entry, mid, highest)) a = mid;
      else b = mid - 1;
      high = b;
    }
    ranges.set(entry, [low, high]);
  });
  void layout;
  return ranges;
}

function satisfiable(input: AttackInput, fixedEntry: number, fixedLow: number, fixedHigh: number): boolean {
  const { layout, published, truth, threshold, cap, knowsSmall } = input;
  const marginCount = layout.entryCount - layout.cellCount;
  const bounds = (entry: number): [number, number] => {
    if (entry === fixedEntry) return [fixedLow, fixedHigh];
    const value = published[entry];
    if (value !== null && value !== undefined) return [value, value];
    if (!knowsSmall) return [1, Number.POSITIVE_INFINITY];
    return (truth[entry] ?? 0) < threshold ? [1, threshold - 1] : [threshold, Number.POSITIVE_INFINITY];
  };
  const unknown = published.slice(0, layout.cellCount).flatMap((value, cell) => (value === null ? [cell] : []));
  // Per margin: sum of assigned cells, and the least / most the unassigned ones can still add.
  const sum = new Float64Array(marginCount);
  const restLow = new Float64Array(marginCount);
  const restHigh = new Float64Array(marginCount);
  // A cell is at most what any published margin over it leaves after the others' least values.
  const ceiling = new Float64Array(layout.cellCount).fill(cap);
  for (let m = 0; m < marginCount; m += 1) {
    const value = published[layout.cellCount + m];
    if (value === null || value === undefined) continue;
    const cells = layout.marginCells[m] ?? new Int32Array();
    let least = 0;
    for (const cell of cells) least += published[cell] === null ? 1 : (published[cell] ?? 0);
    for (const cell of cells) if (published[cell] === null) ceiling[cell] = Math.min(ceiling[cell] ?? cap, value - least + 1);
  }
  const domain = (cell: number): [number, number] => {
    const [low, high] = bounds(cell);
    return [low, Math.min(high, ceiling[cell] ?? cap)];
  };
  for (let cell = 0; cell < layout.cellCount; cell += 1) {
    for (const margin of layout.cellMargins[cell] ?? []) {
      const m = margin - layout.cellCount;
      if (published[cell] !== null && cell !== fixedEntry) sum[m]! += published[cell] ?? 0;
      else {
        const [low, high] = domain(cell);
        restLow[m]! += low;
        restHigh[m]! += high;
      }
    }
  }
  // The fixed entry, when a cell that is published, contradicts unless equal.
  if (fixedEntry < layout.cellCount && published[fixedEntry] !== null) return (published[fixedEntry] ?? 0) >= fixedLow && (published[fixedEntry] ?? 0) <= fixedHigh;
  const order = fixedEntry < layout.cellCount ? [fixedEntry, ...unknown.filter((cell) => cell !== fixedEntry)] : unknown;
  const fits = (m: number): boolean => {
    const [low, high] = bounds(layout.cellCount + m);
    return sum[m]! + restLow[m]! <= high && sum[m]! + restHigh[m]! >= low;
  };
  for (let m = 0; m < marginCount; m += 1) if (!fits(m)) return false;
  const search = (k: number): boolean => {
    if (k === order.length) return true;
    const cell = order[k]!;
    const [low, high] = domain(cell);
    const margins = layout.cellMargins[cell] ?? new Int32Array();
    for (let value = low; value <= high; value += 1) {
      let ok = true;
      for (const margin of margins) {
        const m = margin - layout.cellCount;
        sum[m]! += value;
        restLow[m]! -= low;
        restHigh[m]! -= high;
      }
      for (const margin of margins) if (!fits(margin - layout.cellCount)) ok = false;
      if (ok && search(k + 1)) ok = true;
      else ok = false;
      for (const margin of margins) {
        const m = margin - layout.cellCount;
        sum[m]! -= value;
        restLow[m]! += low;
        restHigh[m]! += high;
      }
      if (ok) return true;
    }
    return false;
  };
  return search(0);
}
