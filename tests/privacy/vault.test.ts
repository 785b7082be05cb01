import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { normalizeEmailAddress, normalizeIpAddress, normalizePhoneNumber } from '../../src/privacy/normalize.js';
import { canonicalText, type RawIdentifier } from '../../src/privacy/raw-identifier.js';
import type { SealedIdentifier } from '../../src/privacy/types.js';
import { createVault, type Vault } from '../../src/privacy/vault.js';
import type { Keyring } from '../../src/privacy/keyring.js';
import { asMonthEpoch } from '../../src/time/month-epoch.js';
import { keyringFixture, type KeyringFixture } from './keyring-fixture.js';
import { dutchMobile } from './phone-renderings.js';

const march = asMonthEpoch('2025-03');
const april = asMonthEpoch('2025-04');

function required<T>(value: T | undefined): T {
  if (value === undefined) throw new Error('test input did not normalize');
  return value;
}

function phone(text: string) {
  const result = normalizePhoneNumber(text, 'NL');
  if (result.kind !== 'number') throw new Error('test number did not normalize');
  return result.number;
}

let fixture: KeyringFixture;
let keyring: Keyring;
let vault: Vault;

beforeEach(() => {
  fixture = keyringFixture();
  keyring = fixture.open();
  vault = createVault(keyring);
});
afterEach(() => fixture.cleanup());

describe('Vault', () => {
  it('seals transcript text under the month key, opens it back, and opens nothing once the month is shredded', () => {
    const line = 'ik woon in de Dorpsstraat 4 — 😶 en niemand weet het';
    const sealed = vault.sealText(line, march);
    expect(Buffer.from(sealed).includes(Buffer.from('Dorpsstraat'))).toBe(false);
    expect(vault.unsealText(sealed, march)).toBe(line);
    expect(vault.unsealText(sealed, april)).toBeUndefined();
    const tampered = sealed.slice() as typeof sealed;
    tampered[tampered.length - 1] = (tampered[tampered.length - 1] ?? 0) ^ 1;
    expect(vault.unsealText(tampered, march)).toBeUndefined();
    keyring.shredVaultKey('chat-transcript', march);
    expect(vault.unsealText(sealed, march)).toBeUndefined();
    expect(keyring.vaultKey('phone-number', march)).toBeUndefined();
  });

  it('gives back what it sealed, for every kind', () => {
    const caller = phone('06 1234 5678');
    const unsealed = vault.unseal(vault.seal(caller, 'phone-number', march), 'phone-number', march, 'phone');
    expect(unsealed?.kind).toBe('phone');
    expect(unsealed?.sameAs(caller)).toBe(true);

    const address = required(normalizeIpAddress('2001:db8::7'));
    expect(vault.unseal(vault.seal(address, 'chat-ip', march), 'chat-ip', march, 'ip')?.sameAs(address)).toBe(true);

    const mail = required(normalizeEmailAddress('Jamie@Example.nl'));
    const back = vault.unseal(vault.seal(mail, 'mail-address', march), 'mail-address', march, 'email');
    expect(back && canonicalText(back)).toBe('jamie@example.nl');
  });

  it('round-trips random numbers, with a fresh nonce each time', () => {
    fc.assert(
      fc.property(dutchMobile, (digits) => {
        const caller = phone(`0${digits}`);
        const first = vault.seal(caller, 'phone-number', march);
        const second = vault.seal(caller, 'phone-number', march);
        expect(Buffer.from(first).equals(Buffer.from(second))).toBe(false);
        expect(Buffer.from(first.subarray(0, 24)).equals(Buffer.from(second.subarray(0, 24)))).toBe(false);
        expect(vault.unseal(first, 'phone-number', march, 'phone')?.sameAs(caller)).toBe(true);
      }),
      { numRuns: 50 },
    );
  });

  it('does not store the number in the clear', () => {
    const sealed = vault.seal(phone('0612345678'), 'phone-number', march);
    expect(Buffer.from(sealed).toString('latin1')).not.toContain('12345678');
  });

  it('returns undefined, never throws or gives an empty value, for any tampered byte', () => {
    const caller = phone('0612345678');
    const sealed = vault.seal(caller, 'phone-number', march);
    for (let i = 0; i < sealed.length; i += 1) {
      const tampered = Uint8Array.from(sealed) as SealedIdentifier;
      tampered[i] = (tampered[i] ?? 0) ^ 0x01;
      expect(vault.unseal(tampered, 'phone-number', march, 'phone'), `byte ${i}`).toBeUndefined();
    }
    expect(vault.unseal(sealed.subarray(0, 30) as SealedIdentifier, 'phone-number', march, 'phone')).toBeUndefined();
    expect(vault.unseal(new Uint8Array(0) as SealedIdentifier, 'phone-number', march, 'phone')).toBeUndefined();
  });

  it('returns undefined under another month or data class', () => {
    const sealed = vault.seal(phone('0612345678'), 'phone-number', march);
    vault.seal(phone('0612345678'), 'phone-number', april);
    expect(vault.unseal(sealed, 'phone-number', april, 'phone')).toBeUndefined();
    expect(vault.unseal(sealed, 'phone-number', asMonthEpoch('2020-01'), 'phone')).toBeUndefined();
  });

  it('returns undefined once the month is shredded, also after reopening', () => {
    const sealed = vault.seal(phone('0612345678'), 'phone-number', march);
    expect(keyring.shredVaultKey('phone-number', march)).toBe(true);
    expect(vault.unseal(sealed, 'phone-number', march, 'phone')).toBeUndefined();
    expect(createVault(fixture.open()).unseal(sealed, 'phone-number', march, 'phone')).toBeUndefined();
  });

  it('keeps sealed values across a reopen while the key lives', () => {
    const caller = phone('0612345678');
    const sealed = vault.seal(caller, 'phone-number', march);
    keyring.rewrap();
    expect(createVault(fixture.open()).unseal(sealed, 'phone-number', march, 'phone')?.sameAs(caller)).toBe(true);
  });

  it('refuses a kind that does not belong to the data class', () => {
    const caller: RawIdentifier = phone('0612345678');
    expect(() => vault.seal(caller, 'chat-ip', march)).toThrow(TypeError);
  });
});
