import type { SealedText } from '../privacy/types.js';
import type { MonthEpoch } from '../time/index.js';
import type { IdRange } from './contacts-repository.js';
import type { GatewayDatabase } from './open-database.js';

export type TranscriptAuthor = 'caller' | 'volunteer';

export interface NewTranscriptLine {
  readonly contactId: number;
  readonly author: TranscriptAuthor;
  readonly writtenAt: number;
  /** The month whose chat-transcript vault key sealed the text. */
  readonly sealedEpoch: MonthEpoch;
  readonly sealedText: SealedText;
}

export interface TranscriptLineRow {
  readonly id: number;
  readonly contactId: number;
  readonly author: TranscriptAuthor;
  readonly writtenAt: number;
  readonly sealedEpoch: MonthEpoch;
  /** The text as it stands (after any redaction: the original is gone, not hidden); null when erased. */
  readonly sealedText: SealedText | null;
  /** When a volunteer last redacted part of the line. */
  readonly redactedAt: number | null;
}

interface StoredLine {
  id: number;
  contact_id: number;
  author: string;
  written_at: number;
  sealed_epoch: string;
  sealed_text: Uint8Array | null;
  redacted_at: number | null;
}

/**
 * Chat transcript lines, each sealed under its month's chat-transcript vault key. Retention deletes
 * whole rows by id range and then destroys the month's key, so a page that survives on flash holds
 * only ciphertext nobody can open.
 */
export class TranscriptsRepository {
  readonly #db: GatewayDatabase;

  constructor(db: GatewayDatabase) {
    this.#db = db;
  }

  insert(line: NewTranscriptLine): number {
    return this.#db.run(
      'INSERT INTO transcript_lines (contact_id, author, written_at, sealed_epoch, sealed_text) VALUES (?, ?, ?, ?, ?)',
      [line.contactId, line.author, line.writtenAt, line.sealedEpoch, line.sealedText],
    ).lastInsertRowid;
  }

  /**
   * A volunteer's redaction: the line's sealed text is replaced by the sealed redacted text, in
   * place (secure_delete zeroes the old bytes). Follow with `db.checkpoint()` once committed, so
   * the original leaves the -wal file too. False when the line is gone.
   */
  replaceText(id: number, sealedText: SealedText, redactedAt: number): boolean {
    return this.#db.run('UPDATE transcript_lines SET sealed_text = ?, redacted_at = ? WHERE id = ?', [sealedText, redactedAt, id]).changes > 0;
  }

  lineById(id: number): TranscriptLineRow | undefined {
    const stored = this.#db.get<StoredLine>(
      'SELECT id, contact_id, author, written_at, sealed_epoch, sealed_text, redacted_at FROM transcript_lines WHERE id = ?',
      [id],
    );
    return stored ? toLineRow(stored) : undefined;
  }

  linesOf(contactId: number): TranscriptLineRow[] {
    return this.#db
      .all<StoredLine>(
        'SELECT id, contact_id, author, written_at, sealed_epoch, sealed_text, redacted_at FROM transcript_lines WHERE contact_id = ? ORDER BY id',
        [contactId],
      )
      .map(toLineRow);
  }

  /**
   * Deletes the lines of every month before `epoch` among the ids in `range` (month epochs sort as
   * text). The sweeper walks id ranges so no transaction holds the event loop for long.
   */
  deleteEpochsBefore(epoch: MonthEpoch, range: IdRange): number {
    return this.#db.run('DELETE FROM transcript_lines WHERE id > ? AND id <= ? AND sealed_epoch < ?', [range.after, range.upTo, epoch]).changes;
  }

  /** When the oldest stored line was written; for `retention status` (a scan). */
  oldestWrittenAt(): number | undefined {
    return this.#db.get<{ at: number | null }>('SELECT min(written_at) AS at FROM transcript_lines')?.at ?? undefined;
  }

  maxId(): number {
    return this.#db.get<{ id: number | null }>('SELECT max(id) AS id FROM transcript_lines')?.id ?? 0;
  }

  count(): number {
    return this.#db.get<{ n: number }>('SELECT count(*) AS n FROM transcript_lines')?.n ?? 0;
  }
}

function toLineRow(stored: StoredLine): TranscriptLineRow {
  return {
    id: stored.id,
    contactId: stored.contact_id,
    author: stored.author === 'volunteer' ? 'volunteer' : 'caller',
    writtenAt: stored.written_at,
    sealedEpoch: stored.sealed_epoch as MonthEpoch,
    sealedText: stored.sealed_text as SealedText | null,
    redactedAt: stored.redacted_at,
  };
}
