import { randomBytes, randomInt } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { applyOverrides, validateConfig, type GatewayConfig } from '../config/load-config.js';
import type { AccountService, Role } from '../accounts/index.js';
import type { StationContactView } from '../contacts/contact-view.js';
import type { LedMode, LedName } from '../panel/index.js';
import type { BrokerPublish } from '../upstream/embedded-broker.js';

/** Marked as demo settings everywhere they show: one-minute periods and the lowest threshold. */
export const DEMO_BROKER_PORT = 1883;
export const DEMO_STATION_PORT = 8080;
export const DEMO_CHAT_PORT = 8081;
export const DEMO_SMTP_PORT = 2525;
export const DEMO_MAILBOX = 'hulp@demo.helpline.invalid';
const DEMO_AUTO_WRAP_UP_MS = 15_000;

export const demoCategories = {
  topics: ['bullying', 'family', 'friends-relationships', 'sexuality', 'mental-health', 'school', 'abuse', 'other-topic'],
  ageBands: ['8-11', '12-14', '15-17', '18-21', 'unknown'],
  outcomes: ['conversation', 'referred', 'test-or-prank', 'hung-up'],
};

/** The demo's station token lives in its data dir (0600) so the page keeps working across restarts. */
export function demoStationToken(dataDir: string): string {
  const path = join(dataDir, 'demo-station-token');
  if (existsSync(path)) return readFileSync(path, 'utf8').trim();
  const token = randomBytes(24).toString('base64url');
  writeFileSync(path, `${token}\n`, { mode: 0o600 });
  return token;
}

export function demoConfig(dataDirArgument: string | undefined, modemDevice: string | undefined, brokerUrl: string, mailRelayPort: number): GatewayConfig {
  const dataDir = resolve(dataDirArgument ?? join('data', 'demo'));
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const json = {
    site: { id: 'demo-site', timeZone: 'Europe/Amsterdam', country: 'NL' },
    dataDir,
    policy: { preset: 'allesoke-nl', overrides: { suppressionThreshold: 2 } },
    categories: demoCategories,
    line: { kind: 'simulated', pauseBetweenCallsMs: 1000, repeatCallers: 10 },
    stations: { host: '127.0.0.1', port: DEMO_STATION_PORT, desks: [{ id: 'demo-desk', token: demoStationToken(dataDir) }] },
    upstream: { url: brokerUrl, period: 'minute', wrapUpGraceMinutes: 1, demo: true },
    chat: { listen: { host: '127.0.0.1', port: DEMO_CHAT_PORT } },
    mail: {
      smtp: { listen: { host: '127.0.0.1', port: DEMO_SMTP_PORT }, recipients: [DEMO_MAILBOX] },
      relay: { host: '127.0.0.1', port: mailRelayPort, from: DEMO_MAILBOX },
    },
    log: { level: 'info' },
  };
  return validateConfig(applyOverrides(json, { modemDevice }), 'demo settings');
}

/** One console line for what the stand-in central office received. */
export function describeReceived(message: BrokerPublish): string {
  let payload: { schema?: string; seq?: number; state?: string; period?: { start?: string; end?: string }; cells?: (number | null)[]; withheld?: string | null };
  try {
    payload = JSON.parse(message.payload) as typeof payload;
  } catch {
    return `central office <- ${message.topic}: (not JSON, ${message.payload.length} bytes)`;
  }
  if (Array.isArray(payload.cells)) {
    const head = `central office <- ${message.topic} seq ${payload.seq} ${payload.period?.start ?? ''} .. ${payload.period?.end ?? ''}`;
    if (payload.withheld) return `${head}: withheld (${payload.withheld})`;
    const counted = payload.cells.reduce<number>((sum, count) => sum + (count ?? 0), 0);
    const nonZero = payload.cells.filter((count) => count !== null && count > 0).length;
    const suppressed = payload.cells.filter((count) => count === null).length;
    return `${head}: ${counted} contacts in ${nonZero} cells, ${suppressed} cells suppressed, ${payload.cells.length} cells in all`;
  }
  return `central office <- ${message.topic}${message.retain ? ' (retained)' : ''}: ${payload.state ?? payload.schema ?? 'message'}`;
}

export function describeContact(view: StationContactView): string {
  const count = view.recorded === false
    ? 'not recorded (intake stopped)'
    : !view.callerKnown
    ? 'number withheld'
    : view.priorContacts === 0
      ? 'first contact'
      : `${view.priorContacts} earlier contact${view.priorContacts === 1 ? '' : 's'}`;
  return `station  <- ${view.reference} ${view.state.padEnd(10)} ${count}`;
}

/** One console line for an LED of the demo's fake front panel. */
export function describeLed(led: LedName, mode: LedMode): string {
  return `panel    <- LED ${led.padEnd(8)} ${mode}`;
}

/**
 * A stand-in volunteer: a contact that nobody wrapped up on the page within 20 seconds is registered
 * with a random age band, topic and outcome, so the demo's statistics fill up on their own.
 */
export function autoWrapUp(
  view: StationContactView,
  wrapUp: (view: StationContactView, choice: { ageBand: string; topic: string; outcome: string }) => void,
): NodeJS.Timeout | undefined {
  if (view.state !== 'ended') return undefined;
  // Skewed towards the first entries, as real registrations are, so some cells pass the threshold.
  const pick = (items: readonly string[]): string => items[Math.floor((randomInt(1000) / 1000) ** 3 * items.length)] ?? items[0] ?? '';
  const timer = setTimeout(() => {
    wrapUp(view, { ageBand: pick(demoCategories.ageBands), topic: pick(demoCategories.topics), outcome: pick(demoCategories.outcomes) });
  }, DEMO_AUTO_WRAP_UP_MS);
  timer.unref();
  return timer;
}

/** Two coordinators (break-glass needs a second one) and a technician, to try the coordinator page. */
const DEMO_ACCOUNTS: readonly { readonly id: string; readonly role: Role }[] = [
  { id: 'coordinator-demo', role: 'coordinator' },
  { id: 'coordinator-demo-2', role: 'coordinator' },
  { id: 'technician-demo', role: 'technician' },
];

/**
 * The demo accounts with a fresh random password each start (the box keeps only scrypt hashes, so
 * a password from an earlier run cannot be shown again).
 */
export async function provisionDemoAccounts(accounts: AccountService): Promise<{ id: string; role: Role; password: string }[]> {
  const provisioned = [];
  for (const { id, role } of DEMO_ACCOUNTS) {
    const password = randomBytes(12).toString('base64url');
    const existing = accounts.getAccount(id);
    if (!existing) await accounts.createAccount(id, role, password);
    else {
      await accounts.setPassword(id, password);
      if (existing.disabledAt !== null) accounts.enable(id);
    }
    provisioned.push({ id, role, password });
  }
  return provisioned;
}
