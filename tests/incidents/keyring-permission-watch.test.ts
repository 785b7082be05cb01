import { chmodSync, lstatSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KeyringPermissionWatch, type KeyringEntryStats } from '../../src/incidents/index.js';
import { silentLogger } from '../../src/log/logger.js';
import { Keyring } from '../../src/privacy/keyring.js';
import { HOUR, openIncidentFixture, type IncidentFixture } from './incident-fixture.js';

let fixture: IncidentFixture;
let directory: string;
let watch: KeyringPermissionWatch;

beforeEach(() => {
  fixture = openIncidentFixture();
  directory = join(fixture.root, 'keys');
  // A real keyring: keyring.json and kek-1.key, written the way the box writes them.
  Keyring.open({ directory, clock: fixture.clock }).close();
  watch = new KeyringPermissionWatch({ directory, incidents: fixture.register, logger: silentLogger(), intervalMs: 60_000 });
});

afterEach(async () => {
  await watch.stop();
  fixture.cleanup();
});

describe('the keyring permission watch', () => {
  it('finds nothing wrong with a keyring as the keyring writes it', async () => {
    await watch.start();
    expect(watch.check()).toEqual({ problems: [], raised: false });
    expect(fixture.incidents()).toEqual([]);
  });

  it('raises a high keyring-permissions incident when the directory is opened to 0755, once, and recovers silently', async () => {
    await watch.start();
    chmodSync(directory, 0o755);
    expect(watch.check()).toEqual({ problems: ['the keyring directory has mode 755 (want 700)'], raised: true });
    fixture.clock.advance(2 * HOUR);
    expect(watch.check().raised).toBe(false);
    expect(fixture.incidents()).toMatchObject([
      { kind: 'keyring-permissions', severity: 'high', summary: 'keyring permissions changed: the keyring directory has mode 755 (want 700)' },
    ]);
    chmodSync(directory, 0o700);
    expect(watch.check()).toEqual({ problems: [], raised: false });
    expect(fixture.incidents()).toHaveLength(1);
  });

  it('raises for a key file readable by others and for a symbolic link planted in the directory', () => {
    chmodSync(join(directory, 'keyring.json'), 0o644);
    expect(watch.check()).toMatchObject({ problems: ['keyring.json has mode 644 (want 600)'], raised: true });
    fixture.clock.advance(2 * HOUR);
    symlinkSync('/etc/hostname', join(directory, 'kek-2.key'));
    expect(watch.check()).toEqual({ problems: ['kek-2.key is a symbolic link', 'keyring.json has mode 644 (want 600)'], raised: true });
    expect(fixture.incidents().map((incident) => incident.summary)).toEqual([
      'keyring permissions changed: keyring.json has mode 644 (want 600)',
      'keyring permissions changed: kek-2.key is a symbolic link',
    ]);

    chmodSync(join(directory, 'keyring.json'), 0o600);
    unlinkSync(join(directory, 'kek-2.key'));
    fixture.clock.advance(2 * HOUR);
    expect(watch.check()).toEqual({ problems: [], raised: false });
    expect(fixture.incidents()).toHaveLength(2);
  });

  it('leans on the register to fold a second change within the hour into the open incident', () => {
    chmodSync(directory, 0o750);
    expect(watch.check().raised).toBe(true);
    chmodSync(join(directory, 'kek-1.key'), 0o640);
    watch.check();
    expect(fixture.incidents()).toHaveLength(1);
  });

  it('does not repeat in the summary a name it did not write: an unexpected entry stays unnamed', () => {
    writeFileSync(join(directory, 'call 0612345678 back'), 'x', { mode: 0o644 });
    expect(watch.check()).toEqual({ problems: ['an unexpected entry has mode 644 (want 600)'], raised: true });
    expect(fixture.incidents()[0]?.summary).not.toMatch(/0612345678/);
  });

  it('raises when a file or the directory gets another owner than the directory had at start', () => {
    let kekOwner: number | undefined;
    const lstat = (path: string): KeyringEntryStats => {
      const stats = lstatSync(path);
      if (kekOwner === undefined || !path.endsWith('kek-1.key')) return stats;
      return { mode: stats.mode, uid: kekOwner, isDirectory: () => stats.isDirectory(), isFile: () => stats.isFile(), isSymbolicLink: () => stats.isSymbolicLink() };
    };
    const owned = new KeyringPermissionWatch({ directory, incidents: fixture.register, logger: silentLogger(), lstat });
    expect(owned.check().raised).toBe(false);
    kekOwner = lstatSync(directory).uid + 1000;
    expect(owned.check()).toEqual({ problems: ['kek-1.key has another owner than the keyring directory'], raised: true });
  });

  it('raises when the keyring directory disappears', () => {
    fixture.cleanup();
    const gone = new KeyringPermissionWatch({ directory, incidents: { raise: () => { throw new Error('database closed'); } }, logger: silentLogger() });
    expect(gone.check()).toEqual({ problems: ['the keyring directory is missing'], raised: false });
  });
});
