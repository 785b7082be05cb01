import { describe, expect, it } from 'vitest';
import {
  hashPassword,
  isAccountError,
  needsRehash,
  parsePasswordHash,
  SHIPPED_SCRYPT_PARAMETERS,
  verifyPassword,
} from '../../src/accounts/index.js';
import { FAST_SCRYPT } from './account-fixture.js';

const PASSWORD = 'correct horse battery staple';

describe('password hashing', () => {
  it('verifies the password it hashed with the shipped parameters (N=2^15, r=8, p=1) and refuses another', async () => {
    const stored = await hashPassword(PASSWORD);
    expect(stored.startsWith('scrypt$32768$8$1$')).toBe(true);
    expect(await verifyPassword(PASSWORD, stored)).toBe(true);
    expect(await verifyPassword('correct horse battery stapler', stored)).toBe(false);
    expect(needsRehash(stored)).toBe(false);
  });

  it('refuses a wrong password, including one that differs only in case or a trailing space', async () => {
    const stored = await hashPassword(PASSWORD, FAST_SCRYPT);
    expect(await verifyPassword('Correct horse battery staple', stored)).toBe(false);
    expect(await verifyPassword(`${PASSWORD} `, stored)).toBe(false);
    expect(await verifyPassword('', stored)).toBe(false);
  });

  it('accepts the same password typed with composed or decomposed accents', async () => {
    const composed = 'crème brûlée au café';
    const stored = await hashPassword(composed, FAST_SCRYPT);
    expect(await verifyPassword(composed.normalize('NFD'), stored)).toBe(true);
  });

  it('keeps no trace of the password in the stored string, and salts every hash', async () => {
    const first = await hashPassword(PASSWORD, FAST_SCRYPT);
    const second = await hashPassword(PASSWORD, FAST_SCRYPT);
    expect(first).not.toBe(second);
    for (const stored of [first, second]) {
      expect(stored).not.toContain(PASSWORD);
      expect(stored).not.toContain('horse');
      expect(stored).not.toContain(Buffer.from(PASSWORD).toString('base64').slice(0, 12));
    }
  });

  it('reads its parameters, salt and hash back from the stored string', async () => {
    const stored = await hashPassword(PASSWORD, { N: 2 ** 11, r: 4, p: 2 });
    const parsed = parsePasswordHash(stored);
    expect(parsed.parameters).toEqual({ N: 2048, r: 4, p: 2 });
    expect(parsed.salt).toHaveLength(16);
    expect(parsed.hash).toHaveLength(32);
    expect(stored).toMatch(/^scrypt\$2048\$4\$2\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
  });

  it('asks for a rehash when any stored parameter is below the current ones', async () => {
    const weak = await hashPassword(PASSWORD, FAST_SCRYPT);
    expect(needsRehash(weak)).toBe(true);
    expect(needsRehash(weak, FAST_SCRYPT)).toBe(false);
    expect(needsRehash(weak, { ...FAST_SCRYPT, r: 16 })).toBe(true);
    expect(needsRehash(weak, { ...FAST_SCRYPT, p: 2 })).toBe(true);
    const stronger = await hashPassword(PASSWORD, { ...FAST_SCRYPT, N: 2 ** 11 });
    expect(needsRehash(stronger, FAST_SCRYPT)).toBe(false);
    expect(needsRehash('not a hash')).toBe(true);
  });

  it('refuses a malformed or absurdly expensive stored hash with HGW_ACCOUNT_HASH_MALFORMED', async () => {
    const stored = await hashPassword(PASSWORD, FAST_SCRYPT);
    const [scheme, , r, p, salt, hash] = stored.split('$');
    const variants = [
      'plain-text-password',
      `bcrypt$1024$${r}$${p}$${salt}$${hash}`,
      `${scheme}$1000$${r}$${p}$${salt}$${hash}`,
      `${scheme}$${2 ** 24}$${r}$${p}$${salt}$${hash}`,
      `${scheme}$1024$${r}$${p}$${salt}$`,
      `${scheme}$1024$${r}$${p}$${salt}!$${hash}`,
      `${scheme}$01024$${r}$${p}$${salt}$${hash}`,
    ];
    for (const variant of variants) {
      const error = await verifyPassword(PASSWORD, variant).then(
        () => undefined,
        (thrown: unknown) => thrown,
      );
      expect(isAccountError(error, 'HGW_ACCOUNT_HASH_MALFORMED'), variant).toBe(true);
    }
  });

  it('refuses to hash with parameters scrypt would not accept', async () => {
    await expect(hashPassword(PASSWORD, { N: 1000, r: 8, p: 1 })).rejects.toThrow(TypeError);
    await expect(hashPassword(PASSWORD, { N: 1024, r: 0, p: 1 })).rejects.toThrow(TypeError);
  });

  it('ships the cost the design names', () => {
    expect(SHIPPED_SCRYPT_PARAMETERS).toEqual({ N: 32768, r: 8, p: 1 });
  });
});
