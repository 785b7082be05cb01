import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Keyring } from '../../src/privacy/keyring.js';
import { asMonthEpoch } from '../../src/time/month-epoch.js';
import { deskFixture, type DeskFixture } from '../contacts/desk-fixture.js';
import { containsKey } from '../privacy/keyring-fixture.js';
import { filesUnder, probeFor, scanDirectory, type KnownNumber } from '../support/identifier-scanner.js';

const CALLERS: readonly KnownNumber[] = [
  { name: 'Dutch mobile', e164: '+31612345678', countryCode: '31', areaCodeLength: 1 },
  { name: 'Dutch landline', e164: '+31302875914', countryCode: '31', areaCodeLength: 2 },
];
const national = (number: KnownNumber): string => `0${number.e164.slice(1 + number.countryCode.length)}`;

let fixture: DeskFixture | undefined;

afterEach(() => {
  fixture?.close();
  fixture = undefined;
});

describe('a month that leaves the window', () => {
  it('is present a day before its deadline and, a day after, unrecoverable: no identifier, no key byte, no unsealing, not even with an old keyring file', async () => {
    fixture = deskFixture(new Date('2026-01-15T10:00:00Z'));
    const desk = fixture;
    const january = asMonthEpoch('2026-01');
    const views = CALLERS.map((caller) => desk.call(national(caller)));
    const rows = views.map((view) => desk.contacts.findByReference(view.reference));
    const linkKey = Uint8Array.from(desk.keyring.linkKey(january) ?? []);
    const vaultKey = Uint8Array.from(desk.keyring.vaultKey('phone-number', january) ?? []);
    expect(linkKey.length).toBe(32);
    const keyringFile = join(desk.root, 'keyring', 'keyring.json');
    const oldKeyringCopy = join(desk.root, 'keyring-before.json');
    copyFileSync(keyringFile, oldKeyringCopy);

    // 30 June, a day before the deadline (1 July 00:00 in Amsterdam): still linkable and sealed.
    desk.clock.set(new Date('2026-06-29T22:00:00Z'));
    expect((await desk.sweeper.sweep()).keysShredded).toEqual([]);
    expect(desk.call(national(CALLERS[0] as KnownNumber)).priorContacts).toBe(1);

    // 2 July, a day after: gone.
    desk.clock.set(new Date('2026-07-01T22:00:00Z'));
    expect((await desk.sweeper.sweep()).keysShredded).toEqual([
      { family: 'link', epoch: '2026-01' },
      { family: 'phone-number', epoch: '2026-01' },
    ]);
    for (const row of rows) {
      if (!row?.sealedIdentifier || !row.sealedEpoch) throw new Error('expected a sealed copy from January');
      expect(desk.vault.unseal(row.sealedIdentifier, 'phone-number', row.sealedEpoch, 'phone')).toBeUndefined();
      expect(desk.contacts.findById(row.id)).toMatchObject({ pseudonym: null, sealedIdentifier: null });
    }
    desk.database.checkpoint();

    const scan = scanDirectory(desk.root, CALLERS.map(probeFor));
    expect(scan.files).toEqual(expect.arrayContaining(['gateway.db', 'keyring/keyring.json']));
    expect(scan.sightings).toEqual([]);
    for (const file of filesUnder(desk.root).filter((name) => name !== 'keyring-before.json')) {
      const bytes = readFileSync(join(desk.root, file));
      expect(containsKey(bytes, linkKey), `January's link key in ${file}`).toBe(false);
      expect(containsKey(bytes, vaultKey), `January's vault key in ${file}`).toBe(false);
    }

    // The keyring file from before the shred, put back: its key-encryption key was destroyed.
    desk.keyring.close();
    copyFileSync(oldKeyringCopy, keyringFile);
    expect(() => Keyring.open({ directory: join(desk.root, 'keyring'), clock: desk.clock })).toThrow(/HGW_KEYRING|key-encryption|kek/i);
  });
});
