import { AccountService, type Role } from '../../src/accounts/index.js';
import { ChatServer } from '../../src/chat/chat-server.js';
import { policyPresets } from '../../src/config/index.js';
import { IncidentRegister } from '../../src/incidents/index.js';
import { SipSupervision } from '../../src/line/sip/index.js';
import { createLogger } from '../../src/log/index.js';
import { MailDesk, type MailRelay, type OutgoingMail } from '../../src/mail/index.js';
import { createPseudonymizer } from '../../src/privacy/pseudonym.js';
import { planRetention, retentionRules } from '../../src/retention/index.js';
import { BreakGlassDisclosure, CallerRequests, revealingDisclosures } from '../../src/rights/index.js';
import type { CoordinatorBackend } from '../../src/stations/index.js';
import { StationServer } from '../../src/stations/index.js';
import { IncidentsRepository } from '../../src/store/incidents-repository.js';
import { MailMessagesRepository } from '../../src/store/mail-messages-repository.js';
import { RightsRequestsRepository } from '../../src/store/rights-requests-repository.js';
import { TranscriptDesk } from '../../src/transcripts/index.js';
import { DEFAULT_BUNDLE_LIMITS, NodeUpdateFiles, UpdateIntake } from '../../src/update/index.js';
import { chatFixture, type ChatFixture } from '../chat/chat-fixture.js';
import { FakeSupervisedLine } from '../line/sip/fake-supervised-line.js';
import { DESK_TOKEN, FAST_SCRYPT, PASSWORD } from '../support/coordinator-fixture.js';
import { MaintenanceModeDouble } from '../support/maintenance-mode-double.js';
import { boxFixture, HARDWARE, type Box } from '../update/update-fixture.js';

/** One account per role, and a spare volunteer the account routes act on (so no principal loses its session). */
export const ACCOUNTS: Readonly<Record<string, Role>> = {
  vera: 'volunteer',
  sam: 'supervisor',
  anna: 'coordinator',
  bram: 'coordinator',
  tom: 'technician',
  zoe: 'volunteer',
};

/** A relay that takes every mail: the routes are under test, not delivery. */
class AcceptingRelay implements MailRelay {
  readonly sent: OutgoingMail[] = [];

  async send(mail: OutgoingMail): Promise<void> {
    this.sent.push(mail);
  }

  close(): void {}
}

export interface FullStationServer {
  readonly chat: ChatFixture;
  readonly station: StationServer;
  readonly chatServer: ChatServer;
  readonly url: string;
  readonly chatUrl: string;
  readonly accounts: AccountService;
  readonly supervisedLine: FakeSupervisedLine;
  readonly logLines: string[];
  stop(): Promise<void>;
}

/**
 * The station server with every part main.ts can give it, over the real cores: contact desk,
 * accounts, audit, incidents, break-glass, callers' requests, moderation, transcripts (Lumi preset,
 * so the address and fragment routes are on), chat, mail, supervision (a fake SIP line) and the
 * update intake (maintenance mode on). Beside it the public chat server. So a route table over
 * `routes()` sees every route the box can serve.
 */
export async function startFullStationServer(): Promise<FullStationServer> {
  const logLines: string[] = [];
  const logger = createLogger({ level: 'debug', destination: { write: (line: string) => void logLines.push(line) } });
  const chat = chatFixture(new Date('2026-01-15T10:00:00Z'), { logger });
  const f = chat.f;
  const policy = policyPresets['lumi-be'];
  const accounts = new AccountService({ database: f.database, clock: f.clock, logger, audit: f.audit, scryptParameters: FAST_SCRYPT });
  for (const [id, role] of Object.entries(ACCOUNTS)) await accounts.createAccount(id, role, PASSWORD);
  const incidents = new IncidentRegister({ incidents: new IncidentsRepository(f.database), clock: f.clock, logger, audit: f.audit });
  const breakGlass = new BreakGlassDisclosure({ database: f.database, contacts: f.contacts, vault: f.vault, audit: f.audit, incidents, clock: f.clock, logger });
  const callerRequests = new CallerRequests({
    database: f.database,
    contacts: f.contacts,
    requests: new RightsRequestsRepository(f.database),
    pseudonymizer: createPseudonymizer(f.keyring),
    vault: f.vault,
    keyring: f.keyring,
    audit: f.audit,
    clock: f.clock,
    timeZone: 'Europe/Amsterdam',
    country: 'NL',
    priorContacts: f.priorContacts,
    objections: f.objections,
    logger,
  });
  const transcripts = new TranscriptDesk({ database: f.database, contacts: f.contacts, transcripts: chat.repository, vault: f.vault, audit: f.audit, clock: f.clock, timeZone: 'Europe/Amsterdam', policy, logger });
  const mailDesk = new MailDesk({
    intake: f.desk,
    mails: new MailMessagesRepository(f.database),
    contacts: f.contacts,
    database: f.database,
    vault: f.vault,
    relay: new AcceptingRelay(),
    suggest: () => [],
    clock: f.clock,
    timeZone: 'Europe/Amsterdam',
    messageIdDomain: 'gateway.example',
    logger,
  });
  mailDesk.start();
  const supervisedLine = new FakeSupervisedLine();
  const supervision = new SipSupervision({
    line: supervisedLine,
    stations: [{ id: DESK_TOKEN.id, displayName: 'Bureau 1', deskPhone: 'sip:desk-1@10.0.0.21:5060', group: 'dag' }],
    audit: (entry) => f.audit.append(entry),
    scheduler: chat.scheduler,
    logger,
  });
  supervision.start();
  const box: Box = boxFixture();
  const update = new UpdateIntake({
    files: new NodeUpdateFiles(),
    paths: box.paths,
    maintenance: new MaintenanceModeDouble(true),
    installedVersion: '1.0.0',
    hardwareId: HARDWARE,
    limits: { ...DEFAULT_BUNDLE_LIMITS, maxBundleBytes: 1024 * 1024 },
    uploadIdleMs: 30_000,
    maxStartAttempts: 3,
    clock: f.clock,
    scheduler: chat.scheduler,
    logger,
  });
  const coordinator: CoordinatorBackend = {
    clock: f.clock,
    accounts,
    callerRequests,
    disclosures: revealingDisclosures(breakGlass),
    incidents,
    audit: f.audit,
    retention: {
      currentStatus: () =>
        planRetention(retentionRules(policy), f.clock.now(), 'Europe/Amsterdam', {
          'phone-linkage': { oldestItemAt: f.contacts.oldestLinkedAt(), liveEpochs: f.keyring.linkEpochs() },
          'phone-number': { oldestItemAt: f.contacts.oldestSealedAt('phone'), liveEpochs: f.keyring.vaultEpochs('phone-number') },
        }),
    },
    system: { firmwareVersion: () => '0.1.0-test', health: () => ({ ok: true, checks: [{ name: 'database', ok: true, detail: 'quick_check ok' }] }) },
    moderation: f.moderation,
    transcripts,
    supervision,
    update,
  };
  const station = new StationServer({ backend: f.desk, stations: [DESK_TOKEN], host: '127.0.0.1', port: 0, logger, coordinator, chat: chat.chatDesk, mail: mailDesk });
  const { url } = await station.start();
  const chatServer = new ChatServer({
    desk: chat.chatDesk,
    host: '127.0.0.1',
    port: 0,
    trustedProxies: [],
    maxMessageChars: 200,
    chatsPerMinutePerAddress: 1000,
    clock: f.clock,
    scheduler: chat.scheduler,
    logger,
  });
  const { url: chatUrl } = await chatServer.start();
  return {
    chat,
    station,
    chatServer,
    url,
    chatUrl,
    accounts,
    supervisedLine,
    logLines,
    async stop() {
      await chatServer.stop();
      await station.stop();
      supervision.stop();
      await mailDesk.stop();
      chat.close();
      box.cleanup();
    },
  };
}
