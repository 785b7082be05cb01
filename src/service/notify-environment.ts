import { GatewayError } from '../errors.js';

/** Where systemd listens for sd_notify datagrams: a socket file, or a name in the abstract namespace. */
export type NotifySocketAddress =
  | { readonly kind: 'path'; readonly path: string }
  | { readonly kind: 'abstract'; readonly name: string };

/** What systemd told this process through its environment (systemd.exec(5), sd_notify(3)). */
export interface NotifySettings {
  readonly socket: NotifySocketAddress;
  /** Half of WATCHDOG_USEC, as sd_watchdog_enabled(3) advises; undefined when the unit has no WatchdogSec. */
  readonly watchdogIntervalMs: number | undefined;
}

/**
 * Characters a socket address may hold: enough for /run/systemd/notify, a test's temporary path and
 * systemd's abstract names, and nothing socat would read as an address separator or option.
 */
const SAFE_ADDRESS = /^[A-Za-z0-9/._@+-]+$/;

/**
 * The supervisor's settings, or undefined when the process does not run under a Type=notify unit
 * (no NOTIFY_SOCKET: started by hand, by the demo, by a test). WATCHDOG_PID names the process the
 * watchdog is meant for; a child that inherited the variables is not it.
 */
export function notifySettingsFromEnvironment(environment: NodeJS.ProcessEnv, pid: number): NotifySettings | undefined {
  const socket = environment.NOTIFY_SOCKET;
  if (socket === undefined || socket === '') return undefined;
  if (!SAFE_ADDRESS.test(socket) || socket.length > 107) {
    throw new GatewayError('HGW_SERVICE_NOTIFY', 'NOTIFY_SOCKET is not a socket path or abstract name this box can use (letters, digits, / . _ @ + - only, at most 107 characters)');
  }
  const address: NotifySocketAddress = socket.startsWith('@') ? { kind: 'abstract', name: socket.slice(1) } : { kind: 'path', path: socket };
  if (address.kind === 'path' && !address.path.startsWith('/')) {
    throw new GatewayError('HGW_SERVICE_NOTIFY', 'NOTIFY_SOCKET must be an absolute path or start with @ (an abstract socket name)');
  }
  return { socket: address, watchdogIntervalMs: watchdogInterval(environment, pid) };
}

function watchdogInterval(environment: NodeJS.ProcessEnv, pid: number): number | undefined {
  const usecText = environment.WATCHDOG_USEC;
  if (usecText === undefined || usecText === '') return undefined;
  const watchdogPid = environment.WATCHDOG_PID;
  if (watchdogPid !== undefined && watchdogPid !== '' && Number(watchdogPid) !== pid) return undefined;
  const usec = Number(usecText);
  if (!Number.isSafeInteger(usec) || usec <= 0) {
    throw new GatewayError('HGW_SERVICE_NOTIFY', 'WATCHDOG_USEC is not a positive whole number of microseconds');
  }
  return Math.max(1, Math.floor(usec / 2000));
}
