import { CappedRegistrationCount } from './capped-registration-count.js';
import type { GatewayDatabase } from './open-database.js';

/**
 * Closed statistics periods and the registration counts they are made from. Registrations are
 * written by the contact desk and carry no identifier; this repository only reads them.
 */
export interface RegistrationCount {
  readonly channel: string;
  readonly topic: string;
  readonly ageBand: string;
  readonly outcome: string;
  readonly count: number;
}

interface CountRow {
  channel: string;
  topic: string;
  age_band: string;
  outcome: string;
  n: number;
}

export class StatsRepository {
  readonly #database: GatewayDatabase;

  constructor(database: GatewayDatabase) {
    this.#database = database;
  }

  /** End of the newest closed period, or undefined before the first one. */
  lastClosedEnd(): number | undefined {
    const row = this.#database.get<{ last: number | null }>('SELECT MAX(period_end) AS last FROM stats_periods', []);
    return row?.last == null ? undefined : Number(row.last);
  }

  isClosed(periodStart: number): boolean {
    return this.#database.get<{ one: number }>('SELECT 1 AS one FROM stats_periods WHERE period_start = ?', [periodStart]) != null;
  }

  markClosed(period: { start: number; end: number }, closedAt: number): void {
    this.#database.run('INSERT INTO stats_periods (period_start, period_end, closed_at) VALUES (?, ?, ?)', [period.start, period.end, closedAt]);
  }

  firstRegistrationAt(): number | undefined {
    const row = this.#database.get<{ first: number | null }>('SELECT MIN(occurred_at) AS first FROM registrations', []);
    return row?.first == null ? undefined : Number(row.first);
  }

  /** Registrations with occurred_at in [start, end), counted per channel, topic, age band and outcome, without a cap. */
  countRegistrations(start: number, end: number): RegistrationCount[] {
    const rows = this.#database.all<CountRow>(
      `SELECT channel, topic, age_band, outcome, COUNT(*) AS n FROM registrations
       WHERE occurred_at >= ? AND occurred_at < ?
       GROUP BY channel, topic, age_band, outcome`,
      [start, end],
    );
    return rows.map((row) => ({ channel: row.channel, topic: row.topic, ageBand: row.age_band, outcome: row.outcome, count: Number(row.n) }));
  }

  /**
   * The period's registrations with at most `cap` per caller (pseudonym), counted in chunks the
   * caller reads one at a time (CappedRegistrationCount): no pseudonym leaves the store layer.
   * Pseudonyms are per link month, so a period spanning two months sees one caller as two (the
   * noise sensitivity accounts for that).
   */
  cappedCount(period: { start: number; end: number }, cap: number, chunkRows?: number): CappedRegistrationCount {
    return new CappedRegistrationCount(this.#database, period, cap, chunkRows);
  }

  /** Keeps the message as it was published, for the annual report (same transaction as the outbox row). */
  recordPublished(seq: number, period: { start: number; end: number }, payload: string): void {
    this.#database.run('INSERT INTO published_stats (seq, period_start, period_end, payload) VALUES (?, ?, ?, ?)', [seq, period.start, period.end, payload]);
  }
}
