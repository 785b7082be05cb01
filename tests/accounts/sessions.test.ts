import fs from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { csrfTokenMatches, hashSessionToken, type IssuedSession, type LoginResult } from '../../src/accounts/index.js';
import { HOUR, MINUTE, openAccountFixture, START, type AccountFixture } from './account-fixture.js';

const PASSWORD = 'lange zin met spaties 42';
const HERE = { remoteKey: 'remote-key-1' };

let fixture: AccountFixture;

beforeEach(async () => {
  fixture = openAccountFixture();
  await fixture.accounts.createAccount('anna', 'supervisor', PASSWORD);
});

afterEach(() => {
  fixture.close();
});

function sessionOf(result: LoginResult): IssuedSession {
  if (!result.ok) throw new Error(`expected a login, got ${result.reason}`);
  return result.session;
}

async function login(remoteKey = HERE.remoteKey, replacing?: string): Promise<IssuedSession> {
  return sessionOf(await fixture.accounts.login('anna', PASSWORD, replacing === undefined ? { remoteKey } : { remoteKey, replacing }));
}

describe('sessions', () => {
  it('ends a session left unused for 30 minutes', async () => {
    const { token } = await login();
    fixture.clock.advance(30 * MINUTE - 1);
    expect(fixture.accounts.authenticate(token)).toBeDefined();
    fixture.clock.advance(30 * MINUTE);
    expect(fixture.accounts.authenticate(token)).toBeUndefined();
  });

  it('ends an unused session at exactly the idle timeout, and deletes its row', async () => {
    const { token } = await login();
    fixture.clock.advance(30 * MINUTE);
    expect(fixture.accounts.authenticate(token)).toBeUndefined();
    expect(fixture.database.get<{ n: number }>('SELECT count(*) AS n FROM sessions')?.n).toBe(0);
  });

  it('slides the idle expiry with use', async () => {
    const { token } = await login();
    for (let i = 0; i < 8; i += 1) {
      fixture.clock.advance(20 * MINUTE);
      expect(fixture.accounts.authenticate(token)?.expiresAt).toBe(fixture.clock.now() + 30 * MINUTE);
    }
  });

  it('ends a busy session 12 hours after login however often it is used', async () => {
    const { token } = await login();
    while (fixture.clock.now() < START + 12 * HOUR - 10 * MINUTE) {
      fixture.clock.advance(10 * MINUTE);
      expect(fixture.accounts.authenticate(token), new Date(fixture.clock.now()).toISOString()).toBeDefined();
    }
    expect(fixture.accounts.authenticate(token)?.expiresAt).toBe(START + 12 * HOUR);
    fixture.clock.set(START + 12 * HOUR);
    expect(fixture.accounts.authenticate(token)).toBeUndefined();
  });

  it('takes its timeouts from the configuration', async () => {
    fixture.close();
    fixture = openAccountFixture({ sessionPolicy: { idleTimeoutMs: 5 * MINUTE, absoluteLifetimeMs: HOUR } });
    await fixture.accounts.createAccount('anna', 'supervisor', PASSWORD);
    const { token, expiresAt } = await login();
    expect(expiresAt).toBe(START + 5 * MINUTE);
    fixture.clock.advance(5 * MINUTE);
    expect(fixture.accounts.authenticate(token)).toBeUndefined();
    expect(() => openAccountFixture({ sessionPolicy: { idleTimeoutMs: 2 * HOUR, absoluteLifetimeMs: HOUR } })).toThrow(TypeError);
  });

  it('ends a session at logout, and only that one', async () => {
    const first = await login();
    const second = await login('remote-key-2');
    expect(fixture.accounts.logout(first.token)).toBe(true);
    expect(fixture.accounts.authenticate(first.token)).toBeUndefined();
    expect(fixture.accounts.authenticate(second.token)?.accountId).toBe('anna');
    expect(fixture.accounts.logout(first.token)).toBe(false);
    expect(fixture.accounts.logout('not a token')).toBe(false);
  });

  it('stores only the SHA-256 of the token: no row and no byte of the file holds the token', async () => {
    const { token, csrfToken } = await login();
    const rows = fixture.database.all<Record<string, unknown>>('SELECT * FROM sessions');
    expect(rows).toHaveLength(1);
    const tokenBytes = Buffer.from(token, 'base64url');
    for (const value of Object.values(rows[0] ?? {})) {
      if (typeof value === 'string') expect(value.includes(token)).toBe(false);
      if (value instanceof Uint8Array) expect(Buffer.from(value).includes(tokenBytes.subarray(0, 16))).toBe(false);
    }
    expect(Buffer.from(rows[0]?.token_hash as Uint8Array)).toEqual(Buffer.from(hashSessionToken(token)));
    expect(rows[0]?.csrf_token).toBe(csrfToken);
    fixture.database.checkpoint();
    fixture.database.close();
    for (const suffix of ['', '-wal', '-journal']) {
      const file = fixture.databasePath + suffix;
      if (!fs.existsSync(file)) continue;
      const bytes = fs.readFileSync(file);
      expect(bytes.includes(Buffer.from(token)), suffix).toBe(false);
      expect(bytes.includes(tokenBytes.subarray(0, 16)), suffix).toBe(false);
      expect(bytes.includes(Buffer.from(hashSessionToken(token))), `${suffix} holds the hash`).toBe(true);
    }
  });

  it('issues a fresh token and CSRF token at every login', async () => {
    const sessions = [await login(), await login(), await login()];
    expect(new Set(sessions.map((session) => session.token)).size).toBe(3);
    expect(new Set(sessions.map((session) => session.csrfToken)).size).toBe(3);
  });

  it('never upgrades a token presented at login (session fixation): the login ends it and issues another', async () => {
    const planted = await login();
    const fresh = await login(HERE.remoteKey, planted.token);
    expect(fresh.token).not.toBe(planted.token);
    expect(fixture.accounts.authenticate(planted.token)).toBeUndefined();
    expect(fixture.accounts.authenticate(fresh.token)?.accountId).toBe('anna');
  });

  it('keeps the presented session when the login fails', async () => {
    const current = await login();
    const refused = await fixture.accounts.login('anna', 'a wrong password!', { remoteKey: HERE.remoteKey, replacing: current.token });
    expect(refused.ok).toBe(false);
    expect(fixture.accounts.authenticate(current.token)).toBeDefined();
  });

  it('rotates a session to a new token and CSRF token without extending its absolute lifetime', async () => {
    const live = await login();
    fixture.clock.advance(10 * MINUTE);
    const rotated = fixture.accounts.rotate(live.token);
    if (!rotated) throw new Error('expected a rotated session');
    expect(rotated.token).not.toBe(live.token);
    expect(rotated.csrfToken).not.toBe(live.csrfToken);
    expect(fixture.accounts.authenticate(live.token)).toBeUndefined();
    expect(fixture.accounts.rotate(live.token)).toBeUndefined();
    expect(fixture.accounts.authenticate(rotated.token)).toMatchObject({ accountId: 'anna', role: 'supervisor', createdAt: START, csrfToken: rotated.csrfToken });
    while (fixture.clock.now() < START + 12 * HOUR - 20 * MINUTE) {
      fixture.clock.advance(20 * MINUTE);
      expect(fixture.accounts.authenticate(rotated.token)).toBeDefined();
    }
    fixture.clock.set(START + 12 * HOUR);
    expect(fixture.accounts.authenticate(rotated.token)).toBeUndefined();
  });

  it('ignores anything that is not a well-formed token', () => {
    for (const token of [undefined, null, 42, '', 'x'.repeat(43), `${'A'.repeat(42)}=`, 'A'.repeat(44)]) {
      expect(fixture.accounts.authenticate(token)).toBeUndefined();
    }
  });

  it('compares CSRF tokens in full', async () => {
    const { csrfToken } = await login();
    expect(csrfTokenMatches(csrfToken, csrfToken)).toBe(true);
    expect(csrfTokenMatches(csrfToken, csrfToken.slice(0, -1))).toBe(false);
    expect(csrfTokenMatches(csrfToken, `${csrfToken.slice(0, -1)}${csrfToken.endsWith('A') ? 'B' : 'A'}`)).toBe(false);
    expect(csrfTokenMatches(csrfToken, undefined)).toBe(false);
  });

  it('sweeps expired sessions and keeps live ones', async () => {
    await login();
    fixture.clock.advance(20 * MINUTE);
    const live = await login('remote-key-2');
    fixture.clock.advance(15 * MINUTE);
    expect(fixture.accounts.sweepExpiredSessions()).toBe(1);
    expect(fixture.accounts.authenticate(live.token)).toBeDefined();
  });
});
