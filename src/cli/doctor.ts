import { X509Certificate } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeError } from '../events/typed-emitter.js';
import { loadConfigFile, type GatewayConfig } from '../config/load-config.js';
import { Keyring } from '../privacy/keyring.js';
import { silentLogger } from '../log/logger.js';
import { GatewayDatabase } from '../store/open-database.js';
import { DATABASE_FILE, systemClock } from '../main.js';
import { readUpstreamCredentials } from '../upstream/upstream-credentials.js';
import { probeModem } from './probe-modem.js';

type Verdict = 'ok' | 'warn' | 'FAIL';

interface Check {
  readonly verdict: Verdict;
  readonly subject: string;
  readonly detail: string;
}

function failure(subject: string, error: unknown): Check {
  const { code, message } = describeError(error);
  return { verdict: 'FAIL', subject, detail: code ? `${code}: ${message}` : message };
}

function keyringCheck(config: GatewayConfig): Check {
  if (!existsSync(join(config.keyringDir, 'keyring.json'))) {
    return { verdict: 'warn', subject: 'keyring', detail: `none yet in ${config.keyringDir}; created at first run` };
  }
  try {
    const keyring = Keyring.open({ directory: config.keyringDir, clock: systemClock, access: 'read-only' });
    const status = keyring.status();
    keyring.close();
    return {
      verdict: 'ok',
      subject: 'keyring',
      detail: `${status.keyringFile.path} mode ${status.keyringFile.mode?.toString(8)}, directory mode ${status.directory.mode?.toString(8)}, ${status.link.live.length} live link keys`,
    };
  } catch (error) {
    return failure('keyring', error);
  }
}

/** The upstream's certificate, key and password files, read as a start would; never their content. */
function upstreamCheck(config: GatewayConfig): Check {
  try {
    const credentials = readUpstreamCredentials(config.upstream);
    const scheme = config.upstream.url.slice(0, config.upstream.url.indexOf(':'));
    const cert = credentials.tls?.cert;
    const parts = [
      scheme,
      credentials.tls?.ca === undefined ? 'system CAs' : 'private CA',
      cert === undefined ? 'no client certificate' : `client certificate valid until ${new X509Certificate(cert).validTo}`,
      credentials.password === undefined ? 'no password' : config.upstream.passwordFile === undefined ? 'password in the config' : 'password from its file',
      `outbox cap ${config.upstream.outboxMaxBytes} bytes`,
    ];
    return { verdict: 'ok', subject: 'upstream', detail: parts.join(', ') };
  } catch (error) {
    return failure('upstream', error);
  }
}

function runningGatewayPid(databasePath: string): number | undefined {
  try {
    const pid = Number(readFileSync(`${databasePath}.pid`, 'utf8').trim());
    if (!Number.isInteger(pid) || pid <= 0) return undefined;
    process.kill(pid, 0);
    return pid;
  } catch {
    return undefined;
  }
}

function databaseChecks(config: GatewayConfig): Check[] {
  const path = join(config.dataDir, DATABASE_FILE);
  if (!existsSync(path)) return [{ verdict: 'warn', subject: 'database', detail: `none yet at ${path}; created at first run` }];
  const pid = runningGatewayPid(path);
  if (pid !== undefined) {
    return [{ verdict: 'warn', subject: 'database', detail: `the gateway (pid ${pid}) holds it; stop the service to check pragmas and integrity` }];
  }
  try {
    const database = GatewayDatabase.open({ path, logger: silentLogger() });
    try {
      const pragmas = Object.entries(database.pragmaReport()).map(([key, value]) => `${key}=${value}`).join(' ');
      return [
        { verdict: 'ok', subject: 'pragmas', detail: pragmas },
        { verdict: database.integrityCheck() === 'ok' ? 'ok' : 'FAIL', subject: 'integrity', detail: `integrity_check: ${database.integrityCheck()}, schema version ${database.schemaVersion()}` },
      ];
    } finally {
      database.close();
    }
  } catch (error) {
    return [failure('database', error)];
  }
}

/** `doctor`: one line per check; exit 1 when any check fails. It creates nothing. */
export async function runDoctor(command: { config: string; dataDir?: string }, say: (line: string) => void): Promise<number> {
  const checks: Check[] = [];
  let config: GatewayConfig;
  try {
    config = loadConfigFile(command.config, { dataDir: command.dataDir });
    checks.push({
      verdict: 'ok',
      subject: 'config',
      detail: `${command.config}: site ${config.site.id} (${config.site.country}, ${config.site.timeZone}), preset ${config.policy.preset}, line ${config.line.kind}`,
    });
  } catch (error) {
    say(`FAIL config    ${describeError(error).message}`);
    return 1;
  }
  checks.push(keyringCheck(config));
  checks.push(...databaseChecks(config));
  checks.push(upstreamCheck(config));
  if (config.line.kind === 'modem') {
    const probe = await probeModem(config.line.device, config.line.baudRate);
    checks.push({ verdict: probe.ok ? 'ok' : 'FAIL', subject: 'modem', detail: `${config.line.device}: ${probe.detail}` });
  }
  for (const check of checks) say(`${check.verdict.padEnd(4)} ${check.subject.padEnd(9)} ${check.detail}`);
  return checks.some((check) => check.verdict === 'FAIL') ? 1 : 0;
}
