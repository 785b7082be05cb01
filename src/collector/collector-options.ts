import { z } from 'zod';
import { GatewayError } from '../errors.js';

/** The `collector` command's flags as typed on the command line (all optional strings). */
export interface CollectorFlags {
  readonly broker?: string;
  readonly db?: string;
  readonly group?: string;
  readonly clientId?: string;
  readonly listen?: string;
  readonly sessionExpiryDays?: string;
  readonly timeZone?: string;
  readonly username?: string;
  readonly ca?: string;
  readonly cert?: string;
  readonly key?: string;
  readonly logLevel?: string;
}

export interface CollectorSettings {
  readonly brokerUrl: string;
  readonly databaseUrl: string;
  /** undefined: a plain subscription (this collector gets every message). */
  readonly group: string | undefined;
  readonly clientId: string;
  readonly listen: { readonly host: string; readonly port: number };
  readonly sessionExpirySeconds: number;
  readonly timeZone: string;
  readonly username: string | undefined;
  readonly tlsFiles: { readonly ca?: string; readonly cert?: string; readonly key?: string };
  readonly logLevel: string;
}

export const DEFAULT_LISTEN = { host: '127.0.0.1', port: 8090 } as const;
export const DEFAULT_SESSION_EXPIRY_DAYS = 30;

/** An MQTT client id and a shared subscription's group: no wildcard, no slash, nothing long. */
const NAME = /^[A-Za-z0-9._-]{1,64}$/;

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** "host:port", "[v6]:port" or ":port" (loopback). */
export function parseListen(text: string): { host: string; port: number } | undefined {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([A-Za-z0-9.-]*)):(\d{1,5})$/.exec(text);
  if (!match) return undefined;
  const port = Number(match[3]);
  if (port > 65_535) return undefined;
  return { host: match[1] ?? (match[2] === '' || match[2] === undefined ? DEFAULT_LISTEN.host : match[2]), port };
}

const schema = z.object({
  broker: z.string({ error: 'required: the broker, mqtt://host:1883 or mqtts://host:8883' }).regex(/^(mqtt|mqtts|ws|wss):\/\/[^\s]+$/, 'an mqtt://, mqtts://, ws:// or wss:// URL'),
  db: z.string({ error: 'required: postgres://user@host:5432/database' }).regex(/^postgres(ql)?:\/\/[^\s]+$/, 'a postgres:// URL (put the password in PGPASSWORD, not on the command line)'),
  group: z.string().regex(NAME, '1-64 of A-Z a-z 0-9 . _ -').optional(),
  clientId: z.string().regex(NAME, '1-64 of A-Z a-z 0-9 . _ -'),
  listen: z.string().optional().refine((text) => text === undefined || parseListen(text) !== undefined, 'host:port, [v6 address]:port or :port'),
  sessionExpiryDays: z.string().regex(/^\d{1,3}$/, 'whole days, 1-365').refine((text) => Number(text) >= 1 && Number(text) <= 365, 'whole days, 1-365').optional(),
  timeZone: z.string().refine(isTimeZone, 'an IANA time zone, e.g. Europe/Amsterdam').optional(),
  username: z.string().min(1).max(256).optional(),
  ca: z.string().min(1).optional(),
  cert: z.string().min(1).optional(),
  key: z.string().min(1).optional(),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).optional(),
});

const FLAG_NAMES: Readonly<Record<string, string>> = {
  broker: '--broker', db: '--db', group: '--group', clientId: '--client-id', listen: '--listen', sessionExpiryDays: '--session-expiry-days',
  timeZone: '--time-zone', username: '--username', ca: '--ca', cert: '--cert', key: '--key', logLevel: '--log-level',
};

/**
 * Checks every flag at once; HGW_COLLECTOR_OPTIONS names each bad one. `defaultClientId` is used
 * when --client-id is not given (the command line passes one made from the host name).
 */
export function parseCollectorFlags(flags: CollectorFlags, defaultClientId: string): CollectorSettings {
  const result = schema.safeParse({ ...flags, clientId: flags.clientId ?? defaultClientId });
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${FLAG_NAMES[String(issue.path[0])] ?? String(issue.path[0])}: ${issue.message}`);
    throw new GatewayError('HGW_COLLECTOR_OPTIONS', problems.join('; '));
  }
  const value = result.data;
  if ((value.cert === undefined) !== (value.key === undefined)) throw new GatewayError('HGW_COLLECTOR_OPTIONS', '--cert and --key go together (a client certificate and its key)');
  return {
    brokerUrl: value.broker,
    databaseUrl: value.db,
    group: value.group,
    clientId: value.clientId,
    listen: value.listen === undefined ? { ...DEFAULT_LISTEN } : (parseListen(value.listen) ?? { ...DEFAULT_LISTEN }),
    sessionExpirySeconds: Number(value.sessionExpiryDays ?? DEFAULT_SESSION_EXPIRY_DAYS) * 86_400,
    timeZone: value.timeZone ?? 'Europe/Amsterdam',
    username: value.username,
    tlsFiles: { ...(value.ca ? { ca: value.ca } : {}), ...(value.cert ? { cert: value.cert } : {}), ...(value.key ? { key: value.key } : {}) },
    logLevel: value.logLevel ?? 'info',
  };
}
