import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Keyring } from '../../src/privacy/keyring.js';
import { ManualClock } from '../../src/time/clock.js';

/** A keyring in a fresh temporary directory; `cleanup` removes the directory. */
export interface KeyringFixture {
  readonly root: string;
  readonly directory: string;
  readonly clock: ManualClock;
  open(): Keyring;
  cleanup(): void;
}

export function keyringFixture(): KeyringFixture {
  const root = mkdtempSync(join(tmpdir(), 'hgw-privacy-'));
  const directory = join(root, 'keys');
  const clock = new ManualClock(new Date('2025-03-14T10:00:00Z'));
  return {
    root,
    directory,
    clock,
    open: () => Keyring.open({ directory, clock }),
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  };
}

/** Every rendering of a key someone might find by scanning a file: raw, hex, base64, base64url. */
export function keyRenderings(key: Uint8Array): { raw: Buffer; text: string[] } {
  const raw = Buffer.from(key);
  return { raw, text: [raw.toString('hex'), raw.toString('hex').toUpperCase(), raw.toString('base64').replace(/=+$/, ''), raw.toString('base64url')] };
}

export function containsKey(haystack: Buffer, key: Uint8Array): boolean {
  const { raw, text } = keyRenderings(key);
  const asText = haystack.toString('latin1');
  return haystack.includes(raw) || text.some((rendering) => asText.includes(rendering));
}
