import { AccountService } from '../../src/accounts/index.js';
import { AuditLog } from '../../src/audit/index.js';
import { policyPresets, type PolicyPresetName } from '../../src/config/index.js';
import { IncidentRegister } from '../../src/incidents/index.js';
import { createLogger } from '../../src/log/index.js';
import { BreakGlassDisclosure, revealingDisclosures } from '../../src/rights/index.js';
import type { CoordinatorBackend } from '../../src/stations/index.js';
import { StationServer } from '../../src/stations/index.js';
import { IncidentsRepository } from '../../src/store/incidents-repository.js';
import { TranscriptsRepository } from '../../src/store/transcripts-repository.js';
import { TranscriptDesk } from '../../src/transcripts/index.js';
import { deskFixture, type DeskFixture } from '../contacts/desk-fixture.js';
import { DESK_TOKEN, FAST_SCRYPT, FakeCallerRequestDesk, PASSWORD } from '../support/coordinator-fixture.js';
import { RecordingAudit, storeChat, TIME_ZONE, type ChatLine, type StoredChat } from '../transcripts/transcript-fixture.js';

export interface TranscriptServerFixture {
  readonly desk: DeskFixture;
  readonly transcriptAudit: RecordingAudit;
  readonly transcripts: TranscriptDesk;
  readonly url: string;
  readonly logLines: string[];
  chat(lines: readonly ChatLine[], options?: { ip?: string | null; ended?: boolean }): StoredChat;
  close(): Promise<void>;
}

/**
 * The station server with the coordinator API and the transcript routes over the real core:
 * AccountService, AuditLog, IncidentRegister, BreakGlassDisclosure and TranscriptDesk on a temporary
 * database and keyring. Transcript audit entries go to a RecordingAudit until AUDIT_ACTIONS lists
 * them. Accounts anna (coordinator), vera (volunteer), sam (supervisor) and tom (technician) exist.
 */
export async function startTranscriptServer(preset: PolicyPresetName = 'lumi-be'): Promise<TranscriptServerFixture> {
  const desk = deskFixture(new Date('2026-01-15T10:00:00Z'), TIME_ZONE);
  const logLines: string[] = [];
  const logger = createLogger({ level: 'debug', destination: { write: (line: string) => void logLines.push(line) } });
  const audit = new AuditLog({ database: desk.database, clock: desk.clock });
  const accounts = new AccountService({ database: desk.database, clock: desk.clock, logger, audit, scryptParameters: FAST_SCRYPT });
  const incidents = new IncidentRegister({ incidents: new IncidentsRepository(desk.database), clock: desk.clock, logger, audit });
  const breakGlass = new BreakGlassDisclosure({ database: desk.database, contacts: desk.contacts, vault: desk.vault, audit, incidents, clock: desk.clock, logger });
  const transcriptAudit = new RecordingAudit();
  const transcriptLines = new TranscriptsRepository(desk.database);
  const transcripts = new TranscriptDesk({
    database: desk.database,
    contacts: desk.contacts,
    transcripts: transcriptLines,
    vault: desk.vault,
    audit: transcriptAudit,
    clock: desk.clock,
    timeZone: TIME_ZONE,
    policy: policyPresets[preset],
    logger,
  });
  const backend: CoordinatorBackend = {
    clock: desk.clock,
    accounts,
    callerRequests: new FakeCallerRequestDesk(desk.clock),
    disclosures: revealingDisclosures(breakGlass),
    incidents,
    audit,
    retention: { currentStatus: () => ({ now: desk.clock.now(), timeZone: TIME_ZONE, status: [] }) },
    system: { firmwareVersion: () => '0.1.0-test', health: () => ({ ok: true, checks: [] }) },
    transcripts,
  };
  for (const [id, role] of [
    ['anna', 'coordinator'],
    ['vera', 'volunteer'],
    ['sam', 'supervisor'],
    ['tom', 'technician'],
  ] as const) {
    await accounts.createAccount(id, role, PASSWORD);
  }
  const server = new StationServer({ backend: desk.desk, stations: [DESK_TOKEN], host: '127.0.0.1', port: 0, logger, coordinator: backend });
  const { url } = await server.start();
  const store = { clock: desk.clock, database: desk.database, keyring: desk.keyring, vault: desk.vault, contacts: desk.contacts, transcripts: transcriptLines };
  return {
    desk,
    transcriptAudit,
    transcripts,
    url,
    logLines,
    chat: (lines, options) => storeChat(store, lines, options),
    close: async () => {
      await server.stop();
      desk.close();
    },
  };
}
