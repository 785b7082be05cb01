import { afterEach, describe, expect, it } from 'vitest';
import { AuditLog, verifyAuditLog } from '../../src/audit/index.js';
import { AccountService } from '../../src/accounts/index.js';
import { FAST_SCRYPT, openAccountFixture, type AccountFixture } from './account-fixture.js';

const PASSWORD = 'lange zin met spaties 42';
const HERE = { remoteKey: 'remote-key-1' };
const COORDINATOR = { accountId: 'coordinator-anne', role: 'coordinator' } as const;

let fixture: AccountFixture | undefined;

afterEach(() => {
  fixture?.close();
  fixture = undefined;
});

function withAudit(): { fixture: AccountFixture; accounts: AccountService; audit: AuditLog } {
  fixture = openAccountFixture();
  const audit = new AuditLog({ database: fixture.database, clock: fixture.clock });
  const accounts = new AccountService({ database: fixture.database, clock: fixture.clock, scryptParameters: FAST_SCRYPT, audit });
  return { fixture, accounts, audit };
}

describe('accounts in the audit log', () => {
  it('records who created, re-roled, disabled and enabled an account, and every login and logout', async () => {
    const { fixture: f, accounts, audit } = withAudit();
    await accounts.createAccount('volunteer-bo', 'volunteer', PASSWORD, COORDINATOR);
    const login = await accounts.login('volunteer-bo', PASSWORD, HERE);
    if (!login.ok) throw new Error('login refused');
    await accounts.login('volunteer-bo', 'wrong password entirely', HERE);
    accounts.logout(login.session.token);
    accounts.changeRole('volunteer-bo', 'supervisor', COORDINATOR);
    accounts.disable('volunteer-bo', COORDINATOR);
    await accounts.login('volunteer-bo', PASSWORD, HERE);
    accounts.enable('volunteer-bo');
    expect(audit.entries().map((entry) => [entry.actorRole, entry.actorId, entry.action, entry.target, entry.details])).toEqual([
      ['coordinator', 'account:coordinator-anne', 'account.created', 'account:volunteer-bo', { role: 'volunteer' }],
      ['volunteer', 'account:volunteer-bo', 'login.succeeded', null, {}],
      ['volunteer', 'account:volunteer-bo', 'login.failed', null, { reason: 'invalid' }],
      ['volunteer', 'account:volunteer-bo', 'logout', null, {}],
      ['coordinator', 'account:coordinator-anne', 'account.role-changed', 'account:volunteer-bo', { from: 'volunteer', to: 'supervisor' }],
      ['coordinator', 'account:coordinator-anne', 'account.disabled', 'account:volunteer-bo', { sessionsEnded: 0 }],
      ['supervisor', 'account:volunteer-bo', 'login.failed', null, { reason: 'disabled' }],
      ['system', 'command-line', 'account.enabled', 'account:volunteer-bo', {}],
    ]);
    expect(verifyAuditLog(f.database).ok).toBe(true);
  });

  it('records a login under an unknown id without the id typed: it may have been a phone number or a password', async () => {
    const { accounts, audit } = withAudit();
    await accounts.login('0612345678', PASSWORD, HERE);
    await accounts.login('mijn geheime wachtwoord', PASSWORD, HERE);
    const entries = audit.entries();
    expect(entries.map((entry) => [entry.actorId, entry.action, entry.details])).toEqual([
      ['login', 'login.failed', { reason: 'invalid', accountKnown: false }],
      ['login', 'login.failed', { reason: 'invalid', accountKnown: false }],
    ]);
    expect(JSON.stringify(entries)).not.toMatch(/612345678|geheime/);
  });
});
