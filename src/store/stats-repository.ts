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

  /**
   * Registrations with occurred_at in [start, end), counted per channel, topic, age band and
   * outcome. With a contribution cap, only the first `cap` registrations of each caller in the
   * period count: the caller is the contact's pseudonym, compared here in SQL so no pseudonym
   * ever leaves the database; a registration without one (withheld number, no contact row,
   * shredded month) is a caller of its own. Pseudonyms are per link month, so a period spanning
   * two months sees one caller as two (the noise sensitivity accounts for that).
   */
  countRegistrations(start: number, end: number, cap?: number): RegistrationCount[] {
    if (cap !== undefined && (!Number.isInteger(cap) || cap < 1)) throw new RangeError('contribution cap must be a positive integer');
    const rows =
      cap === undefined
        ? this.#database.all<CountRow>(
            `SELECT channel, topic, age_band, outcome, COUNT(*) AS n FROM registrations
             WHERE occurred_at >= ? AND occurred_at < ?
             GROUP BY channel, topic, age_band, outcome`,
            [start, end],
          )
        : this.#database.all<CountRow>(
            `SELECT channel, topic, age_band, outcome, COUNT(*) AS n FROM (
               SELECT r.channel, r.topic, r.age_band, r.outcome,
                      CASE WHEN c.pseudonym IS NULL THEN 1
                           ELSE ROW_NUMBER() OVER (PARTITION BY c.pseudonym ORDER BY r.occurred_at, r.id) END AS nth
               FROM registrations r LEFT JOIN contacts c ON c.id = r.contact_id
               WHERE r.occurred_at >= ? AND r.occurred_at < ?
             ) WHERE nth <= ?
             GROUP BY channel, topic, age_band, outcome`,
            [start, end, cap],
          );
    return rows.map((row) => ({ channel: row.channel, topic: row.topic, ageBand: row.age_band, outcome: row.outcome, count: Number(row.n) }));
  }

  /** Keeps the message as it was published, for the annual report (same transaction as the outbox row). */
  recordPublished(seq: number, period: { start: number; end: number }, payload: string): void {
    this.#database.run('INSERT INTO published_stats (seq, period_start, period_end, payload) VALUES (?, ?, ?, ?)', [seq, period.start, period.end, payload]);
  }
}
