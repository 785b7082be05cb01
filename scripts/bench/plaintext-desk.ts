/**
 * The plaintext baseline: what the contact desk would do with no privacy at all. A benchmark
 * fixture, never product code: it stores the caller's number as text, which the box must never do.
 * The numbers it ever sees are the benchmark's synthetic ones.
 *
 * It mirrors `ContactDesk.offerCall` step for step (count earlier contacts, draw a reference and
 * check it is free, insert, read the row back, emit the station view) through the same
 * `GatewayDatabase` (same engine, pragmas, statement cache and transactions), minus the keyring,
 * the HMACs, the secretbox and the retention columns and indexes. So privacy ÷ baseline isolates
 * what privacy costs, and the steps both share show up in both.
 */
import { randomContactReference } from '../../src/contacts/contact-reference.js';
import type { ContactReference, StationContactView } from '../../src/contacts/contact-view.js';
import { TypedEmitter } from '../../src/events/typed-emitter.js';
import type { OfferedCall } from '../../src/line/line-interface.js';
import type { Logger } from '../../src/log/logger.js';
import { canonicalText } from '../../src/privacy/raw-identifier.js';
import type { GatewayDatabase } from '../../src/store/open-database.js';
import type { Migration } from '../../src/store/schema.js';

/** Bump when the table below changes: the cached baseline database is keyed by it. */
export const PLAINTEXT_SCHEMA_VERSION = 1;

/** The shipped `contacts` table without pseudonym, sealed copy and their month columns; a raw number instead. */
export const plaintextMigrations: readonly Migration[] = [
  {
    version: PLAINTEXT_SCHEMA_VERSION,
    description: 'plaintext baseline contacts (benchmark only)',
    sql: `
      CREATE TABLE contacts (
        id INTEGER PRIMARY KEY,
        reference TEXT NOT NULL UNIQUE,
        channel TEXT NOT NULL CHECK (channel IN ('phone', 'chat', 'mail')),
        presentation TEXT NOT NULL CHECK (presentation IN ('number', 'withheld', 'unavailable', 'invalid', 'unknown')),
        number TEXT,
        prior_contacts INTEGER NOT NULL DEFAULT 0,
        opened_at INTEGER NOT NULL,
        ended_at INTEGER,
        state TEXT NOT NULL CHECK (state IN ('offered', 'live', 'ended', 'registered'))
      );
      CREATE INDEX contacts_by_number ON contacts (number) WHERE number IS NOT NULL;
    `,
  },
];

export const PLAINTEXT_INSERT_COLUMNS = ['reference', 'channel', 'presentation', 'number', 'prior_contacts', 'opened_at', 'ended_at', 'state'] as const;

const COUNT_SQL = 'SELECT count(*) AS n FROM contacts WHERE number = ?';
const INSERT_SQL = `INSERT INTO contacts (reference, channel, presentation, number, prior_contacts, opened_at, state) VALUES (?, 'phone', ?, ?, ?, ?, 'offered')`;
const COLUMNS = 'id, reference, channel, presentation, number, prior_contacts, opened_at, ended_at, state';
const BY_REFERENCE_SQL = `SELECT ${COLUMNS} FROM contacts WHERE reference = ?`;
const BY_ID_SQL = `SELECT ${COLUMNS} FROM contacts WHERE id = ?`;

interface PlaintextRow {
  id: number;
  reference: string;
  channel: string;
  presentation: string;
  number: string | null;
  prior_contacts: number;
  opened_at: number;
  ended_at: number | null;
  state: string;
}

interface PlaintextDeskEvents {
  'contact-changed': [view: StationContactView];
}

export class PlaintextDesk {
  readonly #database: GatewayDatabase;
  readonly #logger: Logger;
  readonly #events: TypedEmitter<PlaintextDeskEvents>;

  constructor(database: GatewayDatabase, logger: Logger) {
    this.#database = database;
    this.#logger = logger;
    this.#events = new TypedEmitter<PlaintextDeskEvents>(logger);
  }

  /** The baseline's prior-contact lookup: one indexed count over the raw number. */
  countByNumber(number: string): number {
    return this.#database.get<{ n: number }>(COUNT_SQL, [number])?.n ?? 0;
  }

  offerCall(call: OfferedCall): StationContactView {
    const number = call.caller.kind === 'number' ? canonicalText(call.caller.number) : null;
    const priorContacts = number === null ? 0 : this.countByNumber(number);
    const row = this.#database.transaction(() => {
      const id = this.#database.run(INSERT_SQL, [this.#uniqueReference(), call.caller.kind, number, priorContacts, call.offeredAt]).lastInsertRowid;
      return this.#database.get<PlaintextRow>(BY_ID_SQL, [id]);
    });
    if (!row) throw new Error('contact vanished right after insert');
    const view: StationContactView = {
      reference: row.reference as ContactReference,
      channel: 'phone',
      priorContacts: row.prior_contacts,
      callerKnown: row.presentation === 'number',
      state: 'ringing',
      offeredAt: row.opened_at,
    };
    this.#logger.info({ reference: view.reference, priorContacts, callerKnown: view.callerKnown }, 'contact offered');
    this.#events.emit('contact-changed', view);
    return view;
  }

  onContactChanged(listener: (view: StationContactView) => void): () => void {
    return this.#events.on('contact-changed', listener);
  }

  #uniqueReference(): ContactReference {
    for (let attempt = 0; attempt < 16; attempt++) {
      const reference = randomContactReference();
      if (!this.#database.get<PlaintextRow>(BY_REFERENCE_SQL, [reference])) return reference;
    }
    throw new Error('could not draw a free contact reference in 16 attempts');
  }
}
