import type { ContactReference } from '../contacts/contact-view.js';
import type { CallerPresentation } from '../line/line-interface.js';
import type { Channel, Pseudonym, SealedIdentifier } from '../privacy/types.js';
import type { MonthEpoch } from '../time/index.js';
import type { GatewayDatabase } from './open-database.js';

/** Contact ids `after < id <= upTo`. */
export interface IdRange {
  readonly after: number;
  readonly upTo: number;
}

const OPEN_CONTACTS_PAGE = 256;
const EVERY_ID: IdRange = { after: 0, upTo: Number.MAX_SAFE_INTEGER };

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

/** A stored contact: what was inserted, with the defaults filled in, its id and its end. */
export interface ContactRow extends Required<NewContactRow> {
  readonly id: number;
  readonly endedAt: number | null;
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

export class ContactsRepository {
  readonly #db: GatewayDatabase;

  constructor(db: GatewayDatabase) {
    this.#db = db;
  }

  /**
   * The new contact's id, or undefined when its reference is taken already: references are random,
   * so the caller draws another and tries again, without a lookup before every insert.
   */
  insert(row: NewContactRow): number | undefined {
    // A pseudonym or sealed copy without its month could never be found by the shredder.
    if (row.pseudonym !== null && row.linkEpoch === null) throw new TypeError('a pseudonym needs its link epoch');
    if (row.sealedIdentifier !== null && row.sealedEpoch === null) throw new TypeError('a sealed identifier needs its sealed epoch');
    const outcome = this.#db.run(
      `INSERT INTO contacts (reference, channel, presentation, link_epoch, pseudonym, sealed_epoch, sealed_identifier, prior_contacts, opened_at, state)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (reference) DO NOTHING`,
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
    );
    return outcome.changes === 1 ? outcome.lastInsertRowid : undefined;
  }

  /**
   * Stored contacts under any of these (link month, pseudonym) pairs, oldest first. A table scan:
   * no index serves it (the live count is in memory), so it is for rights requests, not calls.
   */
  findByLinkedPseudonyms(linked: readonly { readonly epoch: MonthEpoch; readonly pseudonym: Pseudonym }[]): ContactRow[] {
    if (linked.length === 0) return [];
    const wanted = new Set(linked.map(({ epoch, pseudonym }) => `${epoch}/${Buffer.from(pseudonym).toString('hex')}`));
    const candidates = this.#db.all<StoredContact>(
      `SELECT ${COLUMNS} FROM contacts WHERE pseudonym IN (${linked.map(() => '?').join(', ')}) ORDER BY id`,
      linked.map(({ pseudonym }) => pseudonym),
    );
    return candidates
      .filter((stored) => wanted.has(`${stored.link_epoch}/${Buffer.from(stored.pseudonym ?? new Uint8Array()).toString('hex')}`))
      .map(toContactRow);
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
    // A mail thread outlives the process: it is still open for an answer after a restart.
    return this.#db.run(`UPDATE contacts SET state = 'ended', ended_at = ? WHERE state IN ('offered', 'live') AND channel <> 'mail'`, [endedAt]).changes;
  }

  /** Marks a contact live once a station has picked it up; false when it is no longer offered. */
  markLive(id: number): boolean {
    return this.#db.run(`UPDATE contacts SET state = 'live' WHERE id = ? AND state = 'offered'`, [id]).changes > 0;
  }

  /** Returns false when the contact is unknown or already registered. */
  markRegistered(id: number): boolean {
    return this.#db.run(`UPDATE contacts SET state = 'registered' WHERE id = ? AND state <> 'registered'`, [id]).changes > 0;
  }

  /**
   * Contacts opened at or after `since` that still wait for their registration, oldest first.
   * Contacts are inserted in time order, so the newest ids are walked backwards in pages until one
   * is older than `since`: a few pages at most, with no index that every insert would pay for.
   */
  openContacts(since: number): ContactRow[] {
    const found: StoredContact[] = [];
    let below = Number.MAX_SAFE_INTEGER;
    for (;;) {
      const page = this.#db.all<StoredContact>(`SELECT ${COLUMNS} FROM contacts WHERE id < ? ORDER BY id DESC LIMIT ${OPEN_CONTACTS_PAGE}`, [below]);
      for (const row of page) if (row.opened_at >= since && row.state !== 'registered') found.push(row);
      const last = page.at(-1);
      if (!last || page.length < OPEN_CONTACTS_PAGE || last.opened_at < since) break;
      below = last.id;
    }
    return found.sort((a, b) => a.opened_at - b.opened_at || a.id - b.id).map(toContactRow);
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
   * Unlinks every month before `epoch` (month epochs sort as text) among the ids in `range`; the
   * sweeper walks the table in id ranges so no transaction holds the event loop for long, and the
   * hot insert path pays for no epoch index. Checkpoint afterwards, as above.
   */
  forgetLinkEpochsBefore(epoch: MonthEpoch, range: IdRange = EVERY_ID): number {
    return this.#db.run(
      'UPDATE contacts SET pseudonym = NULL WHERE id > ? AND id <= ? AND link_epoch < ? AND pseudonym IS NOT NULL',
      [range.after, range.upTo, epoch],
    ).changes;
  }

  /**
   * Drops the sealed copies of every month before `epoch` among the ids in `range`, of one channel
   * when given (each channel's data class has its own retention), else of all. Checkpoint afterwards.
   */
  forgetSealedEpochsBefore(epoch: MonthEpoch, channel?: Channel, range: IdRange = EVERY_ID): number {
    if (channel === undefined) {
      return this.#db.run(
        'UPDATE contacts SET sealed_identifier = NULL WHERE id > ? AND id <= ? AND sealed_epoch < ? AND sealed_identifier IS NOT NULL',
        [range.after, range.upTo, epoch],
      ).changes;
    }
    return this.#db.run(
      'UPDATE contacts SET sealed_identifier = NULL WHERE id > ? AND id <= ? AND sealed_epoch < ? AND channel = ? AND sealed_identifier IS NOT NULL',
      [range.after, range.upTo, epoch, channel],
    ).changes;
  }

  /** Linked contacts (pseudonym still set) with ids after `after`, in id order: for loading the counter. */
  linkedPseudonymsAfter(after: number, limit: number): { id: number; epoch: MonthEpoch; pseudonym: Pseudonym }[] {
    return this.#db
      .all<{ id: number; link_epoch: string; pseudonym: Uint8Array }>(
        'SELECT id, link_epoch, pseudonym FROM contacts WHERE id > ? AND pseudonym IS NOT NULL ORDER BY id LIMIT ?',
        [after, limit],
      )
      .map((row) => ({ id: row.id, epoch: row.link_epoch as MonthEpoch, pseudonym: row.pseudonym as Pseudonym }));
  }

  /** When the oldest still-linked contact was opened; for `retention status` (a scan: not for the hot path). */
  oldestLinkedAt(): number | undefined {
    return this.#db.get<{ at: number | null }>('SELECT min(opened_at) AS at FROM contacts WHERE pseudonym IS NOT NULL')?.at ?? undefined;
  }

  /** When the oldest contact of a channel that still has its sealed copy was opened; a scan, as above. */
  oldestSealedAt(channel: Channel): number | undefined {
    return this.#db.get<{ at: number | null }>('SELECT min(opened_at) AS at FROM contacts WHERE channel = ? AND sealed_identifier IS NOT NULL', [channel])?.at ?? undefined;
  }

  /** The highest contact id, 0 for an empty table: where a ranged sweep ends. */
  maxId(): number {
    return this.#db.get<{ id: number | null }>('SELECT max(id) AS id FROM contacts')?.id ?? 0;
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
