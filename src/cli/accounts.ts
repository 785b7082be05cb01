import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { AccountService, isRole, ROLES, type AccountSummary, type Role } from '../accounts/index.js';
import { AuditLog } from '../audit/audit-log.js';
import { loadConfigFile } from '../config/load-config.js';
import { GatewayError } from '../errors.js';
import { silentLogger } from '../log/logger.js';
import { DATABASE_FILE, systemClock } from '../main.js';
import { GatewayDatabase } from '../store/open-database.js';

export type AccountsCommand =
  | { readonly action: 'add'; readonly id: string; readonly role: string }
  | { readonly action: 'password' | 'disable' | 'enable'; readonly id: string }
  | { readonly action: 'list' };

/** Reads the password: the first line of standard input, without echo when it is a terminal. */
export type PasswordSource = (prompt: string) => Promise<string>;

function describeAccount(account: AccountSummary): string {
  const state = account.disabledAt === null ? 'active' : `disabled ${new Date(account.disabledAt).toISOString()}`;
  return `${account.id.padEnd(24)} ${account.role.padEnd(12)} created ${new Date(account.createdAt).toISOString()}  ${state}`;
}

function roleOf(text: string): Role {
  if (!isRole(text)) throw new GatewayError('HGW_ACCOUNT_INVALID_ROLE', `--role must be one of ${ROLES.join(', ')}`);
  return text;
}

/**
 * `accounts add|password|disable|enable|list`: how the first coordinator gets an account, and how
 * a site recovers one, from a shell on the box. The database is the service's: stop it first
 * (the single-instance guard refuses otherwise). Every change lands in the audit log as done by
 * the command line.
 */
export async function accountsCommand(
  command: { readonly config: string; readonly dataDir?: string } & AccountsCommand,
  readPassword: PasswordSource,
  say: (line: string) => void,
): Promise<number> {
  const config = loadConfigFile(command.config, { dataDir: command.dataDir });
  // The first coordinator is usually added before the service ever ran.
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const database = GatewayDatabase.open({ path: join(config.dataDir, DATABASE_FILE), logger: silentLogger() });
  try {
    const accounts = new AccountService({ database, clock: systemClock, audit: new AuditLog({ database, clock: systemClock }) });
    switch (command.action) {
      case 'list': {
        const all = accounts.listAccounts();
        if (all.length === 0) say('no accounts yet; add a coordinator: helpline-gateway accounts add ID --role coordinator --config FILE');
        for (const account of all) say(describeAccount(account));
        return 0;
      }
      case 'add': {
        const role = roleOf(command.role);
        const password = await readPassword(`password for ${command.id}: `);
        say(`created ${describeAccount(await accounts.createAccount(command.id, role, password))}`);
        return 0;
      }
      case 'password': {
        if (!accounts.getAccount(command.id)) throw new GatewayError('HGW_ACCOUNT_UNKNOWN', 'no account with this id');
        await accounts.setPassword(command.id, await readPassword(`new password for ${command.id}: `));
        say(`password of ${command.id} changed; its sessions ended`);
        return 0;
      }
      case 'disable':
        say(`disabled ${describeAccount(accounts.disable(command.id))}`);
        return 0;
      case 'enable':
        say(`enabled ${describeAccount(accounts.enable(command.id))}`);
        return 0;
    }
  } finally {
    database.close();
  }
}
