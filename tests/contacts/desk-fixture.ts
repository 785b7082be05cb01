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
import { AuditLog } from '../../src/audit/audit-log.js';
import { ModerationRegister } from '../../src/moderation/moderation-register.js';
import { ModerationRepository } from '../../src/store/moderation-repository.js';
import type { ModerationLookupFailure } from '../../src/contacts/contact-view.js';
import type { Logger } from '../../src/log/logger.js';

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
  /** Time Outs and blocks (P4) with the Alles Oké? policy, empty at start; not started (no purge timer). */
  readonly moderation: ModerationRegister;
  readonly audit: AuditLog;
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

export interface DeskFixtureOptions {
  readonly onModerationLookupFailure?: ModerationLookupFailure;
  /** Where the desk and the moderation register log; silent when left out. */
  readonly logger?: Logger;
  /** The desk's intake gate (a FaultRegister in main.ts); without it intake never stops. */
  readonly intake?: { accepting(): boolean };
}

export function deskFixture(start: Date, timeZone = 'Europe/Amsterdam', options: DeskFixtureOptions = {}): DeskFixture {
  const root = mkdtempSync(join(tmpdir(), 'hgw-desk-'));
  const clock = new ManualClock(start);
  const keyring = Keyring.open({ directory: join(root, 'keyring'), clock });
  const database = GatewayDatabase.open({ path: join(root, 'gateway.db'), logger: silentLogger() });
  const contacts = new ContactsRepository(database);
  const registrations = new RegistrationsRepository(database);
  const vault = createVault(keyring);
  const priorContacts = PriorContactCounter.load(contacts);
  const objections = ObjectionRegister.load(new ObjectionsRepository(database), clock);
  const audit = new AuditLog({ database, clock });
  const moderation = ModerationRegister.load({
    database,
    repository: new ModerationRepository(database),
    contacts,
    audit,
    clock,
    timeZone,
    policy: policyPresets['allesoke-nl'],
    logger: options.logger ?? silentLogger(),
  });
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
    moderation,
    ...(options.onModerationLookupFailure === undefined ? {} : { onModerationLookupFailure: options.onModerationLookupFailure }),
    ...(options.intake ? { intake: options.intake } : {}),
    logger: options.logger ?? silentLogger(),
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
    linkedStores: [new RightsRequestsRepository(database), objections, moderation],
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
    moderation,
    audit,
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
