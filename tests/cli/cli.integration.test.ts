import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Keyring } from '../../src/privacy/keyring.js';
import { ManualClock } from '../../src/time/clock.js';
import { asMonthEpoch } from '../../src/time/month-epoch.js';
import { GatewayDatabase } from '../../src/store/open-database.js';
import { silentLogger } from '../../src/log/logger.js';

const ROOT = join(import.meta.dirname, '..', '..');
const CLI = join(ROOT, 'src', 'cli', 'helpline-gateway.ts');
const example = JSON.parse(readFileSync(join(ROOT, 'docs', 'config.example.json'), 'utf8')) as Record<string, unknown>;

function cliWithInput(input: string, ...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, ['--import', 'tsx', CLI, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000, input });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function cli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  return cliWithInput('', ...args);
}

let directory: string;
let configPath: string;

beforeAll(() => {
  directory = mkdtempSync(join(tmpdir(), 'hgw-cli-'));
  configPath = join(directory, 'config.json');
  writeFileSync(configPath, JSON.stringify({ ...example, dataDir: join(directory, 'data'), keyringDir: undefined, line: { kind: 'simulated' } }));
});

afterAll(() => rmSync(directory, { recursive: true, force: true }));

describe('the helpline-gateway command', { timeout: 120_000 }, () => {
  it('prints usage and exits 2 for an unknown command', () => {
    const result = cli('frobnicate');
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/unknown command: frobnicate/);
  });

  it('stops on a broken config with one line naming the key', () => {
    const broken = join(directory, 'broken.json');
    writeFileSync(broken, JSON.stringify({ ...example, upstream: { url: 'http://nope' } }));
    const result = cli('run', '--config', broken);
    expect(result.status).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/^helpline-gateway: HGW_CONFIG_INVALID: .*upstream\.url: an mqtt:\/\/, mqtts:\/\//);
  });

  it('doctor reports a fresh box without creating anything, then checks keyring, pragmas and integrity', () => {
    const fresh = cli('doctor', '--config', configPath);
    expect(fresh.stdout).toMatch(/^ok   config/m);
    expect(fresh.stdout).toMatch(/^warn keyring .*created at first run/m);
    expect(fresh.status).toBe(0);
    expect(() => readdirSync(join(directory, 'data'))).toThrow();

    const clock = new ManualClock(new Date('2026-11-25T10:00:00Z'));
    const keyring = Keyring.open({ directory: join(directory, 'data', 'keyring'), clock });
    keyring.ensureLinkKey(asMonthEpoch('2026-11'));
    keyring.close();
    GatewayDatabase.open({ path: join(directory, 'data', 'gateway.db'), logger: silentLogger() }).close();

    const provisioned = cli('doctor', '--config', configPath);
    expect(provisioned.status).toBe(0);
    expect(provisioned.stdout).toMatch(/^ok   keyring .*mode 600/m);
    expect(provisioned.stdout).toMatch(/^ok   pragmas .*locking_mode=exclusive.*secure_delete=1/im);
    expect(provisioned.stdout).toMatch(/^ok   integrity integrity_check: ok/m);
  });

  it('keys status shows epochs and ages and never key material', () => {
    const result = cli('keys', 'status', '--config', configPath);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/link keys\s+live: 2026-11/);
    const keyring = readFileSync(join(directory, 'data', 'keyring', 'keyring.json'), 'utf8');
    const wrapped = [...keyring.matchAll(/"([A-Za-z0-9+/=_-]{40,})"/g)].map((match) => match[1] ?? '');
    expect(wrapped.length).toBeGreaterThan(0);
    for (const text of wrapped) expect(result.stdout).not.toContain(text.slice(0, 16));
    expect(result.stdout).not.toMatch(/[0-9a-f]{32}/i);
  });

  it('doctor fails a modem that does not exist, in one line', () => {
    const modemConfig = join(directory, 'modem.json');
    writeFileSync(modemConfig, JSON.stringify({ ...example, dataDir: join(directory, 'data'), keyringDir: undefined, line: { kind: 'modem', device: join(directory, 'no-such-modem') } }));
    const result = cli('doctor', '--config', modemConfig);
    expect(result.status).toBe(1);
    expect(result.stdout).toMatch(/^FAIL modem .*no-such-modem: cannot open/m);
  });
});

describe('helpline-gateway audit verify', { timeout: 120_000 }, () => {
  it('says the log is intact, and fails in one line once an entry was edited in the database', async () => {
    const { AuditLog } = await import('../../src/audit/index.js');
    const path = join(directory, 'data', 'gateway.db');
    const database = GatewayDatabase.open({ path, logger: silentLogger() });
    const log = new AuditLog({ database, clock: new ManualClock(new Date('2026-11-25T10:00:00Z')) });
    for (let i = 0; i < 3; i++) log.append({ actorRole: 'system', actorId: 'retention', action: 'retention.run', details: { rows: 10 + i } });
    database.close();
    const intact = cli('audit', 'verify', '--config', configPath);
    expect(intact.status).toBe(0);
    expect(intact.stdout).toMatch(/audit log intact: 3 entries/);

    const tampered = GatewayDatabase.open({ path, logger: silentLogger() });
    tampered.run(`UPDATE audit_log SET details = '{"rows":99}' WHERE seq = 2`);
    tampered.close();
    const broken = cli('audit', 'verify', '--config', configPath);
    expect(broken.status).toBe(1);
    expect(broken.stdout.trim().split('\n')).toHaveLength(1);
    expect(broken.stdout).toMatch(/broken at entry #2/);
  });
});

describe('helpline-gateway retention', { timeout: 120_000 }, () => {
  it('shows the oldest item and the next deadline, lists what is due, destroys it and audits it', async () => {
    const { ContactDesk } = await import('../../src/contacts/contact-desk.js');
    const { PriorContactCounter } = await import('../../src/contacts/prior-contact-counter.js');
    const { ContactsRepository } = await import('../../src/store/contacts-repository.js');
    const { RegistrationsRepository } = await import('../../src/store/registrations-repository.js');
    const { createPseudonymizer } = await import('../../src/privacy/pseudonym.js');
    const { createVault } = await import('../../src/privacy/vault.js');
    const { normalizePhoneNumber } = await import('../../src/privacy/normalize.js');
    const dataDir = join(directory, 'retention-data');
    // A contact from a year ago: its month left the 6-month window long since.
    const clock = new ManualClock(new Date(Date.now() - 365 * 24 * 3_600_000));
    const keyring = Keyring.open({ directory: join(dataDir, 'keyring'), clock });
    const database = GatewayDatabase.open({ path: join(dataDir, 'gateway.db'), logger: silentLogger() });
    const contacts = new ContactsRepository(database);
    const desk = new ContactDesk({
      database,
      contacts,
      registrations: new RegistrationsRepository(database),
      pseudonymizer: createPseudonymizer(keyring),
      vault: createVault(keyring),
      clock,
      timeZone: 'Europe/Amsterdam',
      linkageMonths: 6,
      categories: { ageBands: ['12-14'], topics: ['school'], outcomes: ['conversation'] },
      priorContacts: PriorContactCounter.load(contacts),
      logger: silentLogger(),
    });
    const number = normalizePhoneNumber('0612345678', 'NL');
    if (number.kind !== 'number') throw new Error('expected a number');
    desk.offerCall({ lineCallId: 'old-call', caller: { kind: 'number', number: number.number }, offeredAt: clock.now() });
    database.close();
    keyring.close();

    const status = cli('retention', 'status', '--config', configPath, '--data-dir', dataDir);
    expect(status.status).toBe(0);
    expect(status.stdout).toMatch(/phone-linkage/);
    expect(status.stdout).toMatch(/overdue/i);

    const dryRun = cli('retention', 'run', '--dry-run', '--config', configPath, '--data-dir', dataDir);
    expect(dryRun.stdout).toMatch(/^phone-linkage: items before .* are due; keys of \d{4}-\d{2} to destroy$/m);

    const run = cli('retention', 'run', '--config', configPath, '--data-dir', dataDir);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/unlinked 1 contacts; destroyed 1 sealed numbers, 0 chat addresses, 0 mail addresses; deleted 0 transcript lines/);
    expect(run.stdout).toMatch(/^keys destroyed: link \d{4}-\d{2}, phone-number \d{4}-\d{2}$/m);
    expect(cli('retention', 'run', '--dry-run', '--config', configPath, '--data-dir', dataDir).stdout).toMatch(/nothing is due/);
    expect(cli('audit', 'verify', '--config', configPath, '--data-dir', dataDir).stdout).toMatch(/audit log intact: 3 entries/);
  });
});

describe('helpline-gateway accounts', { timeout: 120_000 }, () => {
  it('adds the first coordinator with the password from standard input, lists, disables, and audits it', () => {
    const dataDir = join(directory, 'accounts-data');
    const empty = cli('accounts', 'list', '--config', configPath, '--data-dir', dataDir);
    expect(empty.status).toBe(0);
    expect(empty.stdout).toMatch(/no accounts yet/);

    const password = 'een lange zin als wachtwoord 7';
    const added = cliWithInput(`${password}\n`, 'accounts', 'add', 'coordinator-anne', '--role', 'coordinator', '--config', configPath, '--data-dir', dataDir);
    expect(added.stderr).toBe('');
    expect(added.status).toBe(0);
    expect(added.stdout).toMatch(/^created coordinator-anne\s+coordinator/m);

    const weak = cliWithInput('kort\n', 'accounts', 'add', 'volunteer-bo', '--role', 'volunteer', '--config', configPath, '--data-dir', dataDir);
    expect(weak.status).toBe(1);
    expect(weak.stderr).toMatch(/^helpline-gateway: HGW_ACCOUNT_WEAK_PASSWORD: /);
    expect(weak.stderr).not.toMatch(/kort/);

    const badRole = cli('accounts', 'add', 'x-y', '--role', 'admin', '--config', configPath, '--data-dir', dataDir);
    expect(badRole.stderr).toMatch(/HGW_ACCOUNT_INVALID_ROLE/);

    expect(cli('accounts', 'disable', 'coordinator-anne', '--config', configPath, '--data-dir', dataDir).stdout).toMatch(/^disabled coordinator-anne .* disabled \d{4}-/m);
    expect(cli('accounts', 'list', '--config', configPath, '--data-dir', dataDir).stdout).toMatch(/coordinator-anne\s+coordinator .* disabled/);
    const database = GatewayDatabase.open({ path: join(dataDir, 'gateway.db'), logger: silentLogger() });
    try {
      const actions = database.all<{ action: string; actor_id: string }>('SELECT action, actor_id FROM audit_log ORDER BY seq');
      expect(actions).toEqual([
        { action: 'account.created', actor_id: 'command-line' },
        { action: 'account.disabled', actor_id: 'command-line' },
      ]);
      expect(readFileSync(join(dataDir, 'gateway.db')).includes(Buffer.from(password))).toBe(false);
    } finally {
      database.close();
    }
  });

  it('says what is missing from an accounts command line', () => {
    expect(cli('accounts', 'add', 'someone', '--config', configPath).stderr).toMatch(/accounts add needs --role/);
    expect(cli('accounts', 'frobnicate', '--config', configPath).stderr).toMatch(/unknown accounts subcommand: frobnicate/);
  });
});
