/**
 * The plaintext baseline: what the contact desk would do with no privacy at all. A benchmark
 * fixture, never product code: it stores the caller's number as text, which the box must never do.
 * The numbers it ever sees are the benchmark's synthetic ones.
 *
 * It mirrors `ContactDesk.offerCall` step for step (count earlier contacts, insert under a random
 * reference, drawing again if it is taken, emit the station view built from what was inserted)
 * through the same
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

/** The baseline's statements; the step profile runs the same texts. */
export const PLAINTEXT_SQL = {
  count: 'SELECT count(*) AS n FROM contacts WHERE number = ?',
  insert:
    `INSERT INTO contacts (reference, channel, presentation, number, prior_contacts, opened_at, state) VALUES (?, 'phone', ?, ?, ?, ?, 'offered') ` +
    'ON CONFLICT (reference) DO NOTHING',
} as const;

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
    return this.#database.get<{ n: number }>(PLAINTEXT_SQL.count, [number])?.n ?? 0;
  }

  offerCall(call: OfferedCall): StationContactView {
    const number = call.caller.kind === 'number' ? canonicalText(call.caller.number) : null;
    const priorContacts = number === null ? 0 : this.countByNumber(number);
    const reference = this.insertWithFreshReference(call.caller.kind, number, priorContacts, call.offeredAt);
    const view: StationContactView = {
      reference,
      channel: 'phone',
      priorContacts,
      callerKnown: call.caller.kind === 'number',
      state: 'ringing',
      offeredAt: call.offeredAt,
    };
    this.#logger.info({ reference: view.reference, priorContacts, callerKnown: view.callerKnown }, 'contact offered');
    this.#events.emit('contact-changed', view);
    return view;
  }

  /** One insert committed as the desk commits its row (fsync off the event loop); a taken reference is drawn again. */
  insertWithFreshReference(presentation: string, number: string | null, priorContacts: number, openedAt: number): ContactReference {
    return this.#database.transactionSyncedInBackground(() => {
      for (let attempt = 0; attempt < 16; attempt++) {
        const reference = randomContactReference();
        if (this.#database.run(PLAINTEXT_SQL.insert, [reference, presentation, number, priorContacts, openedAt]).changes === 1) return reference;
      }
      throw new Error('could not draw a free contact reference in 16 attempts');
    });
  }

  onContactChanged(listener: (view: StationContactView) => void): () => void {
    return this.#events.on('contact-changed', listener);
  }
}
