import type { TableLayout } from './table-layout.js';

/**
 * Cheap witnesses for the interval audit: integer moves that keep every published count. Adding
 * k to one cell and taking k from another (a pair), or adding k to two opposite corners of a
 * rectangle of cells and taking it from the other two, changes only the cells and the margins
 * that lie under one corner but not its partner; when all of those are suppressed and stay within
 * the attacker's bounds, the moved table is a table the attacker cannot rule out. Each move found
 * widens the known range of the small counts it touches, so the linear program runs only for
 * the counts these moves do not already show to be protected.
 */
export interface MoveBounds {
  readonly values: readonly number[];
  readonly suppressed: readonly boolean[];
  readonly lower: (entry: number) => number;
  readonly upper: (entry: number) => number;
}

/** Widens low/high (indexed like `sensitive`) with every valid pair and rectangle move around each small cell. */
export function widenByMoves(layout: TableLayout, bounds: MoveBounds, sensitive: readonly number[], low: number[], high: number[], enough: (i: number) => boolean): void {
  const position = new Map(sensitive.map((entry, i) => [entry, i]));
  const { sizes } = layout;
  const strides = sizes.map((_, d) => sizes.slice(d + 1).reduce((product, size) => product * size, 1));
  const coordinate = (cell: number, d: number): number => Math.floor(cell / (strides[d] ?? 1)) % (sizes[d] ?? 1);
  const moved = (cell: number, d: number, to: number): number => cell + (to - coordinate(cell, d)) * (strides[d] ?? 1);

  const scratch = new Int32Array(layout.entryCount);
  const apply = (corners: readonly number[], signs: readonly number[]): void => {
    const deltas = entryDeltas(layout, corners, signs, scratch);
    if (deltas.length === 0) return;
    let up = Number.POSITIVE_INFINITY;
    let down = Number.POSITIVE_INFINITY;
    for (const [entry, delta] of deltas) {
      if (!bounds.suppressed[entry]) return;
      const value = bounds.values[entry] ?? 0;
      const roomUp = bounds.upper(entry) - value;
      const roomDown = value - bounds.lower(entry);
      up = Math.min(up, delta > 0 ? roomUp / delta : roomDown / -delta);
      down = Math.min(down, delta > 0 ? roomDown / delta : roomUp / -delta);
    }
    for (const [entry, delta] of deltas) {
      const i = position.get(entry);
      if (i === undefined) continue;
      const value = bounds.values[entry] ?? 0;
      low[i] = Math.min(low[i] ?? value, value - Math.abs(delta) * (delta > 0 ? down : up));
      high[i] = Math.max(high[i] ?? value, value + Math.abs(delta) * (delta > 0 ? up : down));
    }
  };

  sensitive.forEach((cell, i) => {
    if (cell >= layout.cellCount) return;
    for (let d1 = 0; d1 < sizes.length && !enough(i); d1 += 1) {
      for (let a = 0; a < (sizes[d1] ?? 0) && !enough(i); a += 1) {
        if (a === coordinate(cell, d1)) continue;
        const across = moved(cell, d1, a);
        if (!bounds.suppressed[across]) continue;
        apply([cell, across], [1, -1]);
        for (let d2 = d1 + 1; d2 < sizes.length && !enough(i); d2 += 1) {
          for (let b = 0; b < (sizes[d2] ?? 0) && !enough(i); b += 1) {
            if (b === coordinate(cell, d2)) continue;
            const side = moved(cell, d2, b);
            const opposite = moved(across, d2, b);
            if (bounds.suppressed[side] && bounds.suppressed[opposite]) apply([cell, across, side, opposite], [1, -1, -1, 1]);
          }
        }
      }
    }
  });
}

/** The non-zero changes of the entries under a move of the given cells (scratch: all zeros, left so). */
function entryDeltas(layout: TableLayout, corners: readonly number[], signs: readonly number[], scratch: Int32Array): Array<[number, number]> {
  const touched: number[] = [];
  const add = (entry: number, delta: number): void => {
    if (scratch[entry] === 0) touched.push(entry);
    scratch[entry]! += delta;
  };
  corners.forEach((cell, k) => {
    const sign = signs[k] ?? 0;
    add(cell, sign);
    for (const margin of layout.cellMargins[cell] ?? []) add(margin, sign);
  });
  const changed: Array<[number, number]> = [];
  for (const entry of touched) {
    if (scratch[entry] !== 0) changed.push([entry, scratch[entry] ?? 0]);
    scratch[entry] = 0;
  }
  return changed;
}
