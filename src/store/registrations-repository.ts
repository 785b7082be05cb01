import type { Channel } from '../privacy/types.js';
import type { GatewayDatabase } from './open-database.js';

/** The anonymized registration of a contact (P11): no identifier, no pseudonym. */
export interface NewRegistrationRow {
  readonly contactId: number;
  readonly channel: Channel;
  readonly occurredAt: number;
  readonly ageBand: string;
  readonly topic: string;
  readonly outcome: string;
  readonly registeredAt: number;
}

export interface RegistrationRow extends Omit<NewRegistrationRow, 'contactId'> {
  readonly id: number;
  /** Null once the contact row itself has been deleted (ON DELETE SET NULL): the registration outlives it. */
  readonly contactId: number | null;
}

interface StoredRegistration {
  id: number;
  contact_id: number | null;
  channel: string;
  occurred_at: number;
  age_band: string;
  topic: string;
  outcome: string;
  registered_at: number;
}

/**
 * Registrations. Insert one in the same `db.transaction` as `ContactsRepository.markRegistered`, so
 * a contact is never registered twice or marked registered without its row.
 */
export class RegistrationsRepository {
  readonly #db: GatewayDatabase;

  constructor(db: GatewayDatabase) {
    this.#db = db;
  }

  insert(row: NewRegistrationRow): number {
    return this.#db.run(
      `INSERT INTO registrations (contact_id, channel, occurred_at, age_band, topic, outcome, registered_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
      [row.contactId, row.channel, row.occurredAt, row.ageBand, row.topic, row.outcome, row.registeredAt],
    ).lastInsertRowid;
  }

  /** At most one: contact_id is unique. */
  forContact(contactId: number): RegistrationRow | undefined {
    const stored = this.#db.get<StoredRegistration>(
      'SELECT id, contact_id, channel, occurred_at, age_band, topic, outcome, registered_at FROM registrations WHERE contact_id = ?',
      [contactId],
    );
    return stored && toRegistrationRow(stored);
  }

  count(): number {
    return this.#db.get<{ n: number }>('SELECT count(*) AS n FROM registrations')?.n ?? 0;
  }

  /** Registrations with occurred_at in [start, end), in row order (a research export shuffles them). */
  occurredBetween(start: number, end: number): RegistrationRow[] {
    return this.#db
      .all<StoredRegistration>(
        `SELECT id, contact_id, channel, occurred_at, age_band, topic, outcome, registered_at FROM registrations
         WHERE occurred_at >= ? AND occurred_at < ? ORDER BY id`,
        [start, end],
      )
      .map(toRegistrationRow);
  }

  oldestOccurredAt(): number | undefined {
    return this.#db.get<{ at: number | null }>('SELECT min(occurred_at) AS at FROM registrations')?.at ?? undefined;
  }
}

function toRegistrationRow(stored: StoredRegistration): RegistrationRow {
  return {
    id: stored.id,
    contactId: stored.contact_id,
    channel: stored.channel as Channel,
    occurredAt: stored.occurred_at,
    ageBand: stored.age_band,
    topic: stored.topic,
    outcome: stored.outcome,
    registeredAt: stored.registered_at,
  };
}
