import type { GatewayDatabase } from './open-database.js';

export interface NewTrainingFragment {
  readonly title: string;
  /** Reviewed, de-identified text: never a chat's own lines. */
  readonly text: string;
  readonly savedBy: string;
  readonly savedAt: number;
}

export interface TrainingFragmentRow extends NewTrainingFragment {
  readonly id: number;
}

interface StoredFragment {
  id: number;
  title: string;
  text: string;
  saved_by: string;
  saved_at: number;
}

/**
 * Training fragments (BE, P9): anonymized text a coordinator reviewed and saved. The table has no
 * column that could lead back to the chat a fragment came from, so retention has nothing to follow.
 */
export class TrainingFragmentsRepository {
  readonly #db: GatewayDatabase;

  constructor(db: GatewayDatabase) {
    this.#db = db;
  }

  insert(fragment: NewTrainingFragment): number {
    return this.#db.run('INSERT INTO training_fragments (title, text, saved_by, saved_at) VALUES (?, ?, ?, ?)', [
      fragment.title,
      fragment.text,
      fragment.savedBy,
      fragment.savedAt,
    ]).lastInsertRowid;
  }

  findById(id: number): TrainingFragmentRow | undefined {
    const stored = this.#db.get<StoredFragment>('SELECT id, title, text, saved_by, saved_at FROM training_fragments WHERE id = ?', [id]);
    return stored && toRow(stored);
  }

  /** Newest first. */
  list(): TrainingFragmentRow[] {
    return this.#db.all<StoredFragment>('SELECT id, title, text, saved_by, saved_at FROM training_fragments ORDER BY saved_at DESC, id DESC').map(toRow);
  }

  /** False when there was no such fragment; follow with `db.checkpoint()` once committed. */
  delete(id: number): boolean {
    return this.#db.run('DELETE FROM training_fragments WHERE id = ?', [id]).changes > 0;
  }

  count(): number {
    return this.#db.get<{ n: number }>('SELECT count(*) AS n FROM training_fragments')?.n ?? 0;
  }
}

function toRow(stored: StoredFragment): TrainingFragmentRow {
  return { id: stored.id, title: stored.title, text: stored.text, savedBy: stored.saved_by, savedAt: stored.saved_at };
}
