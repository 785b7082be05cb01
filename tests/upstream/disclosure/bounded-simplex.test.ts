import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BoundedSimplex } from '../../../src/upstream/disclosure/bounded-simplex.js';

/** Max and min of x[target] over integer points of {Σ_j a_ij x_j = b_i, bounds} by enumeration (tiny problems, where the LP optimum is at an integer vertex). */
function enumerate(rows: number[][], lower: number[], upper: number[], start: number[], target: number): [number, number] {
  const b = rows.map((row) => row.reduce((sum, a, j) => sum + a * (start[j] ?? 0), 0));
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  const x = [...start];
  const search = (j: number): void => {
    if (j === x.length) {
      if (rows.every((row, i) => row.reduce((sum, a, k) => sum + a * (x[k] ?? 0), 0) === b[i])) {
        min = Math.min(min, x[target] ?? 0);
        max = Math.max(max, x[target] ?? 0);
      }
      return;
    }
    for (let v = lower[j] ?? 0; v <= (upper[j] ?? 0); v += 1) {
      x[j] = v;
      search(j + 1);
    }
  };
  search(0);
  return [min, max];
}

describe('BoundedSimplex', () => {
  it('finds the range of a cell in a 2 × 2 table with fixed row and column sums', () => {
    // x00 + x01 = 10, x10 + x11 = 6, x00 + x10 = 9, x01 + x11 = 7; every cell in [1, 9].
    const lp = new BoundedSimplex(4);
    const start = [5, 5, 4, 2];
    const rowsOf = [[0, 2], [0, 3], [1, 2], [1, 3]];
    const columns = start.map((value, j) => lp.addColumn({ rows: rowsOf[j] ?? [], coefficients: [1, 1], lower: 1, upper: 9, value }));
    lp.setObjective([[columns[0] ?? -1, 1]]);
    lp.optimize();
    expect(lp.value(columns[0] ?? -1)).toBeCloseTo(8, 9);
    lp.setObjective([[columns[0] ?? -1, -1]]);
    lp.optimize();
    // x11 = x00 − 3 must stay ≥ 1.
    expect(lp.value(columns[0] ?? -1)).toBeCloseTo(4, 9);
  });

  it('stops at a target and adds a column when stuck (column generation)', () => {
    // x + y = 10 with y fixed at first (published): x cannot move until y becomes a variable.
    const lp = new BoundedSimplex(1);
    const x = lp.addColumn({ rows: [0], coefficients: [1], lower: 1, upper: 9, value: 3 });
    let added = false;
    lp.setObjective([[x, 1]]);
    lp.optimize({
      stopWhen: () => lp.value(x) >= 6,
      whenStuck: (price) => {
        if (added) return false;
        expect(price([0], [1])).toBeCloseTo(-1, 9);
        lp.addColumn({ rows: [0], coefficients: [1], lower: 1, upper: Number.POSITIVE_INFINITY, value: 7 });
        added = true;
        return true;
      },
    });
    expect(added).toBe(true);
    expect(lp.value(x)).toBeGreaterThanOrEqual(6);
  });

  it('agrees with enumeration on random small transportation problems', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 6, maxLength: 6 }), fc.integer({ min: 0, max: 5 }), (start, target) => {
        // A 2 × 3 table: row sums (rows 0, 1) and column sums (rows 2, 3, 4) fixed.
        const membership = (j: number): number[] => [Math.floor(j / 3), 2 + (j % 3)];
        const dense = [0, 1, 2, 3, 4].map((row) => start.map((_, j) => (membership(j).includes(row) ? 1 : 0)));
        const lower = start.map(() => 1);
        const upper = start.map(() => 5);
        const [min, max] = enumerate(dense, lower, upper, start, target);
        const lp = new BoundedSimplex(5);
        const columns = start.map((value, j) => lp.addColumn({ rows: membership(j), coefficients: [1, 1], lower: 1, upper: 5, value }));
        lp.setObjective([[columns[target] ?? -1, 1]]);
        lp.optimize();
        expect(lp.value(columns[target] ?? -1)).toBeCloseTo(max, 6);
        lp.setObjective([[columns[target] ?? -1, -1]]);
        lp.optimize();
        expect(lp.value(columns[target] ?? -1)).toBeCloseTo(min, 6);
      }),
      { numRuns: 100, seed: 7 },
    );
  });

  it('refuses a column outside its bounds or rows', () => {
    const lp = new BoundedSimplex(1);
    expect(() => lp.addColumn({ rows: [0], coefficients: [1], lower: 1, upper: 2, value: 3 })).toThrow(RangeError);
    expect(() => lp.addColumn({ rows: [1], coefficients: [1], lower: 1, upper: 2, value: 1 })).toThrow(RangeError);
  });
});
