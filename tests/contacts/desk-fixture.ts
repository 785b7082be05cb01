import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ContactDesk } from '../../src/contacts/contact-desk.js';
import { PriorContactCounter } from '../../src/contacts/prior-contact-counter.js';
import type { CallerPresentation, OfferedCall } from '../../src/line/line-interface.js';
import { silentLogger } from '../../src/log/logger.js';
import { Keyring } from '../../src/privacy/keyring.js';
import { normalizePhoneNumber } from '../../src/privacy/normalize.js';
import { createPseudonymizer } from '../../src/privacy/pseudonym.js';
import { createVault, type Vault } from '../../src/privacy/vault.js';
import { policyPresets } from '../../src/config/policy-presets.js';
import { retentionRules } from '../../src/retention/retention-rules.js';
import { RetentionSweeper, type SweepResult } from '../../src/retention/retention-sweeper.js';
import type { RetentionKeyFamily } from '../../src/retention/retention-rules.js';
import type { MonthEpoch } from '../../src/time/month-epoch.js';
import { RightsRequestsRepository } from '../../src/store/rights-requests-repository.js';
import { TranscriptsRepository } from '../../src/store/transcripts-repository.js';
import { ContactsRepository } from '../../src/store/contacts-repository.js';
import { GatewayDatabase } from '../../src/store/open-database.js';
import { RegistrationsRepository } from '../../src/store/registrations-repository.js';
import { ObjectionsRepository } from '../../src/store/objections-repository.js';
import { ObjectionRegister } from '../../src/rights/objection-register.js';
import { ManualClock } from '../../src/time/clock.js';

export const categories = { ageBands: ['12-14', '15-17'], topics: ['school', 'family'], outcomes: ['conversation', 'referred'] };

export interface DeskFixture {
  readonly clock: ManualClock;
  readonly desk: ContactDesk;
  readonly database: GatewayDatabase;
  readonly contacts: ContactsRepository;
  readonly registrations: RegistrationsRepository;
  readonly keyring: Keyring;
  readonly vault: Vault;
  /** As main.ts wires it: the Alles Oké? rules, the requests' and objections' months unlinked too. */
  readonly sweeper: RetentionSweeper;
  readonly priorContacts: PriorContactCounter;
  /** The desk's objection list (P13), empty at start. */
  readonly objections: ObjectionRegister;
  readonly root: string;
  /** Offers a call at the clock's time with the number as a Dutch line would present it. */
  call(numberText: string): ReturnType<ContactDesk['offerCall']>;
  close(): void;
}

let callCounter = 0;

export function presentation(numberText: string, country: 'NL' | 'BE' = 'NL'): CallerPresentation {
  const normalized = normalizePhoneNumber(numberText, country);
  return normalized.kind === 'number' ? { kind: 'number', number: normalized.number } : { kind: normalized.kind };
}

export function deskFixture(start: Date, timeZone = 'Europe/Amsterdam'): DeskFixture {
  const root = mkdtempSync(join(tmpdir(), 'hgw-desk-'));
  const clock = new ManualClock(start);
  const keyring = Keyring.open({ directory: join(root, 'keyring'), clock });
  const database = GatewayDatabase.open({ path: join(root, 'gateway.db'), logger: silentLogger() });
  const contacts = new ContactsRepository(database);
  const registrations = new RegistrationsRepository(database);
  const vault = createVault(keyring);
  const priorContacts = PriorContactCounter.load(contacts);
  const objections = ObjectionRegister.load(new ObjectionsRepository(database), clock);
  const desk = new ContactDesk({
    database,
    contacts,
    registrations,
    pseudonymizer: createPseudonymizer(keyring),
    vault,
    clock,
    timeZone,
    linkageMonths: 6,
    categories,
    priorContacts,
    objections,
    logger: silentLogger(),
  });
  const sweeper = new RetentionSweeper({
    keyring,
    contacts,
    transcripts: new TranscriptsRepository(database),
    database,
    clock,
    timeZone,
    rules: retentionRules(policyPresets['allesoke-nl']),
    priorContacts,
    linkedStores: [new RightsRequestsRepository(database), objections],
    logger: silentLogger(),
  });
  return {
    clock,
    desk,
    database,
    contacts,
    registrations,
    keyring,
    vault,
    sweeper,
    priorContacts,
    objections,
    root,
    call(numberText: string) {
      const call: OfferedCall = { lineCallId: `call-${++callCounter}`, caller: presentation(numberText), offeredAt: clock.now() };
      return desk.offerCall(call);
    },
    close() {
      database.close();
      keyring.close();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** The months whose keys of one family a sweep destroyed, oldest first. */
export function shreddedMonths(result: SweepResult, family: RetentionKeyFamily): MonthEpoch[] {
  return result.keysShredded.filter((key) => key.family === family).map((key) => key.epoch);
}
