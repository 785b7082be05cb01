import { chmodSync, copyFileSync, existsSync, readdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import nacl from 'tweetnacl';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isGatewayError, type GatewayErrorCode } from '../../src/errors.js';
import { Keyring } from '../../src/privacy/keyring.js';
import { parseKeyringDocument } from '../../src/privacy/keyring-file.js';
import { normalizePhoneNumber } from '../../src/privacy/normalize.js';
import { createPseudonymizer } from '../../src/privacy/pseudonym.js';
import { asMonthEpoch } from '../../src/time/month-epoch.js';
import { thrownBy } from '../support/thrown-by.js';
import { containsKey, keyringFixture, keyRenderings, type KeyringFixture } from './keyring-fixture.js';

const january = asMonthEpoch('2025-01');
const february = asMonthEpoch('2025-02');
const march = asMonthEpoch('2025-03');

function expectGatewayError(action: () => unknown, code: GatewayErrorCode): string {
  const error = thrownBy(action);
  expect(isGatewayError(error, code), String(error)).toBe(true);
  const message = (error as Error).message;
  expect(message).not.toContain('\n');
  return message;
}

function mode(path: string): number {
  return statSync(path).mode & 0o777;
}

function phone(text: string) {
  const result = normalizePhoneNumber(text, 'NL');
  if (result.kind !== 'number') throw new Error('test number did not normalize');
  return result.number;
}

let fixture: KeyringFixture;
let keyringPath: string;

beforeEach(() => {
  fixture = keyringFixture();
  keyringPath = join(fixture.directory, 'keyring.json');
});
afterEach(() => fixture.cleanup());

describe('Keyring files', () => {
  it('creates the directory 0700 and the keyring and KEK files 0600 on first use', () => {
    const keyring = fixture.open();
    keyring.ensureLinkKey(march);
    expect(mode(fixture.directory)).toBe(0o700);
    expect(readdirSync(fixture.directory).sort()).toEqual(['kek-1.key', 'keyring.json']);
    expect(mode(keyringPath)).toBe(0o600);
    expect(mode(join(fixture.directory, 'kek-1.key'))).toBe(0o600);
  });

  it('keeps no data key or KEK in keyring.json in plaintext, hex or base64', () => {
    const keyring = fixture.open();
    const keys = [
      keyring.ensureLinkKey(january),
      keyring.ensureLinkKey(february),
      keyring.ensureVaultKey('phone-number', january),
      keyring.ensureVaultKey('chat-ip', february),
      keyring.ensureVaultKey('mail-address', march),
    ];
    const file = readFileSync(keyringPath);
    for (const key of keys) expect(containsKey(file, key)).toBe(false);
    expect(containsKey(file, readFileSync(join(fixture.directory, 'kek-1.key')))).toBe(false);
    // The check itself can fail: the same key written out in hex is found.
    expect(containsKey(Buffer.from(`x${keyRenderings(keys[0] ?? new Uint8Array()).text[0]}x`), keys[0] ?? new Uint8Array())).toBe(true);
  });

  it('opens a keyring written before transcripts were sealed, with no chat-transcript keys yet', () => {
    const keyring = fixture.open();
    const key = keyring.ensureLinkKey(january).slice();
    keyring.close();
    const document = JSON.parse(readFileSync(keyringPath, 'utf8')) as { vault: Record<string, unknown> };
    delete document.vault['chat-transcript'];
    writeFileSync(keyringPath, JSON.stringify(document), { mode: 0o600 });
    const reopened = fixture.open();
    expect(reopened.linkKey(january)).toEqual(key);
    expect(reopened.vaultEpochs('chat-transcript')).toEqual([]);
  });

  it('gives the same keys after reopening', () => {
    const first = fixture.open();
    const link = Buffer.from(first.ensureLinkKey(february));
    const vault = Buffer.from(first.ensureVaultKey('chat-ip', march));
    const reopened = fixture.open();
    expect(Buffer.from(reopened.linkKey(february) ?? [])).toEqual(link);
    expect(Buffer.from(reopened.vaultKey('chat-ip', march) ?? [])).toEqual(vault);
    expect(reopened.vaultKey('phone-number', march)).toBeUndefined();
    expect(reopened.linkEpochs()).toEqual([february]);
    expect(reopened.vaultEpochs('chat-ip')).toEqual([march]);
  });

  it('lists epochs oldest first and gives each month and class its own key', () => {
    const keyring = fixture.open();
    const keys = [march, january, february].map((epoch) => Buffer.from(keyring.ensureLinkKey(epoch)).toString('hex'));
    keys.push(Buffer.from(keyring.ensureVaultKey('phone-number', march)).toString('hex'));
    expect(keyring.linkEpochs()).toEqual([january, february, march]);
    expect(new Set(keys).size).toBe(4);
    expect(Buffer.from(keyring.ensureLinkKey(march)).toString('hex')).toBe(keys[0]);
  });
});

describe('Keyring shredding', () => {
  it('removes a shredded link key from memory and file, and its month no longer yields pseudonyms', () => {
    const keyring = fixture.open();
    const pseudonymizer = createPseudonymizer(keyring);
    const caller = phone('06 12345678');
    pseudonymizer.pseudonymize(caller, 'phone', january);
    pseudonymizer.pseudonymize(caller, 'phone', february);
    const januaryKey = keyring.linkKey(january);
    const januaryCopy = Buffer.from(januaryKey ?? []);

    expect(keyring.shredLinkKey(january)).toBe(true);
    expect(keyring.shredLinkKey(january)).toBe(false);
    expect(keyring.linkKey(january)).toBeUndefined();
    expect(januaryKey?.every((byte) => byte === 0)).toBe(true);
    expect(pseudonymizer.lookupPseudonyms(caller, 'phone', [january, february])).toHaveLength(1);

    const document = parseKeyringDocument(readFileSync(keyringPath), keyringPath);
    expect(document.link.live.map((entry) => entry.epoch)).toEqual([february]);
    expect(document.link.shredded.map((entry) => entry.epoch)).toEqual([january]);
    expect(containsKey(readFileSync(keyringPath), januaryCopy)).toBe(false);

    const reopened = fixture.open();
    expect(reopened.linkKey(january)).toBeUndefined();
    expect(createPseudonymizer(reopened).lookupPseudonyms(caller, 'phone', [january])).toEqual([]);
  });

  it('shreds one data class month without touching the others', () => {
    const keyring = fixture.open();
    keyring.ensureVaultKey('chat-ip', january);
    keyring.ensureVaultKey('phone-number', january);
    keyring.ensureLinkKey(january);
    expect(keyring.shredVaultKey('chat-ip', january)).toBe(true);
    const reopened = fixture.open();
    expect(reopened.vaultKey('chat-ip', january)).toBeUndefined();
    expect(reopened.vaultKey('phone-number', january)).toBeDefined();
    expect(reopened.linkKey(january)).toBeDefined();
  });

  it('never recreates a shredded month, also after reopening', () => {
    const keyring = fixture.open();
    keyring.ensureLinkKey(january);
    keyring.shredLinkKey(january);
    expectGatewayError(() => keyring.ensureLinkKey(january), 'HGW_KEY_SHREDDED');
    expectGatewayError(() => fixture.open().ensureLinkKey(january), 'HGW_KEY_SHREDDED');
    expect(fixture.open().ensureVaultKey('phone-number', january)).toHaveLength(32);
  });

  it('re-wraps under a fresh KEK after a shred, destroying the old KEK file', () => {
    const keyring = fixture.open();
    keyring.ensureLinkKey(january);
    keyring.ensureLinkKey(february);
    keyring.shredLinkKey(january);
    expect(readdirSync(fixture.directory).sort()).toEqual(['kek-2.key', 'keyring.json']);
    expect(keyring.status().kek.generation).toBe(2);
  });

  it('tells its listeners of each key created and each re-wrap, once on disk, and never of key bytes', () => {
    const keyring = fixture.open();
    const events: unknown[] = [];
    const stop = keyring.onKeyEvent((event) => events.push(event));
    keyring.ensureLinkKey(january);
    keyring.ensureLinkKey(january);
    keyring.ensureVaultKey('chat-transcript', february);
    keyring.shredLinkKey(january);
    stop();
    keyring.rewrap();
    expect(events).toEqual([
      { kind: 'created', family: 'link', epoch: january },
      { kind: 'created', family: 'chat-transcript', epoch: february },
      { kind: 'rewrapped', generation: 2 },
    ]);
    expect(fixture.open().vaultKey('chat-transcript', february)).toBeDefined();
  });
});

describe('Keyring rewrap', () => {
  it('makes an old copy of keyring.json useless: its KEK is gone and the new KEK does not open it', () => {
    const keyring = fixture.open();
    const link = Buffer.from(keyring.ensureLinkKey(march));
    keyring.ensureVaultKey('phone-number', march);
    const oldCopy = readFileSync(keyringPath);

    keyring.rewrap();

    expect(existsSync(join(fixture.directory, 'kek-1.key'))).toBe(false);
    const newKek = readFileSync(join(fixture.directory, 'kek-2.key'));
    const old = parseKeyringDocument(oldCopy, 'old copy');
    const wrapped = [...old.link.live, ...old.vault['phone-number'].live].map((entry) => Buffer.from(entry.wrapped, 'base64'));
    expect(wrapped).toHaveLength(2);
    for (const blob of wrapped) {
      expect(nacl.secretbox.open(blob.subarray(24), blob.subarray(0, 24), newKek)).toBeNull();
    }
    expect(Buffer.from(fixture.open().linkKey(march) ?? [])).toEqual(link);

    writeFileSync(keyringPath, oldCopy, { mode: 0o600 });
    expectGatewayError(() => fixture.open(), 'HGW_KEYRING_MISSING_KEK');
  });

  it('records the KEK generation and creation time from the clock', () => {
    const keyring = fixture.open();
    const created = fixture.clock.now();
    fixture.clock.advance(60_000);
    keyring.rewrap();
    const status = keyring.status();
    expect(status.kek).toEqual({ generation: 2, createdAt: created + 60_000 });
    expect(parseKeyringDocument(readFileSync(keyringPath), keyringPath).kek.generation).toBe(2);
  });
});

describe('Keyring recovery from an interrupted write', () => {
  it('destroys a newer KEK that was written before the crash but never committed', () => {
    const keyring = fixture.open();
    const link = Buffer.from(keyring.ensureLinkKey(march));
    writeFileSync(join(fixture.directory, 'kek-2.key'), nacl.randomBytes(32), { mode: 0o600 });
    writeFileSync(join(fixture.directory, 'keyring.json.tmp'), '{"half', { mode: 0o600 });
    const reopened = fixture.open();
    expect(readdirSync(fixture.directory).sort()).toEqual(['kek-1.key', 'keyring.json']);
    expect(Buffer.from(reopened.linkKey(march) ?? [])).toEqual(link);
    reopened.rewrap();
    expect(readdirSync(fixture.directory).sort()).toEqual(['kek-3.key', 'keyring.json']);
  });

  it('destroys the old KEK left behind when the crash came after the commit', () => {
    const keyring = fixture.open();
    keyring.ensureLinkKey(march);
    copyFileSync(join(fixture.directory, 'kek-1.key'), join(fixture.root, 'kek-1.saved'));
    keyring.rewrap();
    copyFileSync(join(fixture.root, 'kek-1.saved'), join(fixture.directory, 'kek-1.key'));
    chmodSync(join(fixture.directory, 'kek-1.key'), 0o600);
    expect(fixture.open().linkKey(march)).toBeDefined();
    expect(readdirSync(fixture.directory).sort()).toEqual(['kek-2.key', 'keyring.json']);
  });
});

describe('Keyring refusals', () => {
  it('refuses a keyring file readable by group or others', () => {
    fixture.open();
    chmodSync(keyringPath, 0o640);
    const message = expectGatewayError(() => fixture.open(), 'HGW_KEYRING_PERMISSIONS');
    expect(message).toContain(keyringPath);
    chmodSync(keyringPath, 0o604);
    expectGatewayError(() => fixture.open(), 'HGW_KEYRING_PERMISSIONS');
    chmodSync(keyringPath, 0o600);
    expect(() => fixture.open()).not.toThrow();
  });

  it('refuses a KEK file or directory open to group or others', () => {
    fixture.open();
    const kekPath = join(fixture.directory, 'kek-1.key');
    chmodSync(kekPath, 0o644);
    expect(expectGatewayError(() => fixture.open(), 'HGW_KEYRING_PERMISSIONS')).toContain(kekPath);
    chmodSync(kekPath, 0o600);
    chmodSync(fixture.directory, 0o755);
    expectGatewayError(() => fixture.open(), 'HGW_KEYRING_PERMISSIONS');
  });

  it('reports unparsable or unwrappable content as corrupt, naming the file and no key material', () => {
    const keyring = fixture.open();
    const key = Buffer.from(keyring.ensureLinkKey(march));
    const good = readFileSync(keyringPath, 'utf8');

    writeFileSync(keyringPath, '{"format": "helpline-gateway/keyring", trunc');
    expect(expectGatewayError(() => fixture.open(), 'HGW_KEYRING_CORRUPT')).toContain(keyringPath);

    writeFileSync(keyringPath, good.replace('"version": 1', '"version": 7'));
    expectGatewayError(() => fixture.open(), 'HGW_KEYRING_CORRUPT');

    const document = JSON.parse(good) as { link: { live: { wrapped: string }[] } };
    const entry = document.link.live[0];
    if (!entry) throw new Error('no link key in the file');
    const blob = Buffer.from(entry.wrapped, 'base64');
    blob[30] = (blob[30] ?? 0) ^ 1;
    entry.wrapped = blob.toString('base64');
    writeFileSync(keyringPath, JSON.stringify(document));
    const message = expectGatewayError(() => fixture.open(), 'HGW_KEYRING_CORRUPT');
    expect(containsKey(Buffer.from(message), key)).toBe(false);
  });

  it('refuses a wrapped key moved to another month', () => {
    const keyring = fixture.open();
    keyring.ensureLinkKey(march);
    writeFileSync(keyringPath, readFileSync(keyringPath, 'utf8').replace('"epoch": "2025-03"', '"epoch": "2025-02"'));
    expectGatewayError(() => fixture.open(), 'HGW_KEYRING_CORRUPT');
  });

  it('reports a missing or zeroized KEK as missing', () => {
    const keyring = fixture.open();
    keyring.ensureLinkKey(march);
    const kekPath = join(fixture.directory, 'kek-1.key');
    const kek = readFileSync(kekPath);

    writeFileSync(kekPath, new Uint8Array(32));
    expectGatewayError(() => fixture.open(), 'HGW_KEYRING_MISSING_KEK');

    unlinkSync(kekPath);
    expect(expectGatewayError(() => fixture.open(), 'HGW_KEYRING_MISSING_KEK')).toContain(kekPath);

    writeFileSync(kekPath, kek, { mode: 0o600 });
    expect(fixture.open().linkKey(march)).toBeDefined();
  });

  it('zeroize wipes memory and the KEK, after which the keyring cannot be opened', () => {
    const keyring = fixture.open();
    const key = keyring.ensureLinkKey(march);
    keyring.zeroize();
    expect(key.every((byte) => byte === 0)).toBe(true);
    expect(readdirSync(fixture.directory)).toEqual(['keyring.json']);
    expect(keyring.zeroized).toBe(true);
    expectGatewayError(() => keyring.linkKey(march), 'HGW_KEYRING_ZEROIZED');
    expectGatewayError(() => fixture.open(), 'HGW_KEYRING_MISSING_KEK');
  });
});

describe('Keyring status', () => {
  it('shows epochs, times, generation, paths and modes, and never key material', () => {
    const keyring = fixture.open();
    const t0 = fixture.clock.now();
    const keys = [keyring.ensureLinkKey(february)];
    fixture.clock.advance(1_000);
    keys.push(keyring.ensureLinkKey(january), keyring.ensureVaultKey('chat-ip', march));
    fixture.clock.advance(1_000);
    keyring.shredLinkKey(february);

    const status = keyring.status();
    expect(status.link).toEqual({
      live: [{ epoch: january, createdAt: t0 + 1_000 }],
      shredded: [{ epoch: february, shreddedAt: t0 + 2_000 }],
    });
    expect(status.vault['chat-ip'].live).toEqual([{ epoch: march, createdAt: t0 + 1_000 }]);
    expect(status.vault['phone-number']).toEqual({ live: [], shredded: [] });
    expect(status.kek.generation).toBe(2);
    expect(status.directory).toEqual({ path: fixture.directory, mode: 0o700 });
    expect(status.keyringFile).toEqual({ path: keyringPath, mode: 0o600 });
    expect(status.kekFile).toEqual({ path: join(fixture.directory, 'kek-2.key'), mode: 0o600 });

    const rendered = Buffer.from(JSON.stringify(status));
    for (const key of [...keys.slice(1), readFileSync(status.kekFile.path)]) expect(containsKey(rendered, key)).toBe(false);
  });
});

describe('Keyring close', () => {
  it('wipes the unwrapped keys and refuses further use', () => {
    const keyring = fixture.open();
    const key = keyring.ensureVaultKey('mail-address', march);
    keyring.close();
    expect(key.every((byte) => byte === 0)).toBe(true);
    expectGatewayError(() => keyring.vaultKey('mail-address', march), 'HGW_KEYRING_MISSING_KEK');
    expect(fixture.open().vaultKey('mail-address', march)).toBeDefined();
  });
});

describe('Keyring with a second writer', () => {
  it('refuses to write over changes another instance made, instead of dropping its keys', () => {
    const first = fixture.open();
    first.ensureLinkKey(january);
    const second = fixture.open();
    second.shredLinkKey(january);
    expectGatewayError(() => first.ensureLinkKey(february), 'HGW_KEYRING_CORRUPT');
    expect(fixture.open().linkKey(january)).toBeUndefined();
    expect(fixture.open().linkKey(february)).toBeUndefined();
  });
});

describe('Keyring opened read-only beside its owner', () => {
  it('reads the keys but leaves in-progress files alone and refuses every change', () => {
    const owner = fixture.open();
    const key = Buffer.from(owner.ensureLinkKey(january));
    // What the owner has on disk halfway through a rewrap: its new KEK and its keyring being written.
    writeFileSync(join(fixture.directory, 'kek-2.key'), nacl.randomBytes(32), { mode: 0o600 });
    writeFileSync(join(fixture.directory, 'keyring.json.tmp'), '{"in progress', { mode: 0o600 });

    const reader = Keyring.open({ directory: fixture.directory, clock: fixture.clock, access: 'read-only' });
    expect(Buffer.from(reader.linkKey(january) ?? [])).toEqual(key);
    expect(reader.status().link.live.map((entry) => entry.epoch)).toEqual([january]);
    expect(readdirSync(fixture.directory).sort()).toEqual(['kek-1.key', 'kek-2.key', 'keyring.json', 'keyring.json.tmp']);
    expectGatewayError(() => reader.ensureLinkKey(february), 'HGW_KEYRING_PERMISSIONS');
    expectGatewayError(() => reader.shredLinkKey(january), 'HGW_KEYRING_PERMISSIONS');
    expectGatewayError(() => reader.rewrap(), 'HGW_KEYRING_PERMISSIONS');
    expectGatewayError(() => reader.zeroize(), 'HGW_KEYRING_PERMISSIONS');
    expect(reader.linkKey(january)).toBeDefined();
  });

  it('creates nothing when there is no keyring', () => {
    expectGatewayError(() => Keyring.open({ directory: fixture.directory, clock: fixture.clock, access: 'read-only' }), 'HGW_KEYRING_MISSING_KEK');
    expect(existsSync(fixture.directory)).toBe(false);
  });
});
