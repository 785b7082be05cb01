/**
 * The two measured pipelines, each from modem text lines to the station frame a WebSocket would
 * carry: a real CallerIdParser on a ManualClock, then the real ContactDesk over the real store and
 * privacy core (or the plaintext baseline desk), ending when the desk's `contact-changed` listener
 * has serialized the frame exactly as StationEvents.publish does.
 */
import { PriorContactCounter } from '../../src/contacts/prior-contact-counter.js';
import { ContactDesk } from '../../src/contacts/contact-desk.js';
import type { StationContactView } from '../../src/contacts/contact-view.js';
import { CallerIdParser } from '../../src/line/caller-id-parser.js';
import type { OfferedCall } from '../../src/line/line-interface.js';
import { silentLogger } from '../../src/log/index.js';
import { Keyring } from '../../src/privacy/keyring.js';
import { createPseudonymizer, type Pseudonymizer } from '../../src/privacy/pseudonym.js';
import { createVault, type Vault } from '../../src/privacy/vault.js';
import { toStationContactJson, type StationEventFrame } from '../../src/stations/station-json.js';
import { ContactsRepository } from '../../src/store/contacts-repository.js';
import { GatewayDatabase } from '../../src/store/open-database.js';
import { RegistrationsRepository } from '../../src/store/registrations-repository.js';
import { ManualClock } from '../../src/time/index.js';
import { LINKAGE_MONTHS, MEASUREMENT_START, SITE_TIME_ZONE } from './population.js';
import { PlaintextDesk, plaintextMigrations } from './plaintext-desk.js';

/** `durable` is the shipped synchronous=FULL; `cpu` turns fsync off to show the work without the disk. */
export type Durability = 'durable' | 'cpu';

const RING_SILENCE_MS = 8000;
const CATEGORIES = { ageBands: ['0-11', '12-15', '16-18', '19-25'], topics: ['school', 'home', 'friends', 'other'], outcomes: ['talked', 'referred'] };

interface OfferTarget {
  offerCall(call: OfferedCall): StationContactView;
  onContactChanged(listener: (view: StationContactView) => void): () => void;
}

/** Lines a Bellcore-style modem prints for one call: the caller ID arrives after the first ring. */
export function callLines(nationalNumber: string): readonly string[] {
  return ['RING', `NMBR = ${nationalNumber}`];
}

export class LinePipeline {
  readonly name: string;
  readonly database: GatewayDatabase;
  readonly #clock: ManualClock;
  readonly #parser: CallerIdParser;
  readonly #target: OfferTarget;
  readonly #stopListening: () => void;
  readonly #closeExtras: () => void;
  #frame: string | undefined;
  #frameAt = 0n;
  #priorContactsSeen = 0;
  #callIds = 0;

  constructor(name: string, database: GatewayDatabase, clock: ManualClock, target: OfferTarget, closeExtras: () => void) {
    this.name = name;
    this.database = database;
    this.#clock = clock;
    this.#target = target;
    this.#closeExtras = closeExtras;
    this.#parser = new CallerIdParser({ country: 'NL', clock, ringSilenceMs: RING_SILENCE_MS, newCallId: () => `bench-${++this.#callIds}` });
    this.#stopListening = target.onContactChanged((view) => {
      this.#frame = JSON.stringify({ type: 'contact', contact: toStationContactJson(view) } satisfies StationEventFrame);
      this.#frameAt = process.hrtime.bigint();
      this.#priorContactsSeen += view.priorContacts;
    });
  }

  /** Feeds one call's lines; returns nanoseconds from the first line to the serialized station frame. */
  call(lines: readonly string[]): bigint {
    this.#frame = undefined;
    const start = process.hrtime.bigint();
    for (const line of lines) {
      for (const event of this.#parser.accept(line)) {
        if (event.type === 'call-offered') this.#target.offerCall(event.call);
      }
    }
    if (this.#frame === undefined) throw new Error(`${this.name}: the call produced no station frame`);
    const elapsed = this.#frameAt - start;
    // Let the rings stop so the next call is a new one (not timed; the end is a separate write the box makes later).
    this.#clock.advance(RING_SILENCE_MS + 30_000);
    this.#parser.tick();
    return elapsed;
  }

  /** Sum of the prior-contact counts the stations were shown: proves the lookups found stored rows. */
  get priorContactsSeen(): number {
    return this.#priorContactsSeen;
  }

  close(): void {
    this.#stopListening();
    this.database.close();
    this.#closeExtras();
  }
}

function openDatabase(path: string, durability: Durability, plaintext: boolean): GatewayDatabase {
  const logger = silentLogger();
  const database = plaintext ? GatewayDatabase.open({ path, logger, migrations: plaintextMigrations }) : GatewayDatabase.open({ path, logger });
  if (durability === 'cpu') database.exec('PRAGMA synchronous = OFF');
  return database;
}

export interface PrivacyParts {
  readonly keyring: Keyring;
  readonly contacts: ContactsRepository;
  readonly pseudonymizer: Pseudonymizer;
  readonly vault: Vault;
  readonly priorContacts: PriorContactCounter;
}

/** The shipped intake: ContactDesk as main.ts wires it (silent logger: log I/O is not what is measured). */
export function openPrivacyPipeline(databasePath: string, keyringDirectory: string, durability: Durability): { pipeline: LinePipeline; parts: PrivacyParts } {
  const clock = new ManualClock(MEASUREMENT_START);
  const keyring = Keyring.open({ directory: keyringDirectory, clock });
  const database = openDatabase(databasePath, durability, false);
  const contacts = new ContactsRepository(database);
  const priorContacts = PriorContactCounter.load(contacts);
  const pseudonymizer = createPseudonymizer(keyring);
  const vault = createVault(keyring);
  const desk = new ContactDesk({
    database,
    contacts,
    registrations: new RegistrationsRepository(database),
    pseudonymizer,
    vault,
    clock,
    timeZone: SITE_TIME_ZONE,
    linkageMonths: LINKAGE_MONTHS,
    categories: CATEGORIES,
    priorContacts,
    logger: silentLogger(),
  });
  const pipeline = new LinePipeline(`privacy (${durability})`, database, clock, desk, () => keyring.close());
  return { pipeline, parts: { keyring, contacts, pseudonymizer, vault, priorContacts } };
}

export function openPlaintextPipeline(databasePath: string, durability: Durability): { pipeline: LinePipeline; desk: PlaintextDesk } {
  const clock = new ManualClock(MEASUREMENT_START);
  const database = openDatabase(databasePath, durability, true);
  // A warm start like the shipped desk's, whose PriorContactCounter.load reads every stored contact.
  database.get('SELECT count(*) AS n FROM contacts INDEXED BY contacts_by_number WHERE number IS NOT NULL');
  const desk = new PlaintextDesk(database, silentLogger());
  return { pipeline: new LinePipeline(`plaintext (${durability})`, database, clock, desk, () => undefined), desk };
}
