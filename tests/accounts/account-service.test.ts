import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  AccountService,
  isAccountError,
  LOGIN_REFUSAL_MESSAGES,
  parsePasswordHash,
  type LoginFailureBurst,
  type LoginResult,
} from '../../src/accounts/index.js';
import { silentLogger } from '../../src/log/index.js';
import { thrownBy } from '../support/thrown-by.js';
import { openAccountFixture, FAST_SCRYPT, MINUTE, START, type AccountFixture } from './account-fixture.js';

const PASSWORD = 'lange zin met spaties 42';
const HERE = { remoteKey: 'remote-key-1' };

let fixture: AccountFixture;

beforeEach(() => {
  fixture = openAccountFixture();
});

afterEach(() => {
  fixture.close();
});

function issuedOrThrow(result: LoginResult): Extract<LoginResult, { ok: true }> {
  if (!result.ok) throw new Error(`expected a login, got ${result.reason}`);
  return result;
}

async function refusalOf(action: Promise<unknown>): Promise<unknown> {
  return action.then(
    () => undefined,
    (error: unknown) => error,
  );
}

describe('AccountService accounts', () => {
  it('creates an account with a normalized id and never returns or stores the password', async () => {
    const created = await fixture.accounts.createAccount('  Anna ', 'volunteer', PASSWORD);
    expect(created).toEqual({ id: 'anna', role: 'volunteer', createdAt: START, disabledAt: null });
    expect(fixture.accounts.listAccounts()).toEqual([created]);
    const row = fixture.database.get<{ password_hash: string }>('SELECT password_hash FROM accounts WHERE id = ?', ['anna']);
    expect(row?.password_hash).toMatch(/^scrypt\$/);
    expect(row?.password_hash).not.toContain(PASSWORD);
  });

  it('refuses a password shorter than 12 characters or equal to the account id', async () => {
    const short = await refusalOf(fixture.accounts.createAccount('anna', 'volunteer', 'elf tekens!'));
    expect(isAccountError(short, 'HGW_ACCOUNT_WEAK_PASSWORD')).toBe(true);
    expect((short as Error).message).toBe('password must be at least 12 characters');
    const sameAsId = await refusalOf(fixture.accounts.createAccount('coordinator-1', 'coordinator', 'Coordinator-1'));
    expect(isAccountError(sameAsId, 'HGW_ACCOUNT_WEAK_PASSWORD')).toBe(true);
    expect((sameAsId as Error).message).not.toContain('Coordinator-1');
    expect(fixture.accounts.listAccounts()).toEqual([]);
  });

  it('refuses an id that could be an e-mail address, an unknown role and a second account with the same id', async () => {
    expect(isAccountError(await refusalOf(fixture.accounts.createAccount('anna@example.org', 'volunteer', PASSWORD)), 'HGW_ACCOUNT_INVALID_ID')).toBe(true);
    const badRole = await refusalOf(fixture.accounts.createAccount('anna', 'admin' as 'volunteer', PASSWORD));
    expect(isAccountError(badRole, 'HGW_ACCOUNT_INVALID_ROLE')).toBe(true);
    await fixture.accounts.createAccount('anna', 'volunteer', PASSWORD);
    expect(isAccountError(await refusalOf(fixture.accounts.createAccount('ANNA', 'supervisor', PASSWORD)), 'HGW_ACCOUNT_EXISTS')).toBe(true);
  });

  it('changes a password: the old one stops working and every session ends', async () => {
    await fixture.accounts.createAccount('anna', 'volunteer', PASSWORD);
    const { session } = issuedOrThrow(await fixture.accounts.login('anna', PASSWORD, HERE));
    await fixture.accounts.setPassword('anna', 'een heel ander wachtwoord');
    expect(fixture.accounts.authenticate(session.token)).toBeUndefined();
    expect((await fixture.accounts.login('anna', PASSWORD, HERE)).ok).toBe(false);
    expect((await fixture.accounts.login('anna', 'een heel ander wachtwoord', HERE)).ok).toBe(true);
    expect(isAccountError(await refusalOf(fixture.accounts.setPassword('nobody', PASSWORD)), 'HGW_ACCOUNT_UNKNOWN')).toBe(true);
  });
});

describe('AccountService login', () => {
  beforeEach(async () => {
    await fixture.accounts.createAccount('anna', 'volunteer', PASSWORD);
  });

  it('logs in with the right password and returns a 32-byte token, a CSRF token and the expiry', async () => {
    const result = issuedOrThrow(await fixture.accounts.login('Anna', PASSWORD, HERE));
    expect(result.accountId).toBe('anna');
    expect(result.role).toBe('volunteer');
    expect(Buffer.from(result.session.token, 'base64url')).toHaveLength(32);
    expect(result.session.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(result.session.csrfToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(result.session.csrfToken).not.toBe(result.session.token);
    expect(result.session.expiresAt).toBe(START + 30 * MINUTE);
    expect(fixture.accounts.authenticate(result.session.token)).toMatchObject({ accountId: 'anna', role: 'volunteer', csrfToken: result.session.csrfToken });
  });

  it('gives an unknown account and a wrong password the same refusal', async () => {
    const wrongPassword = await fixture.accounts.login('anna', 'not the password at all', HERE);
    const unknownAccount = await fixture.accounts.login('bram', PASSWORD, { remoteKey: 'remote-key-2' });
    const malformedId = await fixture.accounts.login('not an id!', PASSWORD, { remoteKey: 'remote-key-3' });
    const expected = { ok: false, reason: 'invalid', message: LOGIN_REFUSAL_MESSAGES.invalid };
    expect(wrongPassword).toEqual(expected);
    expect(unknownAccount).toEqual(expected);
    expect(malformedId).toEqual(expected);
  });

  it('runs scrypt for an unknown account too, so timing does not tell it apart', async () => {
    // Make scrypt costly enough to measure: both paths must take it, or one would be ~0 ms.
    const costly = new AccountService({ database: fixture.database, clock: fixture.clock, scryptParameters: { N: 2 ** 14, r: 8, p: 1 } });
    await costly.createAccount('bram', 'volunteer', PASSWORD);
    await costly.login('warm-up', PASSWORD, { remoteKey: 'warm-up' });
    // The fastest of three tries each: one try can be stretched by whatever else the machine runs.
    const fastest = async (id: string): Promise<number> => {
      let best = Infinity;
      for (let attempt = 0; attempt < 3; attempt += 1) {
        const started = process.hrtime.bigint();
        await costly.login(id, 'wrong password here', { remoteKey: `${id}-${attempt}` });
        best = Math.min(best, Number(process.hrtime.bigint() - started) / 1e6);
      }
      return best;
    };
    const known = await fastest('bram');
    const unknown = await fastest('nobody');
    expect(unknown).toBeGreaterThan(known / 4);
  });

  it('throttles after 5 failures, even for the right password, and lets in again after the lock', async () => {
    const bursts: LoginFailureBurst[] = [];
    fixture.accounts.onLoginBurst((burst) => bursts.push(burst));
    for (let i = 0; i < 5; i += 1) {
      expect((await fixture.accounts.login('anna', `wrong password ${i}!`, { remoteKey: `remote-${i}` })).ok).toBe(false);
    }
    const throttled = await fixture.accounts.login('anna', PASSWORD, { remoteKey: 'remote-9' });
    expect(throttled).toEqual({ ok: false, reason: 'throttled', message: LOGIN_REFUSAL_MESSAGES.throttled, retryAt: START + 15 * MINUTE });
    expect(bursts).toEqual([{ scope: 'account', failures: 5, windowMs: 15 * MINUTE, at: START, lockedUntil: START + 15 * MINUTE }]);
    fixture.clock.advance(15 * MINUTE);
    expect((await fixture.accounts.login('anna', PASSWORD, { remoteKey: 'remote-9' })).ok).toBe(true);
  });

  it('throttles an unknown account name just like a known one', async () => {
    for (let i = 0; i < 5; i += 1) await fixture.accounts.login('nobody', PASSWORD, { remoteKey: `remote-${i}` });
    expect(await fixture.accounts.login('nobody', PASSWORD, { remoteKey: 'remote-9' })).toMatchObject({ ok: false, reason: 'throttled' });
  });

  it('refuses a second concurrent attempt on the same account instead of checking both', async () => {
    const [first, second] = await Promise.all([
      fixture.accounts.login('anna', PASSWORD, { remoteKey: 'remote-1' }),
      fixture.accounts.login('anna', PASSWORD, { remoteKey: 'remote-2' }),
    ]);
    expect(first.ok).toBe(true);
    expect(second).toMatchObject({ ok: false, reason: 'throttled', retryAt: START });
  });

  it('upgrades a hash with weaker parameters at the next successful login', async () => {
    const stronger = { ...FAST_SCRYPT, N: 2 ** 11 };
    const upgraded = new AccountService({ database: fixture.database, clock: fixture.clock, scryptParameters: stronger, logger: silentLogger() });
    expect((await upgraded.login('anna', PASSWORD, HERE)).ok).toBe(true);
    const row = fixture.database.get<{ password_hash: string }>('SELECT password_hash FROM accounts WHERE id = ?', ['anna']);
    expect(parsePasswordHash(row?.password_hash ?? '').parameters).toEqual(stronger);
    expect((await upgraded.login('anna', PASSWORD, { remoteKey: 'remote-key-2' })).ok).toBe(true);
  });

  it('requires a remote key', async () => {
    await expect(fixture.accounts.login('anna', PASSWORD, { remoteKey: '' })).rejects.toThrow(TypeError);
  });
});

describe('AccountService disabling and roles', () => {
  beforeEach(async () => {
    await fixture.accounts.createAccount('anna', 'volunteer', PASSWORD);
  });

  it('ends every session of a disabled account and refuses its logins', async () => {
    const first = issuedOrThrow(await fixture.accounts.login('anna', PASSWORD, HERE)).session;
    const second = issuedOrThrow(await fixture.accounts.login('anna', PASSWORD, { remoteKey: 'other-desk' })).session;
    fixture.clock.advance(MINUTE);
    const disabled = fixture.accounts.disable('anna');
    expect(disabled.disabledAt).toBe(START + MINUTE);
    expect(fixture.database.get<{ n: number }>('SELECT count(*) AS n FROM sessions')?.n).toBe(0);
    expect(fixture.accounts.authenticate(first.token)).toBeUndefined();
    expect(fixture.accounts.authenticate(second.token)).toBeUndefined();
    expect(await fixture.accounts.login('anna', PASSWORD, HERE)).toEqual({ ok: false, reason: 'disabled', message: LOGIN_REFUSAL_MESSAGES.disabled });
    // "disabled" is only said to someone who knows the password.
    expect(await fixture.accounts.login('anna', 'a wrong password!', HERE)).toMatchObject({ reason: 'invalid' });
    fixture.accounts.enable('anna');
    expect((await fixture.accounts.login('anna', PASSWORD, HERE)).ok).toBe(true);
  });

  it('ends the sessions of an account whose role changes, so the new role needs a new login', async () => {
    const { session } = issuedOrThrow(await fixture.accounts.login('anna', PASSWORD, HERE));
    expect(fixture.accounts.changeRole('anna', 'coordinator').role).toBe('coordinator');
    expect(fixture.accounts.authenticate(session.token)).toBeUndefined();
    const again = issuedOrThrow(await fixture.accounts.login('anna', PASSWORD, HERE));
    expect(again.role).toBe('coordinator');
    expect(fixture.accounts.authenticate(again.session.token)?.role).toBe('coordinator');
  });

  it('refuses to manage an account that does not exist', () => {
    expect(isAccountError(thrownBy(() => fixture.accounts.disable('nobody')), 'HGW_ACCOUNT_UNKNOWN')).toBe(true);
    expect(isAccountError(thrownBy(() => fixture.accounts.changeRole('anna', 'root' as 'volunteer')), 'HGW_ACCOUNT_INVALID_ROLE')).toBe(true);
  });
});
