import { GatewayError } from '../errors.js';
import { MetaNumber, MetaText } from './meta-entry.js';
import type { GatewayDatabase } from './open-database.js';
import { parseSeqRanges, withoutRanges, withSeqs, type SeqRange } from './seq-ranges.js';

/**
 * The durable upstream outbox: a message is written here in the same transaction that makes it,
 * and deleted only when the broker has acknowledged it (PUBACK). mqtt.js keeps its own queue in
 * memory only, so this table is the copy that survives a restart or a power cut.
 *
 * The payloads together may hold at most `maxBytes`: a message that would pass it pushes the
 * oldest rows out first, in the same transaction, and their sequence numbers are recorded (meta,
 * `upstream.dropped`) until a birth message has reported them to the central office.
 */

export interface OutboxMessage {
  readonly topic: string;
  readonly payload: string;
  readonly qos: 0 | 1;
  readonly retain: boolean;
  readonly createdAt: number;
}

export interface OutboxRow extends OutboxMessage {
  readonly id: number;
}

export interface OutboxOptions {
  /** Most payload bytes (UTF-8) the outbox holds; default DEFAULT_OUTBOX_MAX_BYTES. */
  readonly maxBytes?: number;
}

export interface EnqueueOutcome {
  /** The new row's id (ids grow, so id order is sending order). */
  readonly id: number;
  /** Oldest rows dropped to make room, and their payload bytes. */
  readonly dropped: number;
  readonly droppedBytes: number;
}

/** Messages the byte cap dropped and no acknowledged birth message has reported yet. */
export interface DroppedReport {
  readonly count: number;
  /** Their sequence numbers (a row without one is counted but not listed). */
  readonly seqRanges: readonly SeqRange[];
}

export const DEFAULT_OUTBOX_MAX_BYTES = 64 * 1024 * 1024;

interface OutboxRecord {
  id: number;
  topic: string;
  payload: string;
  qos: number;
  retain: number;
  created_at: number;
}

const SEQUENCE_KEY = 'upstream.seq';
const DROPPED_KEY = 'upstream.dropped';
const DROP_BATCH = 64;
/** The message's seq, read in SQL so a dropped row's payload never reaches JavaScript. */
const SEQ_OF_PAYLOAD = "CASE WHEN json_valid(payload) THEN json_extract(payload, '$.seq') END";

export class OutboxRepository {
  readonly maxBytes: number;
  readonly #database: GatewayDatabase;
  readonly #lastSequence: MetaNumber;
  readonly #dropped: MetaText;

  constructor(database: GatewayDatabase, options: OutboxOptions = {}) {
    const maxBytes = options.maxBytes ?? DEFAULT_OUTBOX_MAX_BYTES;
    if (!Number.isSafeInteger(maxBytes) || maxBytes < 1) throw new TypeError('outbox maxBytes must be a positive whole number');
    this.#database = database;
    this.#lastSequence = new MetaNumber(database, SEQUENCE_KEY);
    this.#dropped = new MetaText(database, DROPPED_KEY);
    this.maxBytes = maxBytes;
  }

  /**
   * Stores a message for sending, first dropping the oldest rows if the payloads would pass
   * maxBytes. A message larger than maxBytes on its own is refused (HGW_UPSTREAM_TOO_LARGE) and
   * nothing is dropped: inside the transaction that closes a period, the period then stays open.
   */
  enqueue(message: OutboxMessage): EnqueueOutcome {
    const bytes = Buffer.byteLength(message.payload, 'utf8');
    if (bytes > this.maxBytes) {
      throw new GatewayError('HGW_UPSTREAM_TOO_LARGE', `a ${bytes}-byte message for ${message.topic} is larger than the outbox cap (upstream.outboxMaxBytes, ${this.maxBytes} bytes)`);
    }
    return this.#database.transaction(() => {
      const dropped = this.#makeRoom(bytes);
      const id = this.#database.run(
        'INSERT INTO outbox (topic, payload, qos, retain, created_at) VALUES (?, ?, ?, ?, ?)',
        [message.topic, message.payload, message.qos, message.retain ? 1 : 0, message.createdAt],
      ).lastInsertRowid;
      return { id, dropped: dropped.count, droppedBytes: dropped.bytes };
    });
  }

  /**
   * Up to `limit` rows, oldest first, leaving out the ids in `except` (the rows in flight). The
   * exclusion is in SQL, on the rowid alone, so only the rows returned have their payload read.
   */
  oldest(limit: number, except: ReadonlySet<number> = new Set()): OutboxRow[] {
    return this.#database
      .all<OutboxRecord>(
        'SELECT id, topic, payload, qos, retain, created_at FROM outbox WHERE id NOT IN (SELECT value FROM json_each(?)) ORDER BY id LIMIT ?',
        [JSON.stringify([...except]), limit],
      )
      .map((record) => ({
        id: Number(record.id),
        topic: record.topic,
        payload: record.payload,
        qos: Number(record.qos) === 0 ? 0 : 1,
        retain: Number(record.retain) === 1,
        createdAt: Number(record.created_at),
      }));
  }

  /**
   * Removes an acknowledged row; false when it was already gone (a late duplicate PUBACK, or the
   * byte cap dropped it meanwhile). Matched on the payload too: outbox ids are plain rowids, which
   * SQLite hands out again once the newest row is deleted, so a late PUBACK must not delete a
   * newer message that took the same id.
   *
   * Committed without waiting for the disk (fsynced in the background, as a call's rows are):
   * waiting made the replay ~15× slower (one fsync per message), and what a power cut can undo
   * here is a delete, so at worst a few acknowledged messages are sent again, which the receiver
   * already deduplicates on (site, seq). Nothing can be lost this way.
   */
  deleteSent(row: Pick<OutboxRow, 'id' | 'payload'>): boolean {
    return this.#database.transactionSyncedInBackground(() => this.#database.run('DELETE FROM outbox WHERE id = ? AND payload = ?', [row.id, row.payload]).changes > 0);
  }

  count(): number {
    return Number(this.#database.get<{ n: number }>('SELECT COUNT(*) AS n FROM outbox', [])?.n ?? 0);
  }

  /** The payload bytes waiting (octet_length reads the row headers only, not the payloads). */
  waitingBytes(): number {
    return Number(this.#database.get<{ n: number }>('SELECT COALESCE(SUM(octet_length(payload)), 0) AS n FROM outbox', [])?.n ?? 0);
  }

  /** The seq of the oldest waiting message; undefined when the outbox is empty (or it has none). */
  firstWaitingSeq(): number | undefined {
    const seq = this.#database.get<{ seq: unknown }>(`SELECT ${SEQ_OF_PAYLOAD} AS seq FROM outbox ORDER BY id LIMIT 1`, [])?.seq;
    return Number.isSafeInteger(seq) ? Number(seq) : undefined;
  }

  /**
   * The next message sequence number (1, 2, ...), persisted in meta so a restart never reuses one.
   * Call it inside the transaction that enqueues the message, so a rollback gives the number back.
   */
  takeSequenceNumber(): number {
    const row = this.#database.get<{ value: string }>(
      `INSERT INTO meta (key, value) VALUES (?, '1')
       ON CONFLICT (key) DO UPDATE SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT)
       RETURNING value`,
      [SEQUENCE_KEY],
    );
    const sequence = Number(row?.value);
    if (!Number.isSafeInteger(sequence) || sequence < 1) throw new Error('upstream sequence number in meta is not a positive integer');
    return sequence;
  }

  /** The last sequence number taken; 0 before the first. */
  lastSequenceNumber(): number {
    const value = this.#lastSequence.read() ?? 0;
    return Number.isSafeInteger(value) && value > 0 ? value : 0;
  }

  droppedReport(): DroppedReport {
    const text = this.#dropped.read();
    if (text === undefined) return { count: 0, seqRanges: [] };
    const stored = JSON.parse(text) as { count?: unknown; seqRanges?: unknown };
    const count = Number(stored.count);
    return { count: Number.isSafeInteger(count) && count > 0 ? count : 0, seqRanges: withSeqs(parseSeqRanges(stored.seqRanges), []) };
  }

  /**
   * A birth message carrying `reported` was acknowledged: forget what it reported, keep what was
   * dropped after it was made.
   */
  acknowledgeDropped(reported: DroppedReport): void {
    if (reported.count === 0 && reported.seqRanges.length === 0) return;
    this.#database.transaction(() => {
      const current = this.droppedReport();
      this.#saveDropped({ count: Math.max(0, current.count - reported.count), seqRanges: withoutRanges(current.seqRanges, reported.seqRanges) });
    });
  }

  #makeRoom(incomingBytes: number): { count: number; bytes: number } {
    const excess = this.waitingBytes() + incomingBytes - this.maxBytes;
    if (excess <= 0) return { count: 0, bytes: 0 };
    const seqs: number[] = [];
    let freed = 0;
    let count = 0;
    let lastId = 0;
    while (freed < excess) {
      const rows = this.#database.all<{ id: number; bytes: number; seq: unknown }>(
        `SELECT id, octet_length(payload) AS bytes, ${SEQ_OF_PAYLOAD} AS seq FROM outbox WHERE id > ? ORDER BY id LIMIT ?`,
        [lastId, DROP_BATCH],
      );
      if (rows.length === 0) break;
      for (const row of rows) {
        lastId = Number(row.id);
        freed += Number(row.bytes);
        count += 1;
        if (Number.isSafeInteger(row.seq) && Number(row.seq) > 0) seqs.push(Number(row.seq));
        if (freed >= excess) break;
      }
    }
    this.#database.run('DELETE FROM outbox WHERE id <= ?', [lastId]);
    const before = this.droppedReport();
    this.#saveDropped({ count: before.count + count, seqRanges: withSeqs(before.seqRanges, seqs) });
    return { count, bytes: freed };
  }

  #saveDropped(report: DroppedReport): void {
    if (report.count === 0) this.#dropped.remove();
    else this.#dropped.write(JSON.stringify({ count: report.count, seqRanges: report.seqRanges }));
  }
}
