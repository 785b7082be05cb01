/**
 * The linear structure of a published table: cells over every dimension (row-major) and margins
 * over chosen groups of dimensions, each margin entry the sum of the cells under it. Disclosure
 * control works on "entries": the cells first (index = cell index), then every margin entry, group
 * by group, each group row-major over the dimensions it keeps.
 */
export interface TableLayout {
  /** Categories per dimension. */
  readonly sizes: readonly number[];
  /** The dimensions each margin group keeps (indices into sizes, ascending). */
  readonly marginGroups: readonly (readonly number[])[];
  readonly cellCount: number;
  /** cellCount + every margin entry. */
  readonly entryCount: number;
  /** Entry index of the first entry of each margin group. */
  readonly groupOffsets: readonly number[];
  /** For each cell, the margin entry it falls under in each group (group order). */
  readonly cellMargins: readonly Int32Array[];
  /** For each margin entry (indexed entry − cellCount), the cells it sums. */
  readonly marginCells: readonly Int32Array[];
}

export function tableLayout(sizes: readonly number[], marginGroups: readonly (readonly number[])[]): TableLayout {
  if (sizes.length === 0 || sizes.some((size) => !Number.isInteger(size) || size < 1)) throw new RangeError('table dimensions must be positive integers');
  for (const group of marginGroups) {
    if (group.some((dimension, i) => !Number.isInteger(dimension) || dimension < 0 || dimension >= sizes.length || (i > 0 && dimension <= (group[i - 1] ?? -1)))) {
      throw new RangeError('a margin group lists distinct dimensions in ascending order');
    }
    if (group.length === sizes.length) throw new RangeError('a margin group must leave out at least one dimension');
  }
  const cellCount = sizes.reduce((product, size) => product * size, 1);
  const groupSizes = marginGroups.map((group) => group.reduce((product, dimension) => product * (sizes[dimension] ?? 1), 1));
  const groupOffsets: number[] = [];
  let offset = cellCount;
  for (const size of groupSizes) {
    groupOffsets.push(offset);
    offset += size;
  }
  const entryCount = offset;

  const cellMargins: Int32Array[] = [];
  const members: number[][] = Array.from({ length: entryCount - cellCount }, () => []);
  const coordinates = new Array<number>(sizes.length).fill(0);
  for (let cell = 0; cell < cellCount; cell += 1) {
    const margins = new Int32Array(marginGroups.length);
    marginGroups.forEach((group, g) => {
      let index = 0;
      for (const dimension of group) index = index * (sizes[dimension] ?? 1) + (coordinates[dimension] ?? 0);
      const entry = (groupOffsets[g] ?? 0) + index;
      margins[g] = entry;
      members[entry - cellCount]?.push(cell);
    });
    cellMargins.push(margins);
    // Next coordinates in row-major order (last dimension fastest).
    for (let d = sizes.length - 1; d >= 0; d -= 1) {
      coordinates[d] = (coordinates[d] ?? 0) + 1;
      if ((coordinates[d] ?? 0) < (sizes[d] ?? 1)) break;
      coordinates[d] = 0;
    }
  }
  return { sizes, marginGroups, cellCount, entryCount, groupOffsets, cellMargins, marginCells: members.map((list) => Int32Array.from(list)) };
}

/** Every entry's value: the cells as given, each margin the sum of its cells. */
export function entryValues(layout: TableLayout, cells: readonly number[]): number[] {
  if (cells.length !== layout.cellCount) throw new RangeError(`expected ${layout.cellCount} cells, got ${cells.length}`);
  const values = new Array<number>(layout.entryCount).fill(0);
  cells.forEach((count, cell) => {
    values[cell] = count;
    for (const margin of layout.cellMargins[cell] ?? []) values[margin] = (values[margin] ?? 0) + count;
  });
  return values;
}

/** Splits entry-indexed values back into the cells and one array per margin group. */
export function splitEntries<T>(layout: TableLayout, entries: readonly T[]): { cells: T[]; margins: T[][] } {
  const cells = entries.slice(0, layout.cellCount);
  const margins = layout.groupOffsets.map((start, g) => entries.slice(start, layout.groupOffsets[g + 1] ?? layout.entryCount));
  return { cells, margins };
}
