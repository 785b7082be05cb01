import type { GatewayDatabase } from './open-database.js';

/**
 * The durable upstream outbox: a message is written here in the same transaction that makes it,
 * and deleted only when the broker has acknowledged it (PUBACK). mqtt.js keeps its own queue in
 * memory only, so this table is the copy that survives a restart or a power cut.
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

interface OutboxRecord {
  id: number;
  topic: string;
  payload: string;
  qos: number;
  retain: number;
  created_at: number;
}

const SEQUENCE_KEY = 'upstream.seq';

export class OutboxRepository {
  readonly #database: GatewayDatabase;

  constructor(database: GatewayDatabase) {
    this.#database = database;
  }

  /** Stores a message for sending; returns its row id (ids grow, so id order is sending order). */
  enqueue(message: OutboxMessage): number {
    return this.#database.run(
      'INSERT INTO outbox (topic, payload, qos, retain, created_at) VALUES (?, ?, ?, ?, ?)',
      [message.topic, message.payload, message.qos, message.retain ? 1 : 0, message.createdAt],
    ).lastInsertRowid;
  }

  /** Up to `limit` rows, oldest first, leaving out the ids in `except`. */
  oldest(limit: number, except: ReadonlySet<number> = new Set()): OutboxRow[] {
    return this.#database
      .all<OutboxRecord>('SELECT id, topic, payload, qos, retain, created_at FROM outbox ORDER BY id LIMIT ?', [limit + except.size])
      .filter((record) => !except.has(Number(record.id)))
      .slice(0, limit)
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
   * Removes an acknowledged row; false when it was already gone (a late duplicate PUBACK). Matched
   * on the payload too: outbox ids are plain rowids, which SQLite hands out again once the newest
   * row is deleted, so a late PUBACK must not delete a newer message that took the same id.
   */
  deleteSent(row: Pick<OutboxRow, 'id' | 'payload'>): boolean {
    return this.#database.run('DELETE FROM outbox WHERE id = ? AND payload = ?', [row.id, row.payload]).changes > 0;
  }

  count(): number {
    return Number(this.#database.get<{ n: number }>('SELECT COUNT(*) AS n FROM outbox', [])?.n ?? 0);
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
}
