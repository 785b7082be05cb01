/**
 * A small dense primal simplex for the interval audit: equality rows `A x = b`, a lower and upper
 * bound on every variable (the upper may be Infinity), and a linear objective to maximize.
 *
 * It never needs a phase 1: every column is added at a value that already satisfies the rows (the
 * true table is a feasible point), so the start basis is one artificial variable per row, fixed
 * at 0. It is the revised method: a dense B⁻¹ (rows × rows) and the columns kept sparse, so a
 * column can be priced or added at any time (column generation: the secondary suppression adds
 * published counts as variables while optimizing). Non-basic variables may sit anywhere between their bounds (they start at
 * their true value), which the bounded-variable method allows as long as a non-basic variable
 * only moves where its bounds give room.
 *
 * Problems here are a few hundred rows and columns, every column with at most a handful of
 * non-zeros; a pivot costs O(rows² + non-zeros). Entering is chosen by the
 * largest reduced cost, and by Bland's rule after a run of degenerate pivots, so it cannot cycle.
 */
export interface SimplexColumn {
  /** Rows in which the column has a coefficient, and those coefficients. */
  readonly rows: readonly number[];
  readonly coefficients: readonly number[];
  readonly lower: number;
  readonly upper: number;
  /** Its current value: the caller guarantees that the rows still hold with it. */
  readonly value: number;
}

/** The gain in the objective from raising, by 1, a column that is not (yet) in the problem. */
export type ColumnPricer = (rows: readonly number[], coefficients: readonly number[]) => number;

/** Called at an optimum that has not met the stop condition: add columns and return true to go on. */
export type WhenStuck = (price: ColumnPricer) => boolean;

export interface OptimizeOptions {
  /** Stop as soon as this holds (checked before every step). */
  readonly stopWhen?: () => boolean;
  readonly whenStuck?: WhenStuck;
}

const EPS = 1e-9;
/** A smaller entry of the entering column is treated as zero, never pivoted on. */
const PIVOT_EPS = 1e-7;
/** Pivots between two fresh inversions of B (which also recompute the basic values). */
const REINVERT_EVERY = 128;
/**
 * Smallest reduced cost that counts as improving. On these 0/±1 tables the real ones are ratios of
 * small integers; below this it is rounding noise, and chasing it never ends.
 */
const PRICE_EPS = 1e-6;
/** Consecutive degenerate steps after which entering is chosen by Bland's rule. */
const DEGENERATE_STREAK = 32;

export class BoundedSimplex {
  readonly #rowCount: number;
  /** B⁻¹, one dense array per row. */
  readonly #inverse: Float64Array[];
  readonly #columnRows: Int32Array[] = [];
  readonly #columnCoefficients: Float64Array[] = [];
  /** Reduced costs of the current objective, per column (artificial ones hold −y). */
  #reduced: number[] = [];
  #cost: number[] = [];
  #lower: number[] = [];
  #upper: number[] = [];
  #value: number[] = [];
  /** Row in which a column is basic, or −1. */
  #basicRow: number[] = [];
  /** Column basic in each row. */
  readonly #rowBasic: Int32Array;
  /** Σ a_j x_j over the columns, the same after every step: the right-hand side b. */
  readonly #rhs: Float64Array;
  /** Scratch: the entering column B⁻¹ a. */
  readonly #alpha: Float64Array;
  #pivots = 0;

  constructor(rowCount: number) {
    if (!Number.isInteger(rowCount) || rowCount < 0) throw new RangeError('row count must be a non-negative integer');
    this.#rowCount = rowCount;
    this.#inverse = Array.from({ length: rowCount }, (_, row) => {
      const inverseRow = new Float64Array(rowCount);
      inverseRow[row] = 1;
      return inverseRow;
    });
    this.#rowBasic = new Int32Array(rowCount);
    this.#alpha = new Float64Array(rowCount);
    this.#rhs = new Float64Array(rowCount);
    for (let row = 0; row < rowCount; row += 1) {
      this.#push(Int32Array.of(row), Float64Array.of(1), 0, 0, 0, row);
      this.#rowBasic[row] = row;
    }
  }

  /** Pivots done so far (for the benchmark). */
  get pivots(): number {
    return this.#pivots;
  }

  /** Adds a non-basic column at its value, with objective coefficient 0; returns its index. */
  addColumn(column: SimplexColumn): number {
    const { rows, coefficients, lower, upper, value } = column;
    if (rows.length !== coefficients.length) throw new RangeError('rows and coefficients differ in length');
    if (rows.some((row) => !Number.isInteger(row) || row < 0 || row >= this.#rowCount)) throw new RangeError('column row out of range');
    if (!(lower <= value && value <= upper)) throw new RangeError('a column must start within its bounds');
    const index = this.#basicRow.length;
    this.#push(Int32Array.from(rows), Float64Array.from(coefficients), lower, upper, value, -1);
    rows.forEach((row, k) => {
      this.#rhs[row]! += (coefficients[k] ?? 0) * value;
    });
    this.#reduced[index] = this.#price(rows, coefficients);
    return index;
  }

  value(column: number): number {
    const value = this.#value[column];
    if (value === undefined) throw new RangeError(`no column ${column}`);
    return value;
  }

  /** Sets the objective to maximize: Σ weight × column over the given pairs. */
  setObjective(terms: ReadonlyArray<readonly [column: number, weight: number]>): void {
    this.#cost.fill(0);
    for (const [column, weight] of terms) {
      if (column < this.#rowCount || column >= this.#basicRow.length) throw new RangeError(`no structural column ${column}`);
      this.#cost[column] = weight;
    }
    // y = c_B B⁻¹; d_j = c_j − y a_j, and the artificial columns' d is −y.
    const y = new Float64Array(this.#rowCount);
    for (let row = 0; row < this.#rowCount; row += 1) {
      const weight = this.#cost[this.#rowBasic[row]!]!;
      if (weight === 0) continue;
      const inverseRow = this.#inverse[row]!;
      for (let k = 0; k < this.#rowCount; k += 1) y[k]! += weight * inverseRow[k]!;
    }
    for (let j = 0; j < this.#basicRow.length; j += 1) {
      const rows = this.#columnRows[j]!;
      const coefficients = this.#columnCoefficients[j]!;
      let dot = 0;
      for (let k = 0; k < rows.length; k += 1) dot += coefficients[k]! * y[rows[k]!]!;
      this.#reduced[j] = this.#cost[j]! - dot;
    }
  }

  /** Maximizes the objective until `stopWhen` holds or no improving step is left (then `whenStuck` may add columns). */
  optimize(options: OptimizeOptions = {}): void {
    const { stopWhen, whenStuck } = options;
    let degenerate = 0;
    let steps = 0;
    while (!stopWhen?.()) {
      if (steps > 50 * (this.#rowCount + this.#basicRow.length) + 1000) throw new Error('simplex did not converge');
      const entering = this.#chooseEntering(degenerate >= DEGENERATE_STREAK);
      if (entering === undefined) {
        if (whenStuck?.((rows, coefficients) => this.#price(rows, coefficients))) {
          steps = 0;
          continue;
        }
        return;
      }
      const moved = this.#step(entering.column, entering.sense);
      degenerate = moved > EPS ? 0 : degenerate + 1;
      steps += 1;
    }
  }

  #push(rows: Int32Array, coefficients: Float64Array, lower: number, upper: number, value: number, basicRow: number): void {
    this.#columnRows.push(rows);
    this.#columnCoefficients.push(coefficients);
    this.#lower.push(lower);
    this.#upper.push(upper);
    this.#value.push(value);
    this.#basicRow.push(basicRow);
    this.#reduced.push(0);
    this.#cost.push(0);
  }

  /** Reduced cost of a column given by its rows: Σ a_k d(artificial k), as d(artificial k) = −y_k. */
  #price(rows: ArrayLike<number>, coefficients: ArrayLike<number>): number {
    let sum = 0;
    for (let k = 0; k < rows.length; k += 1) sum += coefficients[k]! * this.#reduced[rows[k]!]!;
    return sum;
  }

  /** An improving non-basic column and whether it goes up (+1) or down (−1); undefined at an optimum. */
  #chooseEntering(bland: boolean): { column: number; sense: 1 | -1 } | undefined {
    let best: { column: number; sense: 1 | -1 } | undefined;
    let bestRate = 0;
    for (let j = this.#rowCount; j < this.#basicRow.length; j += 1) {
      const rate = this.#reduced[j]!;
      if (Math.abs(rate) <= PRICE_EPS || this.#basicRow[j]! >= 0) continue;
      const sense: 1 | -1 = rate > 0 ? 1 : -1;
      const room = sense > 0 ? this.#upper[j]! - this.#value[j]! : this.#value[j]! - this.#lower[j]!;
      if (room <= EPS) continue;
      if (bland) return { column: j, sense };
      if (Math.abs(rate) > bestRate) {
        bestRate = Math.abs(rate);
        best = { column: j, sense };
      }
    }
    return best;
  }

  /** Moves the entering column as far as the bounds allow; pivots when a basic variable blocks. Returns the distance moved. */
  #step(entering: number, sense: 1 | -1): number {
    const alpha = this.#alpha;
    const rows = this.#columnRows[entering]!;
    const coefficients = this.#columnCoefficients[entering]!;
    for (let row = 0; row < this.#rowCount; row += 1) {
      const inverseRow = this.#inverse[row]!;
      let sum = 0;
      for (let k = 0; k < rows.length; k += 1) sum += coefficients[k]! * inverseRow[rows[k]!]!;
      alpha[row] = Math.abs(sum) < PIVOT_EPS ? 0 : sum;
    }
    let theta = sense > 0 ? this.#upper[entering]! - this.#value[entering]! : this.#value[entering]! - this.#lower[entering]!;
    let leavingRow = -1;
    let leavingColumn = Number.POSITIVE_INFINITY;
    for (let row = 0; row < this.#rowCount; row += 1) {
      const coefficient = alpha[row]!;
      if (coefficient === 0) continue;
      const basic = this.#rowBasic[row]!;
      // The basic variable changes by −coefficient × sense per unit of theta.
      const rate = -coefficient * sense;
      const limit = Math.max(0, rate > 0 ? (this.#upper[basic]! - this.#value[basic]!) / rate : (this.#value[basic]! - this.#lower[basic]!) / -rate);
      if (limit < theta - EPS || (limit <= theta + EPS && leavingRow >= 0 && basic < leavingColumn)) {
        theta = limit;
        leavingRow = row;
        leavingColumn = basic;
      }
    }
    if (!Number.isFinite(theta)) throw new Error('simplex objective is unbounded');
    for (let row = 0; row < this.#rowCount; row += 1) {
      const coefficient = alpha[row]!;
      if (coefficient !== 0) this.#value[this.#rowBasic[row]!]! -= coefficient * sense * theta;
    }
    if (leavingRow < 0) {
      this.#value[entering] = sense > 0 ? this.#upper[entering]! : this.#lower[entering]!;
      return theta;
    }
    this.#value[entering]! += sense * theta;
    const leaving = this.#rowBasic[leavingRow]!;
    const rate = -alpha[leavingRow]! * sense;
    this.#value[leaving] = rate > 0 ? this.#upper[leaving]! : this.#lower[leaving]!;
    this.#pivot(leavingRow, entering);
    return theta;
  }

  /** Makes `entering` basic in `pivotRow`, with #alpha holding its column B⁻¹ a. */
  #pivot(pivotRow: number, entering: number): void {
    this.#pivots += 1;
    const alpha = this.#alpha;
    const pivotInverse = this.#inverse[pivotRow]!;
    const pivot = alpha[pivotRow]!;
    const nonZero: number[] = [];
    for (let k = 0; k < this.#rowCount; k += 1) {
      if (pivotInverse[k] === 0) continue;
      const scaled = pivotInverse[k]! / pivot;
      pivotInverse[k] = Math.abs(scaled) < EPS ? 0 : scaled;
      if (pivotInverse[k] !== 0) nonZero.push(k);
    }
    // Reduced costs: d_j −= d_q × (new pivot row of the tableau)_j, that row being (B⁻¹)_r a_j.
    const factor = this.#reduced[entering]!;
    if (factor !== 0) {
      for (let j = 0; j < this.#basicRow.length; j += 1) {
        const rows = this.#columnRows[j]!;
        const coefficients = this.#columnCoefficients[j]!;
        let entry = 0;
        for (let k = 0; k < rows.length; k += 1) entry += coefficients[k]! * pivotInverse[rows[k]!]!;
        if (entry !== 0) this.#reduced[j]! -= factor * entry;
      }
    }
    this.#reduced[entering] = 0;
    for (let row = 0; row < this.#rowCount; row += 1) {
      const coefficient = alpha[row]!;
      if (row === pivotRow || coefficient === 0) continue;
      const inverseRow = this.#inverse[row]!;
      for (const k of nonZero) {
        const updated = inverseRow[k]! - coefficient * pivotInverse[k]!;
        inverseRow[k] = Math.abs(updated) < EPS ? 0 : updated;
      }
    }
    const leaving = this.#rowBasic[pivotRow]!;
    this.#basicRow[leaving] = -1;
    this.#basicRow[entering] = pivotRow;
    this.#rowBasic[pivotRow] = entering;
    if (this.#pivots % REINVERT_EVERY === 0) this.#reinvert();
  }

  /**
   * Inverts B afresh (Gauss–Jordan, partial pivoting) and recomputes x_B = B⁻¹ (b − N x_N), so
   * rounding from the product-form updates never piles up into a point outside the bounds.
   */
  #reinvert(): void {
    const m = this.#rowCount;
    const work = Array.from({ length: m }, () => new Float64Array(2 * m));
    for (let slot = 0; slot < m; slot += 1) {
      const column = this.#rowBasic[slot]!;
      const rows = this.#columnRows[column]!;
      const coefficients = this.#columnCoefficients[column]!;
      for (let k = 0; k < rows.length; k += 1) work[rows[k]!]![slot] = coefficients[k]!;
    }
    for (let row = 0; row < m; row += 1) work[row]![m + row] = 1;
    for (let col = 0; col < m; col += 1) {
      let best = col;
      for (let row = col + 1; row < m; row += 1) if (Math.abs(work[row]![col]!) > Math.abs(work[best]![col]!)) best = row;
      if (Math.abs(work[best]![col]!) < PIVOT_EPS) throw new Error('simplex basis became singular');
      [work[col], work[best]] = [work[best]!, work[col]!];
      const pivotRow = work[col]!;
      const pivot = pivotRow[col]!;
      // B is mostly artificial (unit) columns: work only on the non-zeros.
      const nonZero: number[] = [];
      for (let k = col; k < 2 * m; k += 1) {
        if (pivotRow[k] === 0) continue;
        pivotRow[k]! /= pivot;
        nonZero.push(k);
      }
      for (let row = 0; row < m; row += 1) {
        const factor = work[row]![col]!;
        if (row === col || factor === 0) continue;
        const target = work[row]!;
        for (const k of nonZero) target[k]! -= factor * pivotRow[k]!;
      }
    }
    // work is now [I | B⁻¹], rows in slot order.
    for (let slot = 0; slot < m; slot += 1) {
      const inverseRow = this.#inverse[slot]!;
      const source = work[slot]!;
      for (let k = 0; k < m; k += 1) {
        const entry = source[m + k]!;
        inverseRow[k] = Math.abs(entry) < EPS ? 0 : entry;
      }
    }
    const residual = Float64Array.from(this.#rhs);
    for (let j = 0; j < this.#basicRow.length; j += 1) {
      if (this.#basicRow[j]! >= 0) continue;
      const rows = this.#columnRows[j]!;
      const coefficients = this.#columnCoefficients[j]!;
      for (let k = 0; k < rows.length; k += 1) residual[rows[k]!]! -= coefficients[k]! * this.#value[j]!;
    }
    for (let slot = 0; slot < m; slot += 1) {
      const inverseRow = this.#inverse[slot]!;
      let sum = 0;
      for (let k = 0; k < m; k += 1) if (inverseRow[k] !== 0) sum += inverseRow[k]! * residual[k]!;
      this.#value[this.#rowBasic[slot]!] = sum;
    }
  }
}
