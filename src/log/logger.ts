import { pino, type Logger as PinoLogger, type DestinationStream } from 'pino';
import { scrubIdentifiers } from './scrub.js';

export type Logger = PinoLogger;

/** Field names that could hold an identifier anywhere in a log object. */
const REDACTED_FIELDS = [
  'number', 'phone', 'phoneNumber', 'caller', 'callerId', 'nmbr', 'ip', 'ipAddress', 'remoteAddress',
  'email', 'mail', 'address', 'line', 'raw', 'text', 'headers.authorization', 'authorization', 'token',
];

export interface LoggerOptions {
  level?: string;
  destination?: DestinationStream;
}

/** Deeper than this a log object is not walked, and so not written: an unscrubbed value went out there (fuzzing). */
const MAX_LOGGED_DEPTH = 5;

function scrubValue(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return scrubIdentifiers(value);
  if (value === null || typeof value !== 'object') return value;
  if (depth >= MAX_LOGGED_DEPTH) return '[nested too deep to log]';
  if (Array.isArray(value)) return value.map((item) => scrubValue(item, depth + 1));
  // Keys too: an object keyed by what came off a wire (a header name, a payload's key) is logged as it is.
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [scrubIdentifiers(key), scrubValue(item, depth + 1)]));
}

/** JSON-line logs; callers take a child with `{ component }`. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const paths = REDACTED_FIELDS.flatMap((field) => [field, `*.${field}`]);
  return pino(
    {
      level: options.level ?? 'info',
      base: undefined,
      redact: { paths, censor: '[redacted]' },
      formatters: {
        log: (object) => scrubValue(object, 0) as Record<string, unknown>,
      },
      hooks: {
        logMethod(args, method) {
          method.apply(this, args.map((arg) => (typeof arg === 'string' ? scrubIdentifiers(arg) : arg)) as Parameters<typeof method>);
        },
      },
    },
    options.destination ?? pino.destination({ fd: 1, sync: true }),
  );
}

/** A logger that drops everything, for tests that do not look at logs. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
