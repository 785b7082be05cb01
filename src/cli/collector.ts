import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { parseCollectorFlags, type CollectorFlags } from '../collector/index.js';
import { GatewayError } from '../errors.js';
import { createLogger } from '../log/logger.js';
import { startCollector, systemClock } from '../main.js';

function readTlsFile(flag: string, path: string | undefined): Buffer | undefined {
  if (path === undefined) return undefined;
  try {
    return readFileSync(path);
  } catch {
    throw new GatewayError('HGW_COLLECTOR_OPTIONS', `${flag}: cannot read the file`);
  }
}

/**
 * `helpline-gateway collector`: runs until SIGINT/SIGTERM. JSON-line logs go to stdout; each time
 * the database or the broker goes down or comes back, one plain line goes to stderr.
 */
export async function collectorCommand(flags: CollectorFlags, untilSignalled: () => Promise<NodeJS.Signals>, say: (line: string) => void): Promise<number> {
  const clientIdHost = hostname().toLowerCase().replace(/[^a-z0-9.-]/g, '-').slice(0, 40) || 'host';
  const settings = parseCollectorFlags(flags, `hgw-collector-${clientIdHost}`);
  const ca = readTlsFile('--ca', settings.tlsFiles.ca);
  const cert = readTlsFile('--cert', settings.tlsFiles.cert);
  const key = readTlsFile('--key', settings.tlsFiles.key);
  const logger = createLogger({ level: settings.logLevel });
  const running = await startCollector(settings, {
    clock: systemClock,
    logger,
    tls: { ...(ca ? { ca } : {}), ...(cert ? { cert } : {}), ...(key ? { key } : {}) },
    brokerPassword: process.env['HGW_COLLECTOR_BROKER_PASSWORD'],
  });
  running.collector.on('condition', (condition) => process.stderr.write(`helpline-gateway collector: ${condition.resolved ? 'ok' : condition.code}: ${condition.message}\n`));
  const fatal = new Promise<Error>((resolve) => running.collector.on('fatal', resolve));
  const subscription = settings.group === undefined ? 'a plain subscription (this collector takes every message)' : `shared subscription group ${settings.group}`;
  say(`helpline-gateway collector: ${subscription}, client id ${settings.clientId}; dashboard on ${running.dashboardUrl}`);
  const ended = await Promise.race([untilSignalled(), fatal]);
  await running.stop();
  if (ended instanceof Error) throw ended;
  return 0;
}
