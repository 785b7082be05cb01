import * as fs from 'node:fs';
import { cpSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Keyring } from '../../src/privacy/keyring.js';
import { asMonthEpoch } from '../../src/time/month-epoch.js';
import { keyringFixture, type KeyringFixture } from './keyring-fixture.js';

/**
 * A crash simulated at every file-system step of a keyring mutation: the N-th write, fsync,
 * rename, unlink or open throws, and so does every step after it (the process is "dead"). Then
 * the keyring is opened from what is on disk, which must be the state before or after.
 */
const crash = vi.hoisted(() => ({ armedAt: 0, steps: 0, crashed: false }));

class SimulatedCrash extends Error {}

vi.mock('node:fs', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs')>();
  const step = <A extends unknown[], R>(call: (...args: A) => R) =>
    (...args: A): R => {
      if (crash.armedAt > 0) {
        crash.steps += 1;
        if (crash.crashed || crash.steps >= crash.armedAt) {
          crash.crashed = true;
          throw new SimulatedCrash('simulated crash');
        }
      }
      return call(...args);
    };
  const patched = {
    ...actual,
    openSync: step(actual.openSync),
    writeSync: step(actual.writeSync as (...args: unknown[]) => number),
    fsyncSync: step(actual.fsyncSync),
    fchmodSync: step(actual.fchmodSync),
    renameSync: step(actual.renameSync),
    unlinkSync: step(actual.unlinkSync),
  };
  return { ...patched, default: patched };
});

const january = asMonthEpoch('2025-01');
const february = asMonthEpoch('2025-02');

let fixture: KeyringFixture;
beforeEach(() => {
  fixture = keyringFixture();
});
afterEach(() => {
  crash.armedAt = 0;
  fixture.cleanup();
});

type Mutation = (keyring: Keyring) => unknown;

/** Run `mutation` crashing at step 1, 2, 3, … until it completes; check the reopened state each time. */
function crashAtEveryStep(mutation: Mutation, check: (keyring: Keyring, crashedAt: number) => void): number {
  const baseline = fixture.open();
  baseline.ensureLinkKey(january);
  baseline.ensureVaultKey('phone-number', february);
  baseline.close();
  const saved = join(fixture.root, 'baseline');
  cpSync(fixture.directory, saved, { recursive: true });

  for (let armedAt = 1; armedAt < 200; armedAt += 1) {
    rmSync(fixture.directory, { recursive: true, force: true });
    cpSync(saved, fixture.directory, { recursive: true });
    const keyring = fixture.open();
    Object.assign(crash, { armedAt, steps: 0, crashed: false });
    let completed = true;
    try {
      mutation(keyring);
    } catch (error) {
      if (!(error instanceof SimulatedCrash)) throw error;
      completed = false;
    } finally {
      crash.armedAt = 0;
    }
    const reopened = fixture.open();
    check(reopened, armedAt);
    const generation = reopened.status().kek.generation;
    expect(readdirSync(fixture.directory).sort(), `crash at step ${armedAt}`).toEqual([`kek-${generation}.key`, 'keyring.json']);
    reopened.close();
    if (completed) return armedAt - 1;
  }
  throw new Error('mutation never completed');
}

function hex(key: Uint8Array | undefined): string | undefined {
  return key && Buffer.from(key).toString('hex');
}

describe('Keyring after a crash at any step', () => {
  it('has the old or the new key after ensure, and keeps the others', () => {
    const before = fixture.open();
    const januaryKey = hex(before.ensureLinkKey(january));
    before.close();
    const steps = crashAtEveryStep(
      (keyring) => keyring.ensureLinkKey(february),
      (keyring) => {
        expect(hex(keyring.linkKey(january))).toBe(januaryKey);
        expect(keyring.vaultKey('phone-number', february)).toBeDefined();
      },
    );
    expect(steps).toBeGreaterThan(3);
  });

  it('has the key or has it shredded, never a keyring it cannot unwrap, after shred', () => {
    let shreddedSeen = false;
    crashAtEveryStep(
      (keyring) => keyring.shredLinkKey(january),
      (keyring) => {
        expect(keyring.vaultKey('phone-number', february)).toBeDefined();
        if (keyring.linkKey(january) === undefined) {
          shreddedSeen = true;
          expect(keyring.status().kek.generation).toBe(2);
        } else {
          expect(keyring.status().kek.generation).toBe(1);
        }
      },
    );
    expect(shreddedSeen).toBe(true);
  });

  it('keeps every key through a rewrap crashed at any step', () => {
    const before = fixture.open();
    const expected = [hex(before.ensureLinkKey(january)), hex(before.ensureVaultKey('phone-number', february))];
    before.close();
    crashAtEveryStep(
      (keyring) => keyring.rewrap(),
      (keyring) => {
        expect([hex(keyring.linkKey(january)), hex(keyring.vaultKey('phone-number', february))]).toEqual(expected);
      },
    );
  });
});

it('the crash simulation reaches the file system calls of keyring-file.ts', () => {
  const keyring = fixture.open();
  Object.assign(crash, { armedAt: 1, steps: 0, crashed: false });
  expect(() => keyring.rewrap()).toThrow(SimulatedCrash);
  crash.armedAt = 0;
  expect(fs.existsSync(join(fixture.directory, 'keyring.json'))).toBe(true);
});
