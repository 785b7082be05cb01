import type { SealedText } from '../privacy/types.js';
import type { MonthEpoch } from '../time/index.js';
import type { IdRange } from './contacts-repository.js';
import type { GatewayDatabase } from './open-database.js';

export type MailDirection = 'in' | 'out';

export interface NewMailMessage {
  readonly contactId: number;
  readonly direction: MailDirection;
  readonly at: number;
  /** The month whose mail-content vault key sealed the message. */
  readonly sealedEpoch: MonthEpoch;
  /** Subject and body (and the headers threading needs) as one sealed JSON text. */
  readonly sealedMessage: SealedText;
  readonly sizeBytes: number;
  /** False for an answer the relay has not taken yet; incoming mails are delivered. */
  readonly delivered: boolean;
}

export interface MailMessageRow extends NewMailMessage {
  readonly id: number;
}

interface StoredMessage {
  id: number;
  contact_id: number;
  direction: string;
  at: number;
  sealed_epoch: string;
  sealed_message: Uint8Array;
  size_bytes: number;
  delivered: number;
}

const COLUMNS = 'id, contact_id, direction, at, sealed_epoch, sealed_message, size_bytes, delivered';

/**
 * Mails in and out, each sealed under its month's mail-content vault key. The year-end purge
 * deletes whole rows by id range and then destroys the months' keys, so a page that survives on
 * flash holds only ciphertext nobody can open.
 */
export class MailMessagesRepository {
  readonly #db: GatewayDatabase;

  constructor(db: GatewayDatabase) {
    this.#db = db;
  }

  insert(message: NewMailMessage): number {
    return this.#db.run(
      'INSERT INTO mail_messages (contact_id, direction, at, sealed_epoch, sealed_message, size_bytes, delivered) VALUES (?, ?, ?, ?, ?, ?, ?)',
      [message.contactId, message.direction, message.at, message.sealedEpoch, message.sealedMessage, message.sizeBytes, message.delivered ? 1 : 0],
    ).lastInsertRowid;
  }

  messageById(id: number): MailMessageRow | undefined {
    const stored = this.#db.get<StoredMessage>(`SELECT ${COLUMNS} FROM mail_messages WHERE id = ?`, [id]);
    return stored ? toMessageRow(stored) : undefined;
  }

  /** The mails of one thread (contact), oldest first. */
  messagesOf(contactId: number): MailMessageRow[] {
    return this.#db.all<StoredMessage>(`SELECT ${COLUMNS} FROM mail_messages WHERE contact_id = ? ORDER BY id`, [contactId]).map(toMessageRow);
  }

  /** False when the mail is gone (purged) or was delivered already. */
  markDelivered(id: number): boolean {
    return this.#db.run('UPDATE mail_messages SET delivered = 1 WHERE id = ? AND delivered = 0', [id]).changes > 0;
  }

  /**
   * The contacts of mail threads still offered or live (not closed by a volunteer), oldest first:
   * what the mail desk lists again after a restart. Mails are few (all gone at year end), so a join
   * over them is cheap.
   */
  openThreadContactIds(): number[] {
    return this.#db
      .all<{ contact_id: number }>(
        `SELECT DISTINCT m.contact_id FROM mail_messages m JOIN contacts c ON c.id = m.contact_id
         WHERE c.channel = 'mail' AND c.state IN ('offered', 'live') ORDER BY m.contact_id`,
      )
      .map((row) => row.contact_id);
  }

  /**
   * Deletes the mails of every month before `epoch` among the ids in `range` (month epochs sort as
   * text). The sweeper walks id ranges so no transaction holds the event loop for long; checkpoint
   * afterwards so the rows leave the -wal file too.
   */
  deleteEpochsBefore(epoch: MonthEpoch, range: IdRange): number {
    return this.#db.run('DELETE FROM mail_messages WHERE id > ? AND id <= ? AND sealed_epoch < ?', [range.after, range.upTo, epoch]).changes;
  }

  /** When the oldest stored mail came in or went out; for `retention status` (a scan). */
  oldestAt(): number | undefined {
    return this.#db.get<{ at: number | null }>('SELECT min(at) AS at FROM mail_messages')?.at ?? undefined;
  }

  /** The highest id, 0 for an empty table: where a ranged sweep ends. */
  maxId(): number {
    return this.#db.get<{ id: number | null }>('SELECT max(id) AS id FROM mail_messages')?.id ?? 0;
  }

  count(): number {
    return this.#db.get<{ n: number }>('SELECT count(*) AS n FROM mail_messages')?.n ?? 0;
  }

  /** Answers the relay has not taken yet; for /health. */
  undeliveredCount(): number {
    return this.#db.get<{ n: number }>('SELECT count(*) AS n FROM mail_messages WHERE delivered = 0')?.n ?? 0;
  }
}

function toMessageRow(stored: StoredMessage): MailMessageRow {
  return {
    id: stored.id,
    contactId: stored.contact_id,
    direction: stored.direction === 'out' ? 'out' : 'in',
    at: stored.at,
    sealedEpoch: stored.sealed_epoch as MonthEpoch,
    sealedMessage: stored.sealed_message as SealedText,
    sizeBytes: stored.size_bytes,
    delivered: stored.delivered === 1,
  };
}
