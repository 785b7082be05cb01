import { parseArgs } from 'node:util';
import type { AccountsCommand } from './accounts.js';
import { recipientProblem } from '../research/recipient.js';
import type { LocalDate } from '../time/local-date-time.js';
import type { CollectorFlags } from '../collector/index.js';
import { parseUpdateArguments, UPDATE_USAGE, UpdateUsageError, type UpdateCommand } from './update-arguments.js';

export type CliCommand =
  | { readonly command: 'run'; readonly config: string; readonly dataDir?: string; readonly modem?: string }
  | { readonly command: 'demo'; readonly dataDir?: string; readonly modem?: string }
  | { readonly command: 'doctor'; readonly config: string; readonly dataDir?: string }
  | { readonly command: 'keys-status'; readonly config: string; readonly dataDir?: string }
  | { readonly command: 'keys-init'; readonly config: string; readonly dataDir?: string }
  | { readonly command: 'config-check'; readonly config: string }
  | { readonly command: 'upstream-check'; readonly config: string }
  | { readonly command: 'audit-verify'; readonly config: string; readonly dataDir?: string }
  | { readonly command: 'retention-status'; readonly config: string; readonly dataDir?: string }
  | { readonly command: 'retention-run'; readonly config: string; readonly dataDir?: string; readonly dryRun: boolean }
  | ({ readonly command: 'accounts'; readonly config: string; readonly dataDir?: string } & AccountsCommand)
  | { readonly command: 'redact' }
  | { readonly command: 'export-research'; readonly config: string; readonly dataDir?: string; readonly from: LocalDate; readonly to: LocalDate; readonly out: string; readonly recipient: string }
  | { readonly command: 'report-annual'; readonly config: string; readonly dataDir?: string; readonly year: number; readonly out: string }
  | { readonly command: 'collector'; readonly flags: CollectorFlags }
  | ({ readonly command: 'update' } & UpdateCommand)
  | { readonly command: 'help' };

export const USAGE = `usage: helpline-gateway <command> [options]

commands:
  run --config FILE [--data-dir DIR] [--modem DEVICE]   run the gateway
  demo [--data-dir DIR] [--modem DEVICE]                simulated line, embedded broker, station page
  doctor --config FILE [--data-dir DIR]                 check config, keyring, database, modem
  keys status --config FILE [--data-dir DIR]            key epochs and ages (never key material)
  keys init --config FILE [--data-dir DIR]              make the keyring if there is none (the installer runs it)
  config check --config FILE                            validate the config file, one line either way
  upstream check --config FILE                          connect to the central office's broker once (enrolment)
  audit verify --config FILE [--data-dir DIR]           check the audit log's hash chain
  retention status --config FILE [--data-dir DIR]       per data class the oldest item and the next deadline
  retention run --config FILE [--dry-run]               destroy what is due now (the service does this itself)
  accounts list --config FILE                           local accounts and their roles
  accounts add ID --role ROLE --config FILE             new account (password read from standard input)
  accounts password|disable|enable ID --config FILE     change an account (stop the service first)
  redact                                                text on stdin, personal details replaced by [TYPE], to stdout
  export research --from DATE --to DATE --out FILE --recipient WHO --config FILE
                                                        k-anonymous research data set (CSV) of the registrations
  report annual --year YYYY [--out DIR] --config FILE   annual report (HTML and JSON) from the published statistics
  collector --broker URL --db URL [--group NAME] [--listen HOST:PORT] [--client-id ID]
            [--session-expiry-days N] [--time-zone ZONE] [--username NAME] [--ca FILE]
            [--cert FILE --key FILE] [--log-level LEVEL]
                                                        the central office: store every site's messages in PostgreSQL, dashboard
${UPDATE_USAGE}
  help                                                  this text`;

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Parses argv (without node and the script); a bad command line is a UsageError naming the problem. */
export function parseCommandLine(argv: readonly string[]): CliCommand {
  if (argv[0] === 'update') {
    try {
      return { command: 'update', ...parseUpdateArguments(argv.slice(1)) };
    } catch (error) {
      throw error instanceof UpdateUsageError ? new UsageError(error.message) : error;
    }
  }
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        config: { type: 'string' },
        'data-dir': { type: 'string' },
        modem: { type: 'string' },
        'dry-run': { type: 'boolean' },
        role: { type: 'string' },
        from: { type: 'string' },
        to: { type: 'string' },
        out: { type: 'string' },
        recipient: { type: 'string' },
        year: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        broker: { type: 'string' },
        db: { type: 'string' },
        group: { type: 'string' },
        'client-id': { type: 'string' },
        listen: { type: 'string' },
        'session-expiry-days': { type: 'string' },
        'time-zone': { type: 'string' },
        username: { type: 'string' },
        ca: { type: 'string' },
        cert: { type: 'string' },
        key: { type: 'string' },
        'log-level': { type: 'string' },
      },
    });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const { positionals, values } = parsed;
  const [command, subcommand, ...extra] = positionals;
  const dataDir = values['data-dir'];
  const needConfig = (name: string): string => {
    if (!values.config) throw new UsageError(`${name} needs --config FILE`);
    return values.config;
  };
  if (values.help || command === undefined || command === 'help') return { command: 'help' };
  const expectNoMore = (allowed: number): void => {
    const rest = positionals.slice(allowed);
    if (rest.length > 0) throw new UsageError(`unexpected argument: ${rest.join(' ')}`);
  };
  switch (command) {
    case 'run':
      expectNoMore(1);
      return { command: 'run', config: needConfig('run'), dataDir, modem: values.modem };
    case 'demo':
      expectNoMore(1);
      if (values.config) throw new UsageError('demo takes no --config: it writes its own demo settings');
      return { command: 'demo', dataDir, modem: values.modem };
    case 'doctor':
      expectNoMore(1);
      return { command: 'doctor', config: needConfig('doctor'), dataDir };
    case 'keys':
      if (subcommand !== 'status' && subcommand !== 'init') throw new UsageError(`unknown keys subcommand: ${subcommand ?? '(none)'}; try: keys status, keys init`);
      if (extra.length > 0) throw new UsageError(`unexpected argument: ${extra.join(' ')}`);
      return { command: subcommand === 'init' ? 'keys-init' : 'keys-status', config: needConfig(`keys ${subcommand}`), dataDir };
    case 'config':
      if (subcommand !== 'check') throw new UsageError(`unknown config subcommand: ${subcommand ?? '(none)'}; try: config check`);
      if (extra.length > 0) throw new UsageError(`unexpected argument: ${extra.join(' ')}`);
      return { command: 'config-check', config: needConfig('config check') };
    case 'upstream':
      if (subcommand !== 'check') throw new UsageError(`unknown upstream subcommand: ${subcommand ?? '(none)'}; try: upstream check`);
      if (extra.length > 0) throw new UsageError(`unexpected argument: ${extra.join(' ')}`);
      return { command: 'upstream-check', config: needConfig('upstream check') };
    case 'retention':
      if (extra.length > 0) throw new UsageError(`unexpected argument: ${extra.join(' ')}`);
      if (subcommand === 'status') return { command: 'retention-status', config: needConfig('retention status'), dataDir };
      if (subcommand === 'run') return { command: 'retention-run', config: needConfig('retention run'), dataDir, dryRun: values['dry-run'] === true };
      throw new UsageError(`unknown retention subcommand: ${subcommand ?? '(none)'}; try: retention status, retention run [--dry-run]`);
    case 'audit':
      if (subcommand !== 'verify') throw new UsageError(`unknown audit subcommand: ${subcommand ?? '(none)'}; try: audit verify`);
      if (extra.length > 0) throw new UsageError(`unexpected argument: ${extra.join(' ')}`);
      return { command: 'audit-verify', config: needConfig('audit verify'), dataDir };
    case 'redact':
      expectNoMore(1);
      return { command: 'redact' };
    case 'collector':
      expectNoMore(1);
      return {
        command: 'collector',
        flags: {
          broker: values.broker, db: values.db, group: values.group, clientId: values['client-id'], listen: values.listen,
          sessionExpiryDays: values['session-expiry-days'], timeZone: values['time-zone'], username: values.username,
          ca: values.ca, cert: values.cert, key: values.key, logLevel: values['log-level'],
        },
      };
    case 'accounts':
      return { command: 'accounts', config: needConfig('accounts'), dataDir, ...accountsAction(subcommand, extra, values.role) };
    case 'export': {
      if (subcommand !== 'research') throw new UsageError(`unknown export subcommand: ${subcommand ?? '(none)'}; try: export research`);
      if (extra.length > 0) throw new UsageError(`unexpected argument: ${extra.join(' ')}`);
      const from = calendarDate('--from', values.from);
      const to = calendarDate('--to', values.to);
      if (compareDates(from, to) > 0) throw new UsageError('--from must not be after --to');
      if (!values.out) throw new UsageError('export research needs --out FILE');
      if (values.recipient === undefined) throw new UsageError('export research needs --recipient "<organisation and person receiving it>"');
      const problem = recipientProblem(values.recipient);
      if (problem) throw new UsageError(problem);
      return { command: 'export-research', config: needConfig('export research'), dataDir, from, to, out: values.out, recipient: values.recipient.trim() };
    }
    case 'report': {
      if (subcommand !== 'annual') throw new UsageError(`unknown report subcommand: ${subcommand ?? '(none)'}; try: report annual`);
      if (extra.length > 0) throw new UsageError(`unexpected argument: ${extra.join(' ')}`);
      if (values.year === undefined || !/^\d{4}$/.test(values.year) || Number(values.year) < 2000) throw new UsageError('report annual needs --year YYYY (2000 or later)');
      return { command: 'report-annual', config: needConfig('report annual'), dataDir, year: Number(values.year), out: values.out ?? '.' };
    }
    default:
      throw new UsageError(`unknown command: ${command}; commands: run, demo, doctor, keys status, audit verify, retention status, retention run, accounts, redact, export research, report annual, collector, update, keys init, config check, upstream check, help`);
  }
}

function accountsAction(subcommand: string | undefined, rest: readonly string[], role: string | undefined): AccountsCommand {
  const [id, ...extra] = rest;
  if (extra.length > 0) throw new UsageError(`unexpected argument: ${extra.join(' ')}`);
  switch (subcommand) {
    case 'list':
      if (id !== undefined) throw new UsageError(`unexpected argument: ${id}`);
      return { action: 'list' };
    case 'add':
      if (id === undefined) throw new UsageError('accounts add needs an account id');
      if (role === undefined) throw new UsageError('accounts add needs --role volunteer|supervisor|coordinator|technician');
      return { action: 'add', id, role };
    case 'password':
    case 'disable':
    case 'enable':
      if (id === undefined) throw new UsageError(`accounts ${subcommand} needs an account id`);
      return { action: subcommand, id };
    default:
      throw new UsageError(`unknown accounts subcommand: ${subcommand ?? '(none)'}; try: accounts list, add, password, disable, enable`);
  }
}

/** A real calendar date written YYYY-MM-DD. */
function calendarDate(option: string, text: string | undefined): LocalDate {
  const match = text === undefined ? null : /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!match) throw new UsageError(`${option} needs a date written YYYY-MM-DD`);
  const date = { year: Number(match[1]), month: Number(match[2]), day: Number(match[3]) };
  const check = new Date(Date.UTC(date.year, date.month - 1, date.day));
  if (check.getUTCFullYear() !== date.year || check.getUTCMonth() !== date.month - 1 || check.getUTCDate() !== date.day) throw new UsageError(`${option}: ${text} is not a date`);
  return date;
}

function compareDates(a: LocalDate, b: LocalDate): number {
  return a.year - b.year || a.month - b.month || a.day - b.day;
}
