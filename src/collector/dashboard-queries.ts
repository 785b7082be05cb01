import type { Pool } from 'pg';

/** One site's row on the dashboard. */
export interface SiteSummary {
  readonly site: string;
  readonly state: 'online' | 'offline' | null;
  /** When the status was made on the box (ms). */
  readonly stateAt: number | null;
  readonly firmware: string | null;
  readonly highestSeq: number;
  readonly messages: number;
  readonly lastMessageAt: number | null;
  readonly openGaps: number;
  /** Seqs missing in the open gaps. */
  readonly missing: number;
  readonly duplicates: number;
  readonly quarantined: number;
  readonly unknownKind: number;
}

/**
 * Published counts of a category over some periods. Where the box suppressed a total, only what
 * it did publish under it (its published cells) is in `shown`, and `suppressed` says how many
 * suppressed totals there were: the real number is then higher than `shown`, by an amount
 * nobody outside the box may know.
 */
export interface ShownCount {
  readonly shown: number;
  readonly suppressed: number;
}

export interface DayChannelCount extends ShownCount {
  /** YYYY-MM-DD in the dashboard's time zone. */
  readonly day: string;
  readonly channel: string;
}

export interface TopicCount extends ShownCount {
  readonly topic: string;
}

export interface DashboardData {
  readonly sites: readonly SiteSummary[];
  readonly perDay: readonly DayChannelCount[];
  readonly topTopics: readonly TopicCount[];
  /** Periods a box withheld (privacy budget spent), in the window. */
  readonly withheld: number;
  readonly quarantineByReason: ReadonlyArray<{ readonly reason: string; readonly count: number }>;
}

export interface DashboardWindow {
  /** Periods starting at or after this instant (ms). */
  readonly from: number;
  readonly timeZone: string;
  readonly topicLimit: number;
}

const time = (value: Date | null): number | null => (value === null ? null : value.getTime());

/**
 * Shown count of a margin: the margin itself where published, else the sum of the published cells
 * under it (a margin row exists only where the count is not zero, or was suppressed).
 */
const SHOWN = (dimension: 'channel' | 'topic'): string => `
  SELECT m.${dimension} AS key, m.period_start,
         COALESCE(m.count, (SELECT COALESCE(sum(c.count), 0) FROM stats_counts c WHERE c.message_id = m.message_id AND c.${dimension} = m.${dimension})) AS shown,
         (m.count IS NULL) AS suppressed
  FROM stats_margins m
  WHERE m.margin = '${dimension}' AND m.period_start >= $1`;

/** The read-only queries behind the dashboard page. */
export class DashboardQueries {
  readonly #pool: Pool;

  constructor(pool: Pool) {
    this.#pool = pool;
  }

  async load(window: DashboardWindow): Promise<DashboardData> {
    const from = new Date(window.from);
    const [sites, perDay, topTopics, withheld, quarantine] = await Promise.all([
      this.#pool.query<{
        site: string; status_state: 'online' | 'offline' | null; status_at: Date | null; status_firmware: string | null; highest_seq: string; messages: string;
        last_message_at: Date | null; open_gaps: string; missing: string; duplicates: string; quarantined: string; unknown_kind: string;
      }>(`
        SELECT s.site, s.status_state, s.status_at, s.status_firmware, s.highest_seq, s.messages, s.last_message_at, s.duplicates, s.quarantined, s.unknown_kind,
               count(g.id) AS open_gaps, COALESCE(sum(g.last_seq - g.first_seq + 1), 0) AS missing
        FROM sites s LEFT JOIN gaps g ON g.site = s.site AND g.state = 'open'
        GROUP BY s.site ORDER BY s.site`),
      this.#pool.query<{ day: string; key: string; shown: string; suppressed: string }>(`
        SELECT to_char(period_start AT TIME ZONE $2, 'YYYY-MM-DD') AS day, key, sum(shown) AS shown, count(*) FILTER (WHERE suppressed) AS suppressed
        FROM (${SHOWN('channel')}) AS shown GROUP BY 1, 2 ORDER BY 1, 2`, [from, window.timeZone]),
      this.#pool.query<{ key: string; shown: string; suppressed: string }>(`
        SELECT key, sum(shown) AS shown, count(*) FILTER (WHERE suppressed) AS suppressed
        FROM (${SHOWN('topic')}) AS shown GROUP BY key ORDER BY sum(shown) DESC, key LIMIT $2`, [from, window.topicLimit]),
      this.#pool.query<{ n: string }>('SELECT count(*) AS n FROM stats_releases WHERE withheld IS NOT NULL AND period_start >= $1', [from]),
      this.#pool.query<{ reason: string; n: string }>('SELECT reason, count(*) AS n FROM quarantine GROUP BY reason ORDER BY reason'),
    ]);
    return {
      sites: sites.rows.map((row) => ({
        site: row.site,
        state: row.status_state,
        stateAt: time(row.status_at),
        firmware: row.status_firmware,
        highestSeq: Number(row.highest_seq),
        messages: Number(row.messages),
        lastMessageAt: time(row.last_message_at),
        openGaps: Number(row.open_gaps),
        missing: Number(row.missing),
        duplicates: Number(row.duplicates),
        quarantined: Number(row.quarantined),
        unknownKind: Number(row.unknown_kind),
      })),
      perDay: perDay.rows.map((row) => ({ day: row.day, channel: row.key, shown: Number(row.shown), suppressed: Number(row.suppressed) })),
      topTopics: topTopics.rows.map((row) => ({ topic: row.key, shown: Number(row.shown), suppressed: Number(row.suppressed) })),
      withheld: Number(withheld.rows[0]?.n ?? 0),
      quarantineByReason: quarantine.rows.map((row) => ({ reason: row.reason, count: Number(row.n) })),
    };
  }
}
