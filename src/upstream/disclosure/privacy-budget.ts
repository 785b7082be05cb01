/**
 * The yearly privacy budget: each noised release spends epsilon from the budget of the site's
 * calendar year its period starts in; a release that would take the year past its budget is not
 * made (the period is published as withheld, so the central office sees no gap).
 */
export interface BudgetDecision {
  readonly release: boolean;
  /** Spent in the year including this release when it is made, else what was spent before. */
  readonly spent: number;
}

/** Room for rounding in sums of decimal epsilons (0.1 × 10 is not exactly 1 in floating point). */
const ROUNDING = 1e-9;

export function decideRelease(spentBefore: number, epsilon: number, yearlyBudget: number): BudgetDecision {
  if (!(epsilon > 0) || !(yearlyBudget > 0)) throw new RangeError('epsilon and budget must be positive');
  const after = spentBefore + epsilon;
  return after <= yearlyBudget + ROUNDING ? { release: true, spent: Math.min(after, yearlyBudget) } : { release: false, spent: spentBefore };
}

/** Link months (local calendar months) the half-open period [start, end) touches, given a month-of function. */
export function monthsSpanned(start: number, end: number, yearMonthAt: (at: number) => { year: number; month: number }): number {
  const first = yearMonthAt(start);
  const last = yearMonthAt(end - 1);
  return last.year * 12 + last.month - (first.year * 12 + first.month) + 1;
}
