import type { Pseudonym } from '../privacy/types.js';
import type { CallerRequestChannel, CallerRequestKind } from '../rights/caller-request-types.js';
import type { MonthEpoch } from '../time/index.js';
import type { GatewayDatabase } from './open-database.js';

export interface NewRightsRequestRow {
  readonly reference: string;
  readonly kind: CallerRequestKind;
  readonly channel: CallerRequestChannel;
  readonly receivedAt: number;
  /** Account id of the coordinator who registered it. */
  readonly registeredBy: string;
  readonly dueAt: number;
}

export interface RightsRequestRow extends NewRightsRequestRow {
  readonly id: number;
  readonly identityCheckedAt: number | null;
  readonly identityCheckedBy: string | null;
  readonly extendedAt: number | null;
  readonly extendedBy: string | null;
  readonly extensionReason: string | null;
  readonly extensionNoticeAt: number | null;
  readonly answeredAt: number | null;
  readonly answeredBy: string | null;
  /** The answer's counts as JSON; null until answered. */
  readonly answerJson: string | null;
}

/**
 * Where a request finds the person's records: a pseudonym under one link month, a contact, or both.
 * `matchesPseudonym` is false where the pseudonym may stand for many people (a chat's IP address):
 * it is then kept for an objection only, and the contact alone is matched.
 */
export interface RightsRequestLink {
  readonly epoch: MonthEpoch | null;
  readonly pseudonym: Pseudonym | null;
  readonly contactId: number | null;
  readonly matchesPseudonym: boolean;
}

export interface RequestExtension {
  readonly extendedBy: string;
  readonly extendedAt: number;
  readonly reason: string;
  readonly noticeAt: number;
  readonly dueAt: number;
}

/** What erasing one contact removed (and the registration it left as an anonymous count). */
export interface ErasedContact {
  readonly contacts: number;
  readonly transcriptLines: number;
  /** Mails in and out; the schema's ON DELETE CASCADE removes them with the contact. */
  readonly mails: number;
  readonly disclosureRequests: number;
  readonly anonymousRegistrations: number;
}

interface StoredRequest {
  id: number;
  reference: string;
  kind: string;
  channel: string;
  received_at: number;
  registered_by: string;
  due_at: number;
  identity_checked_at: number | null;
  identity_checked_by: string | null;
  extended_at: number | null;
  extended_by: string | null;
  extension_reason: string | null;
  extension_notice_at: number | null;
  answered_at: number | null;
  answered_by: string | null;
  answer: string | null;
}

interface StoredLink {
  link_epoch: string | null;
  pseudonym: Uint8Array | null;
  contact_id: number | null;
  matches_pseudonym: number;
}

const COLUMNS =
  'id, reference, kind, channel, received_at, registered_by, due_at, identity_checked_at, identity_checked_by, extended_at, extended_by, extension_reason, extension_notice_at, answered_at, answered_by, answer';

/**
 * Callers' requests (migration 5) and the pseudonyms they find the person's records by. No column
 * holds what the person supplied. Each step is written once: the updates only touch a row that has
 * not taken that step, so a second confirmation, extension or answer changes nothing.
 */
export class RightsRequestsRepository {
  readonly #db: GatewayDatabase;

  constructor(db: GatewayDatabase) {
    this.#db = db;
  }

  /** The new request's id, or undefined when its random reference is taken: draw another. */
  insert(row: NewRightsRequestRow): number | undefined {
    const outcome = this.#db.run(
      `INSERT INTO rights_requests (reference, kind, channel, received_at, registered_by, due_at)
       VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (reference) DO NOTHING`,
      [row.reference, row.kind, row.channel, row.receivedAt, row.registeredBy, row.dueAt],
    );
    return outcome.changes === 1 ? outcome.lastInsertRowid : undefined;
  }

  insertLinks(requestId: number, links: readonly RightsRequestLink[]): void {
    for (const link of links) {
      if ((link.epoch === null) !== (link.pseudonym === null)) throw new TypeError('a request pseudonym needs its link epoch');
      this.#db.run('INSERT INTO rights_request_links (request_id, link_epoch, pseudonym, contact_id, matches_pseudonym) VALUES (?, ?, ?, ?, ?)', [
        requestId,
        link.epoch,
        link.pseudonym,
        link.contactId,
        link.matchesPseudonym ? 1 : 0,
      ]);
    }
  }

  linksOf(requestId: number): RightsRequestLink[] {
    return this.#db
      .all<StoredLink>('SELECT link_epoch, pseudonym, contact_id, matches_pseudonym FROM rights_request_links WHERE request_id = ? ORDER BY rowid', [requestId])
      .map((stored) => ({
        epoch: stored.link_epoch as MonthEpoch | null,
        pseudonym: stored.pseudonym as Pseudonym | null,
        contactId: stored.contact_id,
        matchesPseudonym: stored.matches_pseudonym === 1,
      }));
  }

  /** An answered request needs its pseudonyms no more; follow with `db.checkpoint()` once committed. */
  deleteLinksOf(requestId: number): number {
    return this.#db.run('DELETE FROM rights_request_links WHERE request_id = ?', [requestId]).changes;
  }

  findByReference(reference: string): RightsRequestRow | undefined {
    const stored = this.#db.get<StoredRequest>(`SELECT ${COLUMNS} FROM rights_requests WHERE reference = ?`, [reference]);
    return stored && toRow(stored);
  }

  findById(id: number): RightsRequestRow | undefined {
    const stored = this.#db.get<StoredRequest>(`SELECT ${COLUMNS} FROM rights_requests WHERE id = ?`, [id]);
    return stored && toRow(stored);
  }

  /** Every request, newest receipt first. A few a year at a site: no paging. */
  all(): RightsRequestRow[] {
    return this.#db.all<StoredRequest>(`SELECT ${COLUMNS} FROM rights_requests ORDER BY received_at DESC, id DESC`).map(toRow);
  }

  /** Requests not yet answered, soonest due first. */
  open(): RightsRequestRow[] {
    return this.#db.all<StoredRequest>(`SELECT ${COLUMNS} FROM rights_requests WHERE answered_at IS NULL ORDER BY due_at, id`).map(toRow);
  }

  /** False when unknown, answered, or already confirmed. */
  markIdentityChecked(id: number, checkedBy: string, checkedAt: number): boolean {
    return (
      this.#db.run(
        'UPDATE rights_requests SET identity_checked_at = ?, identity_checked_by = ? WHERE id = ? AND identity_checked_at IS NULL AND answered_at IS NULL',
        [checkedAt, checkedBy, id],
      ).changes === 1
    );
  }

  /** False when unknown, answered, or already extended. */
  markExtended(id: number, extension: RequestExtension): boolean {
    return (
      this.#db.run(
        `UPDATE rights_requests SET extended_at = ?, extended_by = ?, extension_reason = ?, extension_notice_at = ?, due_at = ?
         WHERE id = ? AND extended_at IS NULL AND answered_at IS NULL`,
        [extension.extendedAt, extension.extendedBy, extension.reason, extension.noticeAt, extension.dueAt, id],
      ).changes === 1
    );
  }

  /** False when unknown or already answered. */
  markAnswered(id: number, answeredBy: string, answeredAt: number, answerJson: string): boolean {
    return (
      this.#db.run('UPDATE rights_requests SET answered_at = ?, answered_by = ?, answer = ? WHERE id = ? AND answered_at IS NULL', [
        answeredAt,
        answeredBy,
        answerJson,
        id,
      ]).changes === 1
    );
  }

  /**
   * Forgets a shredded link month: its pseudonyms leave every request (a row that named a contact
   * keeps the contact). Returns the rows changed or removed; follow with `db.checkpoint()`.
   */
  forgetLinkEpoch(epoch: MonthEpoch): number {
    return this.#db.transaction(
      () =>
        this.#db.run('DELETE FROM rights_request_links WHERE link_epoch = ? AND contact_id IS NULL', [epoch]).changes +
        this.#db.run('UPDATE rights_request_links SET link_epoch = NULL, pseudonym = NULL WHERE link_epoch = ?', [epoch]).changes,
    );
  }

  /** The same for every month before `epoch` (month epochs sort as text), for a catch-up sweep. */
  forgetLinkEpochsBefore(epoch: MonthEpoch): number {
    return this.#db.transaction(
      () =>
        this.#db.run('DELETE FROM rights_request_links WHERE link_epoch < ? AND contact_id IS NULL', [epoch]).changes +
        this.#db.run('UPDATE rights_request_links SET link_epoch = NULL, pseudonym = NULL WHERE link_epoch < ?', [epoch]).changes,
    );
  }

  /**
   * The store side of an erasure: deletes a contact with its transcript lines and mails (ON DELETE CASCADE)
   * and the break-glass requests that name it (they would block the delete); its registration stays
   * as an anonymous count (ON DELETE SET NULL). Run inside the request's transaction, then
   * `db.checkpoint()` once committed so the bytes leave the -wal file.
   */
  eraseContact(contactId: number): ErasedContact {
    const transcriptLines = this.#db.get<{ n: number }>('SELECT count(*) AS n FROM transcript_lines WHERE contact_id = ?', [contactId])?.n ?? 0;
    const mails = this.#db.get<{ n: number }>('SELECT count(*) AS n FROM mail_messages WHERE contact_id = ?', [contactId])?.n ?? 0;
    const anonymousRegistrations = this.#db.get<{ n: number }>('SELECT count(*) AS n FROM registrations WHERE contact_id = ?', [contactId])?.n ?? 0;
    const disclosureRequests = this.#db.run('DELETE FROM disclosure_requests WHERE contact_id = ?', [contactId]).changes;
    const contacts = this.#db.run('DELETE FROM contacts WHERE id = ?', [contactId]).changes;
    return { contacts, transcriptLines: contacts === 0 ? 0 : transcriptLines, mails: contacts === 0 ? 0 : mails, disclosureRequests, anonymousRegistrations: contacts === 0 ? 0 : anonymousRegistrations };
  }

  /** Pseudonym rows held by requests, for `retention status` and tests. */
  linkedPseudonymCount(): number {
    return this.#db.get<{ n: number }>('SELECT count(*) AS n FROM rights_request_links WHERE pseudonym IS NOT NULL')?.n ?? 0;
  }
}

function toRow(stored: StoredRequest): RightsRequestRow {
  return {
    id: stored.id,
    reference: stored.reference,
    kind: stored.kind as CallerRequestKind,
    channel: stored.channel as CallerRequestChannel,
    receivedAt: stored.received_at,
    registeredBy: stored.registered_by,
    dueAt: stored.due_at,
    identityCheckedAt: stored.identity_checked_at,
    identityCheckedBy: stored.identity_checked_by,
    extendedAt: stored.extended_at,
    extendedBy: stored.extended_by,
    extensionReason: stored.extension_reason,
    extensionNoticeAt: stored.extension_notice_at,
    answeredAt: stored.answered_at,
    answeredBy: stored.answered_by,
    answerJson: stored.answer,
  };
}
