import type { GatewayDatabase } from './open-database.js';

/**
 * The privacy-budget ledger: the epsilon each noised statistics release spent, per period and per
 * calendar year of the site. Written in the transaction that closes the period, so a release and
 * its spending are never apart.
 */
export class PrivacyBudgetRepository {
  readonly #database: GatewayDatabase;

  constructor(database: GatewayDatabase) {
    this.#database = database;
  }

  /** Epsilon spent in a year so far. */
  spentIn(year: number): number {
    return Number(this.#database.get<{ spent: number | null }>('SELECT SUM(epsilon) AS spent FROM privacy_budget WHERE year = ?', [year])?.spent ?? 0);
  }

  record(periodStart: number, year: number, epsilon: number, spentAt: number): void {
    this.#database.run('INSERT INTO privacy_budget (period_start, year, epsilon, spent_at) VALUES (?, ?, ?, ?)', [periodStart, year, epsilon, spentAt]);
  }
}
