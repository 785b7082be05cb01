import type { Pool, PoolClient } from 'pg';
import type { BirthMessage, IncidentMessage, StatsMessage, StatusMessage } from '../upstream/index.js';
import { migrateCollectorSchema, type CollectorMigrationOutcome } from './collector-migrate.js';
import { collectorMigrations } from './collector-schema.js';
import type { IncomingMessage, QuarantineReason, Refusal } from './incoming-message.js';
import { explainDroppedGaps, fillGap, openGap, recordDroppedRanges, type OpenedGap } from './sequence-gaps.js';
import { cellRows, marginRows } from './stats-rows.js';

export type IngestResult = 'stored' | 'duplicate' | 'conflict' | 'status' | 'birth' | 'unknown-kind' | 'quarantined';

export interface IngestOutcome {
  readonly result: IngestResult;
  readonly site?: string;
  readonly seq?: number;
  /** The range this message showed missing (it arrived above highest + 1). */
  readonly gapOpened?: OpenedGap;
  /** It arrived below the highest seq and filled a gap. */
  readonly late?: boolean;
  readonly reason?: QuarantineReason;
}

/** What the collector needs of its database (a slow or failing one in tests). */
export interface CollectorStore {
  migrate(): Promise<CollectorMigrationOutcome>;
  /** Resolves once the message is committed (or counted as a repeat); rejects when nothing was stored. */
  ingest(incoming: IncomingMessage, receivedAt: number): Promise<IngestOutcome>;
  ping(): Promise<void>;
}

export interface PostgresStoreOptions {
  readonly pool: Pool;
  /** A seq more than this far above the site's highest is quarantined, not stored ('seq-ahead'). */
  readonly maxSeqAhead?: number;
}

/** ~57 years of hourly periods with their incident messages. */
export const DEFAULT_MAX_SEQ_AHEAD = 1_000_000;

/**
 * PostgreSQL 22xxx (data exception) and 23xxx (integrity): the message cannot be stored as it is,
 * and sending it again will not help. Anything else (a lost connection, a shutdown) is the
 * database being unavailable: the message stays unacknowledged and comes again.
 */
export function isRefusedByDatabase(error: unknown): boolean {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' && /^2[23][0-9A-Z]{3}$/.test(code);
}

/**
 * Stores each message in one transaction that first locks the site's row: dedup on (site, seq),
 * the stats and incident counts expanded for querying, gaps opened and filled, counters kept.
 */
export class PostgresStore implements CollectorStore {
  readonly #pool: Pool;
  readonly #maxSeqAhead: number;

  constructor(options: PostgresStoreOptions) {
    this.#pool = options.pool;
    this.#maxSeqAhead = options.maxSeqAhead ?? DEFAULT_MAX_SEQ_AHEAD;
  }

  migrate(): Promise<CollectorMigrationOutcome> {
    return migrateCollectorSchema(this.#pool, collectorMigrations);
  }

  async ping(): Promise<void> {
    await this.#pool.query('SELECT 1');
  }

  ingest(incoming: IncomingMessage, receivedAt: number): Promise<IngestOutcome> {
    const at = new Date(receivedAt);
    switch (incoming.type) {
      case 'sequenced':
        return this.#transaction((client) => this.#storeSequenced(client, incoming, at));
      case 'status':
        return this.#transaction((client) => this.#storeStatus(client, incoming.message, incoming.retained, at));
      case 'birth':
        return this.#transaction((client) => this.#storeBirth(client, incoming.message, at));
      case 'unknown-kind':
        return this.#transaction((client) => this.#storeUnknownKind(client, incoming, at));
      case 'refused':
        return this.#transaction((client) => this.#quarantine(client, incoming.refusal, incoming, at));
    }
  }

  async #transaction<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    const client = await this.#pool.connect();
    // A connection cut between two queries is reported by the next query; unheard, it would crash the process.
    const ignore = (): void => undefined;
    client.on('error', ignore);
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      client.off('error', ignore);
      client.release();
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      client.off('error', ignore);
      client.release(true);
      throw error;
    }
  }

  /** Creates the site's row if new and locks it for this transaction; its highest seq so far. */
  async #lockSite(client: PoolClient, site: string, at: Date): Promise<number> {
    const row = await client.query<{ highest_seq: string }>(
      `INSERT INTO sites (site, first_seen_at) VALUES ($1, $2)
       ON CONFLICT (site) DO UPDATE SET site = EXCLUDED.site
       RETURNING highest_seq`,
      [site, at],
    );
    return Number(row.rows[0]?.highest_seq ?? 0);
  }

  async #storeSequenced(client: PoolClient, incoming: Extract<IncomingMessage, { type: 'sequenced' }>, at: Date): Promise<IngestOutcome> {
    const { site, kind, message } = incoming;
    const { seq } = message;
    const highest = await this.#lockSite(client, site, at);
    if (seq > highest + this.#maxSeqAhead) {
      return this.#quarantine(client, { reason: 'seq-ahead', error: `seq more than ${this.#maxSeqAhead} above the highest seen`, site, kind, seq }, incoming, at);
    }
    const inserted = await client.query<{ id: string }>(
      `INSERT INTO messages (site, seq, session, kind, schema, period_start, period_end, period_length, received_at, sha256, payload)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
       ON CONFLICT (site, seq) DO NOTHING RETURNING id`,
      [site, seq, message.session, kind, message.schema, message.period.start, message.period.end, message.period.length, at, incoming.digest, JSON.stringify(message)],
    );
    const id = inserted.rows[0]?.id;
    if (id === undefined) return this.#repeat(client, incoming, at);
    if (message.schema === 'helpline.stats/2') await this.#storeStatsCounts(client, id, message);
    else await this.#storeIncidentCounts(client, id, message);
    let gapOpened: OpenedGap | undefined;
    let late = false;
    if (seq > highest + 1) {
      gapOpened = { first: highest + 1, last: seq - 1 };
      await openGap(client, site, gapOpened, at);
      await explainDroppedGaps(client, site, at);
    } else if (seq < highest) {
      late = await fillGap(client, site, seq, at);
    }
    await client.query(
      `UPDATE sites SET highest_seq = GREATEST(highest_seq, $2), messages = messages + 1, late_arrivals = late_arrivals + $3, last_message_at = $4
       WHERE site = $1`,
      [site, seq, late ? 1 : 0, at],
    );
    return { result: 'stored', site, seq, ...(gapOpened ? { gapOpened } : {}), ...(late ? { late } : {}) };
  }

  /** The same (site, seq) again: a repeat when the bytes match, a conflict (quarantined) when not. */
  async #repeat(client: PoolClient, incoming: Extract<IncomingMessage, { type: 'sequenced' }>, at: Date): Promise<IngestOutcome> {
    const { site, kind, message } = incoming;
    const stored = await client.query<{ sha256: Buffer }>('SELECT sha256 FROM messages WHERE site = $1 AND seq = $2', [site, message.seq]);
    if (stored.rows[0]?.sha256.equals(incoming.digest)) {
      await client.query('UPDATE sites SET duplicates = duplicates + 1 WHERE site = $1', [site]);
      return { result: 'duplicate', site, seq: message.seq };
    }
    await client.query('UPDATE sites SET conflicts = conflicts + 1 WHERE site = $1', [site]);
    await this.#quarantine(client, { reason: 'seq-conflict', error: 'another payload was stored under this seq', site, kind, seq: message.seq }, incoming, at);
    return { result: 'conflict', site, seq: message.seq };
  }

  async #storeStatsCounts(client: PoolClient, id: string, message: StatsMessage): Promise<void> {
    const { site, period } = message;
    await client.query('INSERT INTO stats_releases (message_id, site, period_start, period_end, threshold, withheld) VALUES ($1, $2, $3, $4, $5, $6)', [
      id, site, period.start, period.end, message.disclosure.threshold, message.withheld,
    ]);
    const cells = cellRows(message);
    if (cells.length > 0) {
      await client.query(
        `INSERT INTO stats_counts (message_id, site, period_start, period_end, channel, topic, age_band, outcome, count)
         SELECT $1, $2, $3, $4, c, t, a, o, n FROM unnest($5::text[], $6::text[], $7::text[], $8::text[], $9::integer[]) AS u (c, t, a, o, n)`,
        [id, site, period.start, period.end, cells.map((r) => r.channel), cells.map((r) => r.topic), cells.map((r) => r.ageBand), cells.map((r) => r.outcome), cells.map((r) => r.count)],
      );
    }
    const margins = marginRows(message);
    if (margins.length > 0) {
      await client.query(
        `INSERT INTO stats_margins (message_id, site, period_start, period_end, margin, channel, topic, age_band, outcome, count)
         SELECT $1, $2, $3, $4, m, c, t, a, o, n FROM unnest($5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::integer[]) AS u (m, c, t, a, o, n)`,
        [id, site, period.start, period.end, margins.map((r) => r.margin), margins.map((r) => r.channel), margins.map((r) => r.topic), margins.map((r) => r.ageBand), margins.map((r) => r.outcome), margins.map((r) => r.count)],
      );
    }
  }

  async #storeIncidentCounts(client: PoolClient, id: string, message: IncidentMessage): Promise<void> {
    const { site, period } = message;
    await client.query('INSERT INTO incident_periods (message_id, site, period_start, period_end, open, overdue_unreported) VALUES ($1, $2, $3, $4, $5, $6)', [
      id, site, period.start, period.end, message.open, message.overdueUnreported,
    ]);
    const rows = [
      ...Object.entries(message.detectedByKind).map(([category, count]) => ({ dimension: 'kind', category, count })),
      ...Object.entries(message.detectedBySeverity).map(([category, count]) => ({ dimension: 'severity', category, count })),
    ];
    await client.query(
      `INSERT INTO incident_counts (message_id, site, period_start, period_end, dimension, category, count)
       SELECT $1, $2, $3, $4, d, c, n FROM unnest($5::text[], $6::text[], $7::integer[]) AS u (d, c, n)`,
      [id, site, period.start, period.end, rows.map((r) => r.dimension), rows.map((r) => r.category), rows.map((r) => r.count)],
    );
  }

  /** History once per (site, session, state, at); the site's current state is the last one received. */
  async #storeStatus(client: PoolClient, status: StatusMessage, retained: boolean, at: Date): Promise<IngestOutcome> {
    await this.#lockSite(client, status.site, at);
    await client.query(
      `INSERT INTO status_events (site, session, state, firmware, at, received_at, retained) VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (site, session, state, at) DO NOTHING`,
      [status.site, status.session, status.state, status.firmware, status.at, at, retained],
    );
    await client.query(
      `UPDATE sites SET status_state = $2, status_session = $3, status_firmware = $4, status_at = $5, status_received_at = $6 WHERE site = $1`,
      [status.site, status.state, status.session, status.firmware, status.at, at],
    );
    return { result: 'status', site: status.site };
  }

  /** Each birth once; the seq ranges it reports dropped explain the gaps they cover. */
  async #storeBirth(client: PoolClient, birth: BirthMessage, at: Date): Promise<IngestOutcome> {
    await this.#lockSite(client, birth.site, at);
    const { outbox } = birth;
    await client.query(
      `INSERT INTO birth_events (site, session, firmware, at, received_at, waiting, last_seq, dropped) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (site, session, at) DO NOTHING`,
      [birth.site, birth.session, birth.firmware, birth.at, at, outbox.waiting, outbox.lastSeq, outbox.dropped.count],
    );
    await recordDroppedRanges(client, birth.site, outbox.dropped.seqRanges, at);
    return { result: 'birth', site: birth.site };
  }

  async #storeUnknownKind(client: PoolClient, incoming: Extract<IncomingMessage, { type: 'unknown-kind' }>, at: Date): Promise<IngestOutcome> {
    await this.#lockSite(client, incoming.site, at);
    await client.query(
      `INSERT INTO unknown_messages (site, kind, first_received_at, size_bytes, sha256, payload) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (site, kind, sha256) DO UPDATE SET receipts = unknown_messages.receipts + 1`,
      [incoming.site, incoming.kind, at, incoming.size, incoming.digest, JSON.stringify(incoming.payload)],
    );
    await client.query('UPDATE sites SET unknown_kind = unknown_kind + 1 WHERE site = $1', [incoming.site]);
    return { result: 'unknown-kind', site: incoming.site };
  }

  /** Size, hash, reason and error paths; the site's counter only when the site is known already. */
  async #quarantine(client: PoolClient, refusal: Refusal, described: { readonly digest: Buffer; readonly size: number }, at: Date): Promise<IngestOutcome> {
    await client.query(
      `INSERT INTO quarantine (received_at, site, kind, topic, seq, size_bytes, sha256, reason, error) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [at, refusal.site ?? null, refusal.kind ?? null, refusal.topic ?? null, refusal.seq ?? null, described.size, described.digest, refusal.reason, refusal.error],
    );
    if (refusal.site !== undefined) await client.query('UPDATE sites SET quarantined = quarantined + 1 WHERE site = $1', [refusal.site]);
    return { result: 'quarantined', reason: refusal.reason, ...(refusal.site !== undefined ? { site: refusal.site } : {}), ...(refusal.seq !== undefined ? { seq: refusal.seq } : {}) };
  }
}
