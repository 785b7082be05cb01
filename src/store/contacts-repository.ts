import type { ContactReference } from '../contacts/contact-view.js';
import type { CallerPresentation } from '../line/line-interface.js';
import type { Channel, Pseudonym, SealedIdentifier } from '../privacy/types.js';
import type { MonthEpoch } from '../time/index.js';
import type { GatewayDatabase } from './open-database.js';

export type ContactState = 'offered' | 'live' | 'ended' | 'registered';

/** How the caller's identifier arrived; only 'number'-like presentations carry a pseudonym. */
export type ContactPresentation = CallerPresentation['kind'];

export interface NewContactRow {
  readonly reference: ContactReference;
  readonly channel: Channel;
  readonly presentation: ContactPresentation;
  /** Month of the link key the pseudonym was made with; required whenever pseudonym is set. */
  readonly linkEpoch: MonthEpoch | null;
  readonly pseudonym: Pseudonym | null;
  /** Month of the vault key that sealed the identifier; required whenever sealedIdentifier is set. */
  readonly sealedEpoch: MonthEpoch | null;
  readonly sealedIdentifier: SealedIdentifier | null;
  /** Earlier contacts of the same caller when this one arrived (shown to stations); 0 when left out. */
  readonly priorContacts?: number;
  readonly openedAt: number;
  /** 'offered' when left out. */
  readonly state?: ContactState;
}

export interface ContactRow {
  readonly id: number;
  readonly reference: ContactReference;
  readonly channel: Channel;
  readonly presentation: ContactPresentation;
  readonly linkEpoch: MonthEpoch | null;
  readonly pseudonym: Pseudonym | null;
  readonly sealedEpoch: MonthEpoch | null;
  readonly sealedIdentifier: SealedIdentifier | null;
  readonly priorContacts: number;
  readonly openedAt: number;
  readonly endedAt: number | null;
  readonly state: ContactState;
}

interface StoredContact {
  id: number;
  reference: string;
  channel: string;
  presentation: string;
  link_epoch: string | null;
  pseudonym: Uint8Array | null;
  sealed_epoch: string | null;
  sealed_identifier: Uint8Array | null;
  prior_contacts: number;
  opened_at: number;
  ended_at: number | null;
  state: string;
}

const COLUMNS = 'id, reference, channel, presentation, link_epoch, pseudonym, sealed_epoch, sealed_identifier, prior_contacts, opened_at, ended_at, state';

/**
 * The prior-contact count: one query over the partial index `contacts_by_pseudonym`, one
 * placeholder per live link key. Exported so a test can check the plan of the exact text used.
 */
export function countByPseudonymsSql(count: number): string {
  return `SELECT count(*) AS n FROM contacts WHERE pseudonym IN (${Array.from({ length: count }, () => '?').join(', ')})`;
}

export class ContactsRepository {
  readonly #db: GatewayDatabase;

  constructor(db: GatewayDatabase) {
    this.#db = db;
  }

  insert(row: NewContactRow): number {
    // A pseudonym or sealed copy without its month could never be found by the shredder.
    if (row.pseudonym !== null && row.linkEpoch === null) throw new TypeError('a pseudonym needs its link epoch');
    if (row.sealedIdentifier !== null && row.sealedEpoch === null) throw new TypeError('a sealed identifier needs its sealed epoch');
    return this.#db.run(
      `INSERT INTO contacts (reference, channel, presentation, link_epoch, pseudonym, sealed_epoch, sealed_identifier, prior_contacts, opened_at, state)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        row.reference,
        row.channel,
        row.presentation,
        row.linkEpoch,
        row.pseudonym,
        row.sealedEpoch,
        row.sealedIdentifier,
        row.priorContacts ?? 0,
        row.openedAt,
        row.state ?? 'offered',
      ],
    ).lastInsertRowid;
  }

  /**
   * Stored contacts whose pseudonym is any of these (one per live link key). It counts every stored
   * row, so call it before inserting the contact being counted for.
   */
  countByPseudonyms(pseudonyms: readonly Pseudonym[]): number {
    if (pseudonyms.length === 0) return 0;
    return this.#db.get<{ n: number }>(countByPseudonymsSql(pseudonyms.length), pseudonyms)?.n ?? 0;
  }

  findByReference(reference: ContactReference): ContactRow | undefined {
    const stored = this.#db.get<StoredContact>(`SELECT ${COLUMNS} FROM contacts WHERE reference = ?`, [reference]);
    return stored && toContactRow(stored);
  }

  findById(id: number): ContactRow | undefined {
    const stored = this.#db.get<StoredContact>(`SELECT ${COLUMNS} FROM contacts WHERE id = ?`, [id]);
    return stored && toContactRow(stored);
  }

  /** Returns false when the contact is unknown or already ended or registered. */
  markEnded(id: number, endedAt: number): boolean {
    return this.#db.run(`UPDATE contacts SET state = 'ended', ended_at = ? WHERE id = ? AND state IN ('offered', 'live')`, [endedAt, id]).changes > 0;
  }

  /**
   * After a restart no line remembers the calls that were ringing: they end now. Returns how many.
   */
  endUnfinished(endedAt: number): number {
    return this.#db.run(`UPDATE contacts SET state = 'ended', ended_at = ? WHERE state IN ('offered', 'live')`, [endedAt]).changes;
  }

  /** Marks a contact live once a station has picked it up; false when it is no longer offered. */
  markLive(id: number): boolean {
    return this.#db.run(`UPDATE contacts SET state = 'live' WHERE id = ? AND state = 'offered'`, [id]).changes > 0;
  }

  /** Returns false when the contact is unknown or already registered. */
  markRegistered(id: number): boolean {
    return this.#db.run(`UPDATE contacts SET state = 'registered' WHERE id = ? AND state <> 'registered'`, [id]).changes > 0;
  }

  /** Contacts opened at or after `since` that still wait for their registration, oldest first. */
  openContacts(since: number): ContactRow[] {
    return this.#db
      .all<StoredContact>(`SELECT ${COLUMNS} FROM contacts WHERE state IN ('offered', 'live', 'ended') AND opened_at >= ? ORDER BY opened_at, id`, [since])
      .map(toContactRow);
  }

  /**
   * Unlinks a month: its pseudonyms are nulled (the link key is destroyed by the keyring). Follow
   * with `db.checkpoint()` once committed, so the old values leave the -wal file.
   */
  forgetLinkEpoch(epoch: MonthEpoch): number {
    return this.#db.run('UPDATE contacts SET pseudonym = NULL WHERE link_epoch = ? AND pseudonym IS NOT NULL', [epoch]).changes;
  }

  /** Drops a month's sealed copies; follow with `db.checkpoint()` once committed. */
  forgetSealedEpoch(epoch: MonthEpoch): number {
    return this.#db.run('UPDATE contacts SET sealed_identifier = NULL WHERE sealed_epoch = ? AND sealed_identifier IS NOT NULL', [epoch]).changes;
  }

  /**
   * Unlinks every month before `epoch` (month epochs sort as text); for the sweeper, which catches
   * up on months a box that was off never swept. Checkpoint afterwards, as above.
   */
  forgetLinkEpochsBefore(epoch: MonthEpoch): number {
    return this.#db.run('UPDATE contacts SET pseudonym = NULL WHERE link_epoch < ? AND pseudonym IS NOT NULL', [epoch]).changes;
  }

  /**
   * Drops the sealed copies of every month before `epoch`, of one channel when given (each channel's
   * data class has its own retention), else of all. Checkpoint afterwards.
   */
  forgetSealedEpochsBefore(epoch: MonthEpoch, channel?: Channel): number {
    if (channel === undefined) {
      return this.#db.run('UPDATE contacts SET sealed_identifier = NULL WHERE sealed_epoch < ? AND sealed_identifier IS NOT NULL', [epoch]).changes;
    }
    return this.#db.run(
      'UPDATE contacts SET sealed_identifier = NULL WHERE sealed_epoch < ? AND channel = ? AND sealed_identifier IS NOT NULL',
      [epoch, channel],
    ).changes;
  }

  count(): number {
    return this.#db.get<{ n: number }>('SELECT count(*) AS n FROM contacts')?.n ?? 0;
  }
}

function toContactRow(stored: StoredContact): ContactRow {
  return {
    id: stored.id,
    reference: stored.reference as ContactReference,
    channel: stored.channel as Channel,
    presentation: stored.presentation as ContactPresentation,
    linkEpoch: stored.link_epoch as MonthEpoch | null,
    pseudonym: stored.pseudonym as Pseudonym | null,
    sealedEpoch: stored.sealed_epoch as MonthEpoch | null,
    sealedIdentifier: stored.sealed_identifier as SealedIdentifier | null,
    priorContacts: stored.prior_contacts,
    openedAt: stored.opened_at,
    endedAt: stored.ended_at,
    state: stored.state as ContactState,
  };
}
