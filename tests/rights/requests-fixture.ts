import { AuditLog } from '../../src/audit/index.js';
import { createLogger } from '../../src/log/logger.js';
import { createPseudonymizer } from '../../src/privacy/pseudonym.js';
import { CallerRequests, type CallerRequestResult, type CallerRequestView, type RightsActor } from '../../src/rights/index.js';
import { RightsRequestsRepository } from '../../src/store/rights-requests-repository.js';
import { TranscriptsRepository } from '../../src/store/transcripts-repository.js';
import type { ContactReference } from '../../src/contacts/contact-view.js';
import { normalizeIpAddress } from '../../src/privacy/normalize.js';
import { monthEpochAt } from '../../src/time/month-epoch.js';
import { deskFixture, type DeskFixture, type DeskFixtureOptions } from '../contacts/desk-fixture.js';
import { insertedContact } from '../support/inserted-contact.js';

export const coordinator: RightsActor = { accountId: 'anna', role: 'coordinator' };
export const secondCoordinator: RightsActor = { accountId: 'bram', role: 'coordinator' };
export const volunteer: RightsActor = { accountId: 'vera', role: 'volunteer' };
export const technician: RightsActor = { accountId: 'tom', role: 'technician' };

export interface RequestsFixture extends DeskFixture {
  readonly audit: AuditLog;
  readonly requests: RightsRequestsRepository;
  readonly transcripts: TranscriptsRepository;
  readonly rights: CallerRequests;
  readonly logLines: string[];
  /** Registers as the coordinator and returns the view, failing the test on a refusal. */
  registered(kind: 'access' | 'erasure' | 'objection', supplied: string, channel?: 'phone' | 'chat' | 'mail'): CallerRequestView;
  auditTrail(): Array<{ action: string; target: string | null; details: Record<string, unknown> }>;
  /** Ends the contact and registers its wrap-up, as a volunteer would. */
  wrappedUp(reference: ContactReference): void;
  /** A chat contact from this IP address at the clock's time, sealed and pseudonymized as chat intake will. */
  chatContact(reference: string, ipText: string): number;
  /** A transcript line sealed under the month of the clock's time. */
  transcriptLine(contactId: number, author: 'caller' | 'volunteer', text: string): number;
}

export function requestsFixture(start: Date, timeZone = 'Europe/Amsterdam', options: DeskFixtureOptions = {}): RequestsFixture {
  const desk = deskFixture(start, timeZone, options);
  const audit = new AuditLog({ database: desk.database, clock: desk.clock });
  const requests = new RightsRequestsRepository(desk.database);
  const logLines: string[] = [];
  const rights = new CallerRequests({
    database: desk.database,
    contacts: desk.contacts,
    requests,
    pseudonymizer: createPseudonymizer(desk.keyring),
    vault: desk.vault,
    keyring: desk.keyring,
    audit,
    clock: desk.clock,
    timeZone,
    country: 'NL',
    priorContacts: desk.priorContacts,
    objections: desk.objections,
    logger: createLogger({ level: 'trace', destination: { write: (line: string) => void logLines.push(line) } }),
  });
  const transcripts = new TranscriptsRepository(desk.database);
  const pseudonymizer = createPseudonymizer(desk.keyring);
  return {
    ...desk,
    audit,
    requests,
    transcripts,
    rights,
    logLines,
    registered(kind, supplied, channel = 'phone') {
      return valueOf(rights.register(coordinator, { kind, channel, supplied }));
    },
    auditTrail() {
      return audit.entries(0, 1000).map((entry) => ({ action: entry.action, target: entry.target, details: { ...entry.details } }));
    },
    wrappedUp(reference) {
      const row = desk.contacts.findByReference(reference);
      if (!row) throw new Error('no such contact');
      desk.contacts.markEnded(row.id, desk.clock.now());
      const result = desk.desk.wrapUp(reference, { ageBand: '12-14', topic: 'school', outcome: 'conversation' }, 'desk-1');
      if (!result.ok) throw new Error(`wrap-up refused: ${result.message}`);
    },
    chatContact(reference, ipText) {
      const ip = normalizeIpAddress(ipText);
      if (!ip) throw new Error('not an IP address');
      const epoch = monthEpochAt(desk.clock.now(), timeZone);
      return insertedContact(desk.contacts, {
        reference: reference as ContactReference,
        channel: 'chat',
        presentation: 'number',
        linkEpoch: epoch,
        pseudonym: pseudonymizer.pseudonymize(ip, 'chat', epoch),
        sealedEpoch: epoch,
        sealedIdentifier: desk.vault.seal(ip, 'chat-ip', epoch),
        openedAt: desk.clock.now(),
        state: 'ended',
      });
    },
    transcriptLine(contactId, author, text) {
      const epoch = monthEpochAt(desk.clock.now(), timeZone);
      return transcripts.insert({ contactId, author, writtenAt: desk.clock.now(), sealedEpoch: epoch, sealedText: desk.vault.sealText(text, epoch) });
    },
  };
}

export function valueOf<T>(result: CallerRequestResult<T>): T {
  if (!result.ok) throw new Error(`refused: ${result.code}: ${result.message}`);
  return result.value;
}

export function refusalOf<T>(result: CallerRequestResult<T>): { code: string; message: string } {
  if (result.ok) throw new Error('expected a refusal');
  return { code: result.code, message: result.message };
}
