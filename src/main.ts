import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { GatewayConfig } from './config/load-config.js';
import { AccountService } from './accounts/accounts.js';
import { AuditLog } from './audit/audit-log.js';
import { IncidentRegister } from './incidents/incident-register.js';
import { IntegrityWatch } from './incidents/integrity-watch.js';
import { KeyringPermissionWatch } from './incidents/keyring-permission-watch.js';
import { LoginBurstIncidents } from './incidents/login-burst-incidents.js';
import { ContactDesk } from './contacts/contact-desk.js';
import { PriorContactCounter } from './contacts/prior-contact-counter.js';
import type { StationContactView } from './contacts/contact-view.js';
import type { LineInterface, LineState } from './line/line-interface.js';
import { createLine } from './line/create-line.js';
import { SipLine } from './line/sip/sip-line.js';
import { SipSupervision } from './line/sip/sip-supervision.js';
import { TrunkPeers } from './line/sip/trunk-peers.js';
import { PromptLibrary } from './media/prompt-library.js';
import { RtpPortPool } from './media/port-pool.js';
import { CallRouter } from './routing/call-router.js';
import { SipEndpoint } from './sip/endpoint.js';
import { timerScheduler } from './time/scheduler.js';
import { transcriptForCalls } from './line/replay/transcript.js';
import type { Logger } from './log/logger.js';
import { Keyring } from './privacy/keyring.js';
import { createPseudonymizer } from './privacy/pseudonym.js';
import { createVault } from './privacy/vault.js';
import { retentionRules } from './retention/retention-rules.js';
import { RetentionSweeper } from './retention/retention-sweeper.js';
import { currentRetentionPlan } from './retention/retention-status.js';
import { BreakGlassDisclosure } from './rights/break-glass.js';
import { CallerRequests } from './rights/caller-requests.js';
import { ObjectionRegister } from './rights/objection-register.js';
import { ModerationRegister } from './moderation/moderation-register.js';
import { ModerationRepository } from './store/moderation-repository.js';
import { revealingDisclosures } from './rights/revealing-disclosures.js';
import type { CoordinatorBackend, HealthCheckView } from './stations/coordinator-backend.js';
import { StationServer } from './stations/station-server.js';
import { ContactsRepository } from './store/contacts-repository.js';
import { IncidentsRepository } from './store/incidents-repository.js';
import { ObjectionsRepository } from './store/objections-repository.js';
import { OutboxRepository } from './store/outbox-repository.js';
import { RightsRequestsRepository } from './store/rights-requests-repository.js';
import { GatewayDatabase } from './store/open-database.js';
import { MetaNumber } from './store/meta-entry.js';
import { RegistrationsRepository } from './store/registrations-repository.js';
import { TranscriptsRepository } from './store/transcripts-repository.js';
import type { Clock } from './time/clock.js';
import { UpstreamService } from './upstream/upstream-service.js';
import { readUpstreamCredentials } from './upstream/upstream-credentials.js';
import type { PublishedMessage } from './upstream/outbox-publisher.js';
import { syntheticCalls } from './cli/demo-calls.js';
import { ChatDesk, ChatServer, ChatTranscripts } from './chat/index.js';
import { detectPii } from './pii/index.js';
import { TranscriptDesk } from './transcripts/index.js';
import { MailDesk, SmtpIntake, SmtpMailRelay } from './mail/index.js';
import { MailMessagesRepository } from './store/mail-messages-repository.js';
import pg from 'pg';
import { Collector, DashboardQueries, DashboardServer, MqttIntake, PostgresStore, type CollectorSettings, type MqttIntakeTls } from './collector/index.js';
import { auditUpdateResult, gatewayUpdate } from './update/index.js';
import { describeError } from './events/typed-emitter.js';
import { DiskSpaceWatch, FaultRegister, healthReport, refusesWrites, StoreFaultWatch, type HealthReport, type UpdateHealth } from './health/index.js';
import { FakePanel, FirmataPanel, MaintenanceMode, PanelDisplay, serialFirmata, TamperResponse, type BoxState, type LedMode, type LedName, type MaintenanceGate, type Panel } from './panel/index.js';
import { HealthPublisher, UPSTREAM_SCHEMA_IDS } from './upstream/index.js';

/** The composition root: the only place that wires adapters to the core. */

export const systemClock: Clock = { now: () => Date.now() };

export function firmwareVersion(): string {
  const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: unknown };
  return typeof manifest.version === 'string' ? manifest.version : '0.0.0';
}

export interface GatewayRuntime {
  readonly clock: Clock;
  readonly logger: Logger;
  /** Upstream messages once the broker acknowledged them (the demo prints a line each). */
  readonly onPublished?: (message: PublishedMessage) => void;
  readonly onContact?: (view: StationContactView) => void;
  /** Every LED change of the fake panel (the demo prints a line each). */
  readonly onPanelLed?: (led: LedName, mode: LedMode) => void;
  /** A panel of the caller's own instead of the one the config names (tests). */
  readonly panel?: Panel;
}

export interface RunningGateway {
  readonly stationUrl: string;
  /** The public chat page, where `chat` is configured. */
  readonly chatUrl?: string;
  /** The SMTP listener's port, where `mail` is configured. */
  readonly mailPort?: number;
  readonly desk: ContactDesk;
  readonly line: LineInterface;
  readonly upstream: UpstreamService;
  readonly database: GatewayDatabase;
  readonly accounts: AccountService;
  readonly incidents: IncidentRegister;
  readonly panel: Panel;
  readonly faults: FaultRegister;
  /** Sweeps at start and every 15 minutes; `sweep()` runs one now (the fault suite after a clock jump, the busy-evening bench under load). */
  readonly retention: Pick<RetentionSweeper, 'sweep' | 'lastRun'>;
  /** The update upload route takes bundles only while this is active (issue 7). */
  readonly maintenance: MaintenanceGate;
  readonly health: () => HealthReport;
  stop(): Promise<void>;
}

export const DATABASE_FILE = 'gateway.db';

/** Expired sessions are refused anyway; the sweep only keeps their rows from piling up. */
const SESSION_SWEEP_MS = 60 * 60 * 1000;
/** A changed keyring permission is an incident within this time. */
const KEYRING_CHECK_MS = 5 * 60 * 1000;
/** Exit status of a trial version that failed its health check: systemd restarts it, boot-check counts the start. */
const EXIT_UPDATE_TRIAL_FAILED = 75;
const UPDATE_HEALTH_REFRESH_MS = 60_000;
const MIB = 1024 * 1024;
/** Incidents that make the fault LED blink until a coordinator closes them. */
const SECURITY_INCIDENT_KINDS: ReadonlySet<string> = new Set(['tamper', 'integrity-failure', 'keyring-permissions']);

function panelFromConfig(config: GatewayConfig, runtime: GatewayRuntime, logger: Logger): Panel {
  if (runtime.panel) return runtime.panel;
  if (config.panel.kind === 'fake') {
    logger.info({ component: 'panel' }, 'no front-panel board configured: a fake panel (panel.kind "fake")');
    return new FakePanel({ scheduler: timerScheduler, onLedChange: runtime.onPanelLed });
  }
  return new FirmataPanel({ open: serialFirmata({ path: config.panel.device, baudRate: config.panel.baudRate }), scheduler: timerScheduler, logger });
}

type SipLineConfig = Extract<GatewayConfig['line'], { kind: 'sip' }>;

/**
 * The SIP back-to-back agent with its endpoint, router, prompts and RTP ports. Desk phones come from
 * the stations that name one; the line takes calls into the desk itself (it needs the reference and
 * count before it can route), so it is not attached to the desk like the other lines.
 */
async function sipLineFromConfig(config: GatewayConfig, line: SipLineConfig, desk: ContactDesk, audit: AuditLog, clock: Clock, logger: Logger): Promise<{ line: SipLine; supervision: SipSupervision; stop: () => void }> {
  const scheduler = timerScheduler;
  const router = new CallRouter({
    clock,
    scheduler,
    logger: logger.child({ component: 'routing' }),
    routing: line.routing,
    stations: config.stations.desks.flatMap((station) =>
      station.deskPhone === undefined ? [] : [{ id: station.id, displayName: station.displayName ?? station.id, deskTarget: station.deskPhone, group: station.group }],
    ),
  });
  router.start();
  const trunkPeers = new TrunkPeers(line.trunkPeers);
  const sipLine = new SipLine({
    endpoint: new SipEndpoint({
      udp: line.listen,
      tcp: line.listen,
      advertisedHost: line.advertisedAddress,
      floodExempt: (address) => trunkPeers.allows(address),
      logger: logger.child({ component: 'sip' }),
      clock,
      scheduler,
    }),
    intake: desk,
    router,
    prompts: await PromptLibrary.load(),
    rtpPool: new RtpPortPool(line.rtpPorts),
    trunkPeers: line.trunkPeers,
    country: config.site.country,
    timeZone: config.site.timeZone,
    boxHost: line.boxHost,
    mediaAddress: line.advertisedAddress,
    mediaTimeoutMs: line.mediaTimeoutMs,
    onModerationUnknown: config.moderation.onLookupFailure,
    maxCalls: line.maxCalls,
    clock,
    scheduler,
    logger,
  });
  // Every listen-along is audited by the supervision, with the supervisor's account.
  const supervision = new SipSupervision({ line: sipLine, stations: config.stations.desks, audit: (entry) => audit.append(entry), scheduler, logger });
  supervision.start();
  return { line: sipLine, supervision, stop: () => router.stop() };
}

function lineFromConfig(config: GatewayConfig, line: Exclude<GatewayConfig['line'], SipLineConfig>, clock: Clock, logger: Logger): LineInterface {
  const country = config.site.country;
  switch (line.kind) {
    case 'modem':
      return createLine('modem', {
        path: line.device,
        baudRate: line.baudRate,
        initCommands: line.initCommands,
        callerIdCommands: line.callerIdCommands,
        ringsBeforeUnknown: line.ringsBeforeUnknown,
        ringSilenceMs: line.ringSilenceMs,
        country,
        clock,
        logger,
      });
    case 'replay':
      return createLine('replay', {
        transcript: readFileSync(line.transcript, 'utf8'),
        loop: line.loop,
        country,
        clock,
        logger,
      });
    case 'simulated': {
      // A quick cadence (a ring a second) so the demo shows a few calls a minute.
      const tempo = { ringIntervalMs: 1000, afterCallMs: 2500 };
      const calls = syntheticCalls(200, line.repeatCallers);
      const transcript = calls.flatMap((call) => [...transcriptForCalls([call], tempo), `WAIT ${line.pauseBetweenCallsMs}`]);
      return createLine('replay', {
        transcript,
        loop: true,
        ringSilenceMs: 2000,
        country,
        clock,
        logger,
      });
    }
  }
}

/** Keys created and re-wraps land in the audit log; a failed entry is logged, never fatal to the key. */
function auditKeyringEvents(keyring: Keyring, audit: AuditLog, logger: Logger): () => void {
  return keyring.onKeyEvent((event) => {
    try {
      if (event.kind === 'created') {
        audit.append({ actorRole: 'system', actorId: 'keyring', action: 'key.created', details: { family: event.family, month: event.epoch } });
      } else {
        audit.append({ actorRole: 'system', actorId: 'keyring', action: 'keyring.rewrapped', details: { generation: event.generation } });
      }
    } catch (error) {
      logger.error({ err: error instanceof Error ? error.message : String(error) }, 'audit entry for a key event failed');
    }
  });
}

/** Starts every service in order; stop() stops them in reverse. A failure part-way stops what started. */
export async function startGateway(config: GatewayConfig, runtime: GatewayRuntime): Promise<RunningGateway> {
  const { clock, logger } = runtime;
  const startedAt = clock.now();
  const stops: (() => Promise<void> | void)[] = [];
  const stopAll = async (): Promise<void> => {
    for (const stop of stops.reverse()) {
      try {
        await stop();
      } catch (error) {
        logger.error({ err: error instanceof Error ? error.message : String(error) }, 'stopping a service failed');
      }
    }
    stops.length = 0;
  };
  try {
    // Read first: a missing certificate or password file stops the start before anything opens.
    const upstreamCredentials = readUpstreamCredentials(config.upstream);
    mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
    const keyring = Keyring.open({ directory: config.keyringDir, clock });
    const database = GatewayDatabase.open({ path: join(config.dataDir, DATABASE_FILE), logger });
    stops.push(() => database.close());

    const contacts = new ContactsRepository(database);
    const audit = new AuditLog({ database, clock });
    stops.push(auditKeyringEvents(keyring, audit, logger));
    const incidents = new IncidentRegister({ incidents: new IncidentsRepository(database), clock, logger, audit });

    // The panel and the tamper response come up first: someone at an open case is not kept waiting.
    let lifecycle: BoxState['lifecycle'] = 'starting';
    const faults = new FaultRegister({ clock, logger, audit });
    const panel = panelFromConfig(config, runtime, logger);
    const tamper = new TamperResponse({ panel, incidents, audit, keyring, zeroize: config.panel.tamper.zeroize, faults, logger });
    tamper.start();
    stops.push(() => tamper.stop());
    const maintenance = new MaintenanceMode({ clock, scheduler: timerScheduler, logger, audit });
    stops.push(panel.on('long-press', () => maintenance.toggle()), () => maintenance.stop());
    panel.setLed('ready', 'blink-slow');
    await panel.start();
    stops.push(() => panel.stop());
    const diskWatch = new DiskSpaceWatch({
      path: config.dataDir,
      faults,
      scheduler: timerScheduler,
      logger,
      warnBelowBytes: config.health.diskWarnMb * MIB,
      stopBelowBytes: config.health.diskStopMb * MIB,
      intervalMs: config.health.diskCheckSeconds * 1000,
    });
    diskWatch.start();
    stops.push(() => diskWatch.stop());
    const healthProbe = new MetaNumber(database, 'health.probe');
    const storeFaults = new StoreFaultWatch({
      failures: database,
      diskFull: () => (diskWatch.check(), faults.has('HGW_DISK_FULL')),
      readOnly: () => refusesWrites(config.dataDir),
      probe: () => database.transaction(() => healthProbe.write(clock.now())),
      faults,
      incidents,
      scheduler: timerScheduler,
      logger,
    });
    storeFaults.start();
    stops.push(() => storeFaults.stop());
    const accounts = new AccountService({ database, clock, logger, audit });
    for (const watch of [
      new LoginBurstIncidents({ accounts, incidents, logger }),
      new IntegrityWatch({ audit, incidents, logger }),
    ]) {
      await watch.start();
      stops.push(() => watch.stop());
    }
    const sessionSweep = setInterval(() => accounts.sweepExpiredSessions(), SESSION_SWEEP_MS).unref();
    stops.push(() => clearInterval(sessionSweep));
    const priorContacts = PriorContactCounter.load(contacts);
    logger.info({ component: 'contacts', linkedPseudonyms: priorContacts.sizes() }, 'prior-contact index loaded');
    const objections = ObjectionRegister.load(new ObjectionsRepository(database), clock);
    const pseudonymizer = createPseudonymizer(keyring);
    const vault = createVault(keyring);
    const registrations = new RegistrationsRepository(database);
    const transcripts = new TranscriptsRepository(database);
    const rightsRequests = new RightsRequestsRepository(database);
    const moderation = ModerationRegister.load({
      database,
      repository: new ModerationRepository(database),
      contacts,
      audit,
      clock,
      timeZone: config.site.timeZone,
      policy: config.policy,
      logger: logger.child({ component: 'moderation' }),
    });
    moderation.start();
    stops.push(() => moderation.stop());
    const desk = new ContactDesk({
      database,
      contacts,
      registrations,
      pseudonymizer,
      vault,
      clock,
      timeZone: config.site.timeZone,
      linkageMonths: config.policy.phoneLinkageMonths,
      categories: config.categories,
      priorContacts,
      objections,
      moderation,
      onModerationLookupFailure: config.moderation.onLookupFailure,
      intake: faults,
      logger: logger.child({ component: 'contacts' }),
    });
    desk.endCallsLeftByEarlierRun();
    if (runtime.onContact) stops.push(desk.onContactChanged(runtime.onContact));

    let chatDesk: ChatDesk | undefined;
    let chatServer: ChatServer | undefined;
    if (config.chat) {
      const chatLogger = logger.child({ component: 'chat' });
      const chatDeskStarted = new ChatDesk({
        intake: desk,
        transcripts: new ChatTranscripts({ database, transcripts, vault, timeZone: config.site.timeZone }),
        suggest: detectPii,
        clock,
        scheduler: timerScheduler,
        logger: chatLogger,
        timeZone: config.site.timeZone,
        limits: config.chat,
      });
      chatDeskStarted.start();
      stops.push(() => chatDeskStarted.stop());
      chatDesk = chatDeskStarted;
      chatServer = new ChatServer({
        desk: chatDeskStarted,
        host: config.chat.listen.host,
        port: config.chat.listen.port,
        trustedProxies: config.chat.trustedProxies,
        maxMessageChars: config.chat.maxMessageChars,
        chatsPerMinutePerAddress: config.chat.chatsPerMinutePerAddress,
        clock,
        scheduler: timerScheduler,
        logger: chatLogger,
      });
    }

    const mails = new MailMessagesRepository(database);
    let mailDesk: MailDesk | undefined;
    if (config.mail) {
      const mailLogger = logger.child({ component: 'mail' });
      const relay = new SmtpMailRelay({ ...config.mail.relay, logger: mailLogger });
      const mailDeskStarted = new MailDesk({
        intake: desk,
        mails,
        contacts,
        database,
        vault,
        relay,
        suggest: detectPii,
        clock,
        timeZone: config.site.timeZone,
        messageIdDomain: config.mail.smtp.hostname,
        logger: mailLogger,
      });
      mailDeskStarted.start();
      stops.push(async () => {
        await mailDeskStarted.stop();
        relay.close();
      });
      mailDesk = mailDeskStarted;
    }

    const sweeper = new RetentionSweeper({
      keyring,
      contacts,
      transcripts,
      mails,
      database,
      clock,
      timeZone: config.site.timeZone,
      rules: retentionRules(config.policy),
      priorContacts,
      linkedStores: [rightsRequests, objections, moderation],
      audit,
      logger: logger.child({ component: 'retention' }),
    });
    await sweeper.start();
    stops.push(() => sweeper.stop());

    const upstream = new UpstreamService({
      database,
      clock,
      logger,
      site: config.site.id,
      incidents,
      stats: {
        timeZone: config.site.timeZone,
        periodLength: config.upstream.period,
        threshold: config.policy.suppressionThreshold,
        closeDelayMs: config.upstream.wrapUpGraceMinutes * 60_000,
        categories: config.categories,
        disclosure: config.statistics,
      },
      outboxMaxBytes: config.upstream.outboxMaxBytes,
      mqtt: {
        url: config.upstream.url,
        firmware: firmwareVersion(),
        clientId: config.upstream.clientId,
        ...upstreamCredentials,
      },
    });
    if (runtime.onPublished) stops.push(upstream.onPublished(runtime.onPublished));
    // A clock stepped back behind the last closed period is a warning the fault LED shows (blinking slowly).
    upstream.aggregator.onClockBehind((behind) => (behind ? faults.raise('HGW_CLOCK_BEHIND') : faults.clear('HGW_CLOCK_BEHIND')));
    await upstream.start();
    stops.push(() => upstream.stop());

    const configured = config.line;
    let line: LineInterface;
    let supervision: SipSupervision | undefined;
    if (configured.kind === 'sip') {
      const sip = await sipLineFromConfig(config, configured, desk, audit, clock, logger);
      line = sip.line;
      supervision = sip.supervision;
      stops.push(sip.stop, () => sip.supervision.stop());
    } else {
      line = lineFromConfig(config, configured, clock, logger);
      stops.push(desk.attachLine(line));
    }
    let lineState: LineState = 'connecting';
    stops.push(line.on('state', (state) => (lineState = state)));
    // Phone contacts ringing or live, for the line LED.
    const phoneBusy = new Set<string>();
    stops.push(
      desk.onContactChanged((view) => {
        if (view.channel !== 'phone') return;
        if (view.state === 'ringing' || view.state === 'live') phoneBusy.add(view.reference);
        else phoneBusy.delete(view.reference);
      }),
    );
    const keyringWatch = new KeyringPermissionWatch({ directory: config.keyringDir, incidents, logger, intervalMs: KEYRING_CHECK_MS });
    const outbox = new OutboxRepository(database);
    const boxState = (): BoxState => ({
      lifecycle,
      maintenance: maintenance.active(),
      line: lineState !== 'ready' ? 'down' : phoneBusy.size > 0 ? 'busy' : 'idle',
      upstream: { connected: upstream.connection.connected, waiting: outbox.count() },
      intakeStopped: !faults.accepting(),
      openSecurityIncidents: incidents.open().filter((incident) => SECURITY_INCIDENT_KINDS.has(incident.kind)).length,
      clockBehind: faults.has('HGW_CLOCK_BEHIND'),
    });
    const display = new PanelDisplay({ panel, state: boxState, scheduler: timerScheduler, logger });
    const update = gatewayUpdate({
      settings: config.update,
      databasePath: join(config.dataDir, DATABASE_FILE),
      runningVersion: firmwareVersion(),
      maintenance,
      clock,
      scheduler: timerScheduler,
      logger,
    });
    // The update state changes outside this process (the apply agent) and when the trial commits:
    // /health and the upstream health read what was last seen, refreshed every minute.
    let updateHealth: UpdateHealth | undefined;
    const updateAuditMark = new MetaNumber(database, 'update.audited-result-at');
    let stopUpdateRefresh = (): void => undefined;
    const refreshUpdateHealth = async (): Promise<void> => {
      try {
        const status = await update.intake.status();
        updateHealth = { committed: status.committed.version, trial: status.trial?.version ?? null };
        try {
          auditUpdateResult(status.lastResult, audit, updateAuditMark);
        } catch (error) {
          logger.error({ component: 'update', err: describeError(error) }, 'audit entry for the last update result failed; trying again in a minute');
        }
      } catch (error) {
        updateHealth = undefined;
        logger.warn({ component: 'update', err: describeError(error) }, 'update state unreadable for the health report');
      }
      stopUpdateRefresh = timerScheduler.after(UPDATE_HEALTH_REFRESH_MS, () => void refreshUpdateHealth());
    };
    await refreshUpdateHealth();
    stops.push(() => stopUpdateRefresh());
    const report = (): HealthReport =>
      healthReport({
        clock,
        startedAt,
        firmware: firmwareVersion,
        databaseSchema: () => database.schemaVersion(),
        upstreamSchemas: UPSTREAM_SCHEMA_IDS,
        disk: () => diskWatch.lastReading(),
        outbox: () => outbox.count(),
        chatQueue: () => chatDesk?.counters().queued ?? 0,
        mailsUndelivered: () => mails.undeliveredCount(),
        contactsLive: () => desk.openContacts().filter((view) => view.state === 'ringing' || view.state === 'live').length,
        lastRetentionRun: () => sweeper.lastRun(),
        openIncidents: () => incidents.open().length,
        faults: () => faults.codes(),
        intakeOpen: () => faults.accepting(),
        maintenanceUntil: () => maintenance.until(),
        panel: () => ({ kind: panel.kind, connection: panel.connection(), leds: panel.leds() }),
        update: () => updateHealth,
      });
    const healthPublisher = new HealthPublisher({ connection: upstream.connection, site: config.site.id, session: upstream.session, report, scheduler: timerScheduler, logger });
    healthPublisher.start();
    stops.push(() => healthPublisher.stop());
    stops.push(
      faults.onChange(() => {
        display.refresh();
        void healthPublisher.publish();
      }),
      maintenance.onChange(() => display.refresh()),
      line.on('state', () => display.refresh()),
      desk.onContactChanged(() => display.refresh()),
      upstream.connection.on('connected', () => display.refresh()),
      upstream.connection.on('disconnected', () => display.refresh()),
    );
    const health = (): HealthCheckView[] => [
      { name: 'database', ok: database.isOpen, detail: `schema version ${database.schemaVersion()}` },
      { name: 'line', ok: lineState === 'ready', detail: `${line.name}: ${lineState}` },
      { name: 'upstream', ok: upstream.connection.connected, detail: `${upstream.connection.connected ? 'connected' : 'not connected'}, ${outbox.count()} message(s) waiting` },
      { name: 'keyring', ok: keyringWatch.check().problems.length === 0, detail: 'directory 0700, files 0600' },
      { name: 'incidents', ok: !incidents.alerts().some((alert) => alert.kind === 'overdue'), detail: `${incidents.open().length} open` },
      { name: 'faults', ok: faults.codes().length === 0, detail: faults.codes().join(', ') || 'none' },
      { name: 'panel', ok: panel.connection() !== 'lost', detail: `${panel.kind}: ${panel.connection()}` },
    ];
    const coordinator: CoordinatorBackend = {
      clock,
      accounts,
      audit,
      incidents,
      moderation,
      ...(supervision ? { supervision } : {}),
      callerRequests: new CallerRequests({
        database,
        contacts,
        requests: rightsRequests,
        pseudonymizer,
        vault,
        keyring,
        audit,
        clock,
        timeZone: config.site.timeZone,
        country: config.site.country,
        priorContacts,
        objections,
        retention: config.policy,
        logger: logger.child({ component: 'rights' }),
      }),
      disclosures: revealingDisclosures(new BreakGlassDisclosure({ database, contacts, vault, audit, incidents, clock, logger })),
      transcripts: new TranscriptDesk({ database, contacts, transcripts, vault, audit, clock, timeZone: config.site.timeZone, policy: config.policy, logger }),
      retention: {
        currentStatus: () =>
          currentRetentionPlan(retentionRules(config.policy), clock.now(), config.site.timeZone, { contacts, transcripts, registrations, mails, keyring }),
      },
      system: {
        firmwareVersion,
        health: () => {
          const checks = health();
          return { ok: checks.every((check) => check.ok), checks };
        },
        report,
      },
      update: update.intake,
    };
    const stations = new StationServer({
      backend: desk,
      ...(chatDesk ? { chat: chatDesk } : {}),
      ...(mailDesk ? { mail: mailDesk } : {}),
      stations: config.stations.desks,
      host: config.stations.host,
      port: config.stations.port,
      logger,
      coordinator,
    });
    await keyringWatch.start();
    stops.push(() => keyringWatch.stop());
    const { url: stationUrl } = await stations.start();
    stops.push(() => stations.stop());

    // The public sides open last, once everything a chatter's first frame or a mail needs is running.
    let chatUrl: string | undefined;
    if (chatServer) {
      chatUrl = (await chatServer.start()).url;
      stops.push(() => chatServer.stop());
    }
    let mailPort: number | undefined;
    if (config.mail && mailDesk) {
      const receiving = mailDesk;
      const smtp = new SmtpIntake({
        ...config.mail.smtp,
        maxMessageBytes: config.mail.maxMessageBytes,
        mailsPerHourPerSender: config.mail.mailsPerHourPerSender,
        deliver: (mail) => receiving.receive(mail),
        intake: faults,
        clock,
        logger: logger.child({ component: 'mail' }),
      });
      await smtp.start();
      stops.push(() => smtp.stop());
      mailPort = smtp.port;
    }

    await line.start();
    stops.push(() => line.stop());

    // A version on trial commits itself once store, line and upstream are up; an unreachable
    // broker is fine as long as the outbox keeps what waits for it.
    const outboxReadable = (): boolean => {
      try {
        outbox.count();
        return true;
      } catch {
        return false;
      }
    };
    const trial = await update.watchTrial(
      () => ({ storeOpen: database.isOpen, lineUp: lineState === 'ready', upstreamConnectedOrQueued: upstream.connection.connected || outboxReadable() }),
      (reason) => {
        logger.fatal({ reason }, 'update trial failed: stopping so the service restarts and boot-check counts the start');
        void stopAll().finally(() => process.exit(EXIT_UPDATE_TRIAL_FAILED));
      },
    );
    stops.push(() => trial.stop());

    lifecycle = 'running';
    display.start();
    stops.push(() => {
      lifecycle = 'stopping';
      display.refresh();
      display.stop();
    });

    return {
      stationUrl,
      ...(chatUrl ? { chatUrl } : {}),
      ...(mailPort === undefined ? {} : { mailPort }),
      desk,
      line,
      upstream,
      database,
      accounts,
      incidents,
      panel,
      faults,
      retention: sweeper,
      maintenance,
      health: report,
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

export interface CollectorRuntime {
  readonly clock: Clock;
  readonly logger: Logger;
  /** File contents for --ca, --cert and --key, read by the command line. */
  readonly tls?: MqttIntakeTls;
  /** From the environment, never the command line. */
  readonly brokerPassword?: string;
}

export interface RunningCollector {
  readonly collector: Collector;
  readonly dashboardUrl: string;
  stop(): Promise<void>;
}

/**
 * The central office's collector: a PostgreSQL pool, the store, the MQTT intake and the dashboard.
 * The dashboard answers at once; the database and the broker are reached in the background.
 */
export async function startCollector(settings: CollectorSettings, runtime: CollectorRuntime): Promise<RunningCollector> {
  const { clock, logger } = runtime;
  const pool = new pg.Pool({ connectionString: settings.databaseUrl, max: 4, connectionTimeoutMillis: 5_000, application_name: 'helpline-collector' });
  // An idle connection dropped by the server must not crash the process; the next query finds out.
  pool.on('error', (error) => logger.debug({ code: (error as Error & { code?: string }).code }, 'idle database connection lost'));
  const intake = new MqttIntake(
    {
      url: settings.brokerUrl,
      group: settings.group,
      clientId: settings.clientId,
      sessionExpirySeconds: settings.sessionExpirySeconds,
      username: settings.username,
      password: runtime.brokerPassword,
      tls: runtime.tls,
    },
    logger,
  );
  const collector = new Collector({ store: new PostgresStore({ pool }), intake, clock, logger });
  const dashboard = new DashboardServer({
    host: settings.listen.host,
    port: settings.listen.port,
    queries: new DashboardQueries(pool),
    health: () => collector.health(),
    clock,
    timeZone: settings.timeZone,
    logger,
  });
  let dashboardUrl: string;
  try {
    dashboardUrl = await dashboard.start();
  } catch (error) {
    await pool.end();
    throw error;
  }
  await collector.start();
  return {
    collector,
    dashboardUrl,
    stop: async () => {
      await collector.stop();
      await dashboard.stop();
      await pool.end();
    },
  };
}
