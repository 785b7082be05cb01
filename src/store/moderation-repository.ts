import type { Pseudonym } from '../privacy/types.js';
import type { MonthEpoch } from '../time/index.js';
import type { GatewayDatabase } from './open-database.js';

export type StoredModerationKind = 'time-out' | 'block';

/** A moderated caller's pseudonym under one link month (migration 6). */
export interface ModeratedCallerKey {
  readonly epoch: MonthEpoch;
  readonly pseudonym: Pseudonym;
  readonly callerId: number;
}

export interface NewModerationRow {
  readonly callerId: number;
  readonly kind: StoredModerationKind;
  readonly contactReference: string;
  readonly givenBy: string;
  readonly givenAt: number;
  /** The local month it was given in: a Time Out counts towards a block while that month's link key lives. */
  readonly givenEpoch: MonthEpoch;
  readonly until: number;
  /** Required for a block, null for a Time Out. */
  readonly reason: string | null;
}

export interface ModerationRow extends NewModerationRow {
  readonly id: number;
  readonly liftedAt: number | null;
  readonly liftedBy: string | null;
  readonly liftReason: string | null;
}

/** What intake found for one contact, kept so its view keeps saying so. */
export interface ContactModerationMark {
  readonly contactId: number;
  readonly kind: 'time-out' | 'blocked' | 'unknown';
  /** Null for `unknown`. */
  readonly until: number | null;
  /** For `unknown`: what the lookup-failure switch decided. */
  readonly routing: 'route' | 'refuse' | null;
  readonly markedAt: number;
}

interface StoredKey {
  link_epoch: string;
  pseudonym: Uint8Array;
  caller_id: number;
}

interface StoredModeration {
  id: number;
  caller_id: number;
  kind: string;
  contact_reference: string;
  given_by: string;
  given_at: number;
  given_epoch: string;
  until: number;
  reason: string | null;
  lifted_at: number | null;
  lifted_by: string | null;
  lift_reason: string | null;
}

interface StoredMark {
  contact_id: number;
  kind: string;
  until: number | null;
  routing: string | null;
  marked_at: number;
}

const MODERATION_COLUMNS = 'id, caller_id, kind, contact_reference, given_by, given_at, given_epoch, until, reason, lifted_at, lifted_by, lift_reason';
/** Callers whose every entry or every key went: nothing left to apply, or nobody left to recognize. */
const DROP_EMPTY_CALLERS = `DELETE FROM moderated_callers
  WHERE id NOT IN (SELECT caller_id FROM moderations) OR id NOT IN (SELECT caller_id FROM moderated_caller_keys)`;

/**
 * Time Outs and blocks (P4), keyed by a moderated caller: one row per caller, the (link month,
 * pseudonym) pairs it was recognized under, its entries, and what intake marked on contacts. No
 * column holds an identifier; a month's keys go when its link key is shredded.
 */
export class ModerationRepository {
  readonly #db: GatewayDatabase;

  constructor(db: GatewayDatabase) {
    this.#db = db;
  }

  insertCaller(createdAt: number): number {
    return this.#db.run('INSERT INTO moderated_callers (created_at) VALUES (?)', [createdAt]).lastInsertRowid;
  }

  /** False when that pseudonym of that month belongs to a caller already. */
  insertKey(key: ModeratedCallerKey): boolean {
    return (
      this.#db.run('INSERT INTO moderated_caller_keys (link_epoch, pseudonym, caller_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING', [
        key.epoch,
        key.pseudonym,
        key.callerId,
      ]).changes === 1
    );
  }

  insertModeration(row: NewModerationRow): number {
    return this.#db.run(
      `INSERT INTO moderations (caller_id, kind, contact_reference, given_by, given_at, given_epoch, until, reason)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      [row.callerId, row.kind, row.contactReference, row.givenBy, row.givenAt, row.givenEpoch, row.until, row.reason],
    ).lastInsertRowid;
  }

  /** False when the entry is unknown or lifted already. */
  lift(id: number, liftedAt: number, liftedBy: string, reason: string): boolean {
    return (
      this.#db.run('UPDATE moderations SET lifted_at = ?, lifted_by = ?, lift_reason = ? WHERE id = ? AND lifted_at IS NULL', [liftedAt, liftedBy, reason, id])
        .changes === 1
    );
  }

  /** Two callers turned out to be one (a later call matched both): `from`'s keys and entries move to `into`. */
  mergeCallers(into: number, from: number): void {
    this.#db.transaction(() => {
      this.#db.run('UPDATE moderated_caller_keys SET caller_id = ? WHERE caller_id = ?', [into, from]);
      this.#db.run('UPDATE moderations SET caller_id = ? WHERE caller_id = ?', [into, from]);
      this.#db.run('DELETE FROM moderated_callers WHERE id = ?', [from]);
    });
  }

  allKeys(): ModeratedCallerKey[] {
    return this.#db
      .all<StoredKey>('SELECT link_epoch, pseudonym, caller_id FROM moderated_caller_keys ORDER BY caller_id, link_epoch')
      .map((stored) => ({ epoch: stored.link_epoch as MonthEpoch, pseudonym: stored.pseudonym as Pseudonym, callerId: stored.caller_id }));
  }

  allModerations(): ModerationRow[] {
    return this.#db.all<StoredModeration>(`SELECT ${MODERATION_COLUMNS} FROM moderations ORDER BY id`).map(toModerationRow);
  }

  findModeration(id: number): ModerationRow | undefined {
    const stored = this.#db.get<StoredModeration>(`SELECT ${MODERATION_COLUMNS} FROM moderations WHERE id = ?`, [id]);
    return stored && toModerationRow(stored);
  }

  markContact(mark: ContactModerationMark): void {
    this.#db.run(
      `INSERT INTO moderated_contacts (contact_id, kind, until, routing, marked_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (contact_id) DO UPDATE SET kind = excluded.kind, until = excluded.until, routing = excluded.routing, marked_at = excluded.marked_at`,
      [mark.contactId, mark.kind, mark.until, mark.routing, mark.markedAt],
    );
  }

  allMarks(): ContactModerationMark[] {
    return this.#db.all<StoredMark>('SELECT contact_id, kind, until, routing, marked_at FROM moderated_contacts ORDER BY contact_id').map((stored) => ({
      contactId: stored.contact_id,
      kind: stored.kind === 'time-out' || stored.kind === 'blocked' ? stored.kind : 'unknown',
      until: stored.until,
      routing: stored.routing === 'route' || stored.routing === 'refuse' ? stored.routing : null,
      markedAt: stored.marked_at,
    }));
  }

  /**
   * Deletes what has ended at `now`: blocks and lifted entries past their end, Time Outs past their
   * end that were given before `windowStart` (they no longer count towards a block), callers left
   * with nothing, and contact marks past their end (an `unknown` mark once older than
   * `unknownMarksBefore`). Returns the rows deleted; follow with `db.checkpoint()` when any were.
   */
  purgeExpired(now: number, windowStart: MonthEpoch, unknownMarksBefore: number): number {
    return this.#db.transaction(() => {
      let deleted = this.#db.run("DELETE FROM moderations WHERE until <= ? AND (kind = 'block' OR lifted_at IS NOT NULL)", [now]).changes;
      deleted += this.#db.run("DELETE FROM moderations WHERE kind = 'time-out' AND until <= ? AND given_epoch < ?", [now, windowStart]).changes;
      deleted += this.#db.run(DROP_EMPTY_CALLERS).changes;
      deleted += this.#db.run('DELETE FROM moderated_contacts WHERE (until IS NOT NULL AND until <= ?) OR (until IS NULL AND marked_at < ?)', [
        now,
        unknownMarksBefore,
      ]).changes;
      return deleted;
    });
  }

  /**
   * Unlinks every month before `epoch` (month epochs sort as text): its keys go, Time Outs given then
   * stop counting (those still running at `now` stay), and a caller with no key left goes whole,
   * because nobody can be recognized under a shredded month. Follow with `db.checkpoint()`.
   */
  forgetLinkEpochsBefore(epoch: MonthEpoch, now: number = Number.MAX_SAFE_INTEGER): number {
    return this.#db.transaction(() => {
      let deleted = this.#db.run('DELETE FROM moderated_caller_keys WHERE link_epoch < ?', [epoch]).changes;
      deleted += this.#db.run("DELETE FROM moderations WHERE kind = 'time-out' AND given_epoch < ? AND until <= ?", [epoch, now]).changes;
      deleted += this.#db.run(DROP_EMPTY_CALLERS).changes;
      return deleted;
    });
  }

  counts(): { readonly callers: number; readonly keys: number; readonly moderations: number; readonly marks: number } {
    const count = (table: string): number => this.#db.get<{ n: number }>(`SELECT count(*) AS n FROM ${table}`)?.n ?? 0;
    return { callers: count('moderated_callers'), keys: count('moderated_caller_keys'), moderations: count('moderations'), marks: count('moderated_contacts') };
  }
}

function toModerationRow(stored: StoredModeration): ModerationRow {
  return {
    id: stored.id,
    callerId: stored.caller_id,
    kind: stored.kind === 'block' ? 'block' : 'time-out',
    contactReference: stored.contact_reference,
    givenBy: stored.given_by,
    givenAt: stored.given_at,
    givenEpoch: stored.given_epoch as MonthEpoch,
    until: stored.until,
    reason: stored.reason,
    liftedAt: stored.lifted_at,
    liftedBy: stored.lifted_by,
    liftReason: stored.lift_reason,
  };
}
