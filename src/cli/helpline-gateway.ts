#!/usr/bin/env node
import { join, resolve } from 'node:path';
import { mkdirSync } from 'node:fs';
import { isGatewayError } from '../errors.js';
import { scrubIdentifiers } from '../log/scrub.js';
import { loadConfigFile } from '../config/load-config.js';
import { createLogger, type Logger } from '../log/logger.js';
import { pino } from 'pino';
import { startGateway, systemClock, type RunningGateway } from '../main.js';
import { EmbeddedBroker } from '../upstream/embedded-broker.js';
import { parseCommandLine, USAGE, UsageError, type CliCommand } from './arguments.js';
import { DemoMailRelay } from './demo-mail-relay.js';
import { autoWrapUp, DEMO_BROKER_PORT, DEMO_MAILBOX, demoConfig, describeContact, describeLed, describeReceived, provisionDemoAccounts } from './demo.js';
import { runDoctor } from './doctor.js';
import { keysStatus } from './keys-status.js';
import { keysInit } from './keys-init.js';
import { configCheck } from './config-check.js';
import { upstreamCheck } from './upstream-check.js';
import { auditVerify } from './audit-verify.js';
import { retentionRun, retentionStatus } from './retention.js';
import { accountsCommand } from './accounts.js';
import { readPasswordLine } from './password-prompt.js';
import { redactCommand } from './redact.js';
import { researchExport } from './research-export.js';
import { annualReport } from './annual-report.js';
import { collectorCommand } from './collector.js';
import { updateCommand } from './update.js';
import { superviseFromEnvironment } from '../service/index.js';
import { timerScheduler } from '../time/scheduler.js';

function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

/** Resolves on SIGINT/SIGTERM, so a service stops cleanly (the broker gets its 'offline'). */
function untilSignalled(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
}

async function run(command: Extract<CliCommand, { command: 'run' }>): Promise<number> {
  const config = loadConfigFile(command.config, { dataDir: command.dataDir, modemDevice: command.modem });
  const logger = createLogger({ level: config.log.level });
  // Under systemd (Type=notify): READY=1 once serving, watchdog pings from the event loop, STOPPING=1.
  const supervision = await superviseFromEnvironment(process.env, { pid: process.pid, scheduler: timerScheduler, logger });
  supervision.starting('starting: opening the store, loading the prior-contact index');
  let gateway: RunningGateway;
  try {
    gateway = await startGateway(config, { clock: systemClock, logger });
  } catch (error) {
    await supervision.stop('start failed');
    throw error;
  }
  logger.info({ stations: gateway.stationUrl }, 'gateway ready');
  const running = gateway;
  supervision.ready({
    status: () => `running; upstream ${running.upstream.connection.connected ? 'connected' : 'not connected'}`,
    alive: () => running.database.isOpen,
  });
  await untilSignalled();
  await supervision.stop();
  await gateway.stop();
  return 0;
}

/**
 * The stand-in central office on 127.0.0.1:1883; where that port is taken (a Debian mosquitto
 * service starts there once the test packages are installed) on a free port instead.
 */
async function startDemoBroker(logger: Logger): Promise<EmbeddedBroker> {
  const preferred = new EmbeddedBroker({ port: DEMO_BROKER_PORT, logger });
  try {
    await preferred.start();
    return preferred;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    say(`port ${DEMO_BROKER_PORT} is taken (a mosquitto service?): the embedded broker takes a free port instead`);
    const fallback = new EmbeddedBroker({ port: 0, logger });
    await fallback.start();
    return fallback;
  }
}

async function demo(command: Extract<CliCommand, { command: 'demo' }>): Promise<number> {
  const dataDir = resolve(command.dataDir ?? join('data', 'demo'));
  mkdirSync(join(dataDir, 'logs'), { recursive: true, mode: 0o700 });
  const logPath = join(dataDir, 'logs', 'gateway.log');
  const logger: Logger = createLogger({ level: 'info', destination: pino.destination({ dest: logPath, sync: false, mkdir: true }) });
  const broker = await startDemoBroker(logger);
  broker.onPublish((message) => say(describeReceived(message)));
  const mailRelay = new DemoMailRelay((bytes) => say(`mail relay     <- one mail out (${bytes} bytes; address and text not shown)`));
  await mailRelay.start();
  const config = demoConfig(dataDir, command.modem, broker.url, mailRelay.port);
  let gateway: RunningGateway | undefined;
  const pending = new Set<NodeJS.Timeout>();
  try {
    gateway = await startGateway(config, {
      clock: systemClock,
      logger,
      onPanelLed: (led, mode) => say(describeLed(led, mode)),
      onContact: (view) => {
        say(describeContact(view));
        const timer = autoWrapUp(view, (ended, choice) => {
          pending.delete(timer as NodeJS.Timeout);
          const result = gateway?.desk.wrapUp(ended.reference, choice, 'demo-volunteer');
          if (result?.ok) say(`demo volunteer registered ${ended.reference}: ${choice.ageBand}, ${choice.topic}, ${choice.outcome}`);
        });
        if (timer) pending.add(timer);
      },
    });
  } catch (error) {
    await broker.stop();
    await mailRelay.stop();
    throw error;
  }
  const token = config.stations.desks[0]?.token ?? '';
  const demoAccounts = await provisionDemoAccounts(gateway.accounts);
  say('helpline-gateway demo (demo settings: one-minute statistics periods, suppression threshold 2)');
  say(`  station page:   ${gateway.stationUrl}/#token=${token}`);
  say(`  coordinator:    ${gateway.stationUrl}/coordinator  (${demoAccounts.map((account) => `${account.id} / ${account.password}`).join(', ')})`);
  say(`  central office: embedded MQTT broker on ${broker.url} (subscribe to helpline/v1/#)`);
  say(`  chat page:      ${gateway.chatUrl ?? '(off)'}`);
  say(`  mailbox:        SMTP on 127.0.0.1:${gateway.mailPort ?? '(off)'} for ${DEMO_MAILBOX}; confirmations and answers go to a stand-in relay`);
  say(`  line:           ${config.line.kind === 'modem' ? `modem on ${config.line.device}` : 'simulated caller-ID modem with made-up numbers'}`);
  say(`  front panel:    a fake panel; its LED changes are printed (docs/panel.md says what they mean)`);
  say(`  data:           ${config.dataDir} (logs in ${logPath})`);
  say('  contacts not wrapped up on the page within 15 s are registered by a demo volunteer. Ctrl-C stops.');
  await untilSignalled();
  for (const timer of pending) clearTimeout(timer);
  await gateway.stop();
  await broker.stop();
  await mailRelay.stop();
  return 0;
}

async function main(argv: readonly string[]): Promise<number> {
  let command: CliCommand;
  try {
    command = parseCommandLine(argv);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`helpline-gateway: ${error.message}\n${USAGE}\n`);
      return 2;
    }
    throw error;
  }
  switch (command.command) {
    case 'help':
      say(USAGE);
      return 0;
    case 'run':
      return run(command);
    case 'demo':
      return demo(command);
    case 'doctor':
      return runDoctor(command, say);
    case 'keys-status':
      return keysStatus(command, say);
    case 'keys-init':
      return keysInit(command, say);
    case 'config-check':
      return configCheck(command, say);
    case 'upstream-check':
      return upstreamCheck({ config: command.config, timeoutMs: 10_000 }, say);
    case 'audit-verify':
      return auditVerify(command, say);
    case 'retention-status':
      return retentionStatus(command, say);
    case 'retention-run':
      return retentionRun(command, say);
    case 'accounts':
      return accountsCommand(command, readPasswordLine, say);
    case 'redact':
      return redactCommand(process.stdin, process.stdout);
    case 'export-research':
      return researchExport(command, say);
    case 'report-annual':
      return annualReport(command, say);
    case 'collector':
      return collectorCommand(command.flags, untilSignalled, say);
    case 'update':
      return updateCommand(command, say);
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    const line = isGatewayError(error) ? `${error.code}: ${error.message}` : error instanceof Error ? error.message : String(error);
    process.stderr.write(`helpline-gateway: ${scrubIdentifiers(line.replace(/\s*\n\s*/g, ' '))}\n`);
    process.exit(1);
  },
);
