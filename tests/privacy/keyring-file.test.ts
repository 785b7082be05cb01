import { chmodSync, existsSync, linkSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isGatewayError } from '../../src/errors.js';
import { overwriteAndRemove, parseKeyringDocument, writeFileAtomically } from '../../src/privacy/keyring-file.js';

let directory: string;
beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), 'hgw-keyring-file-'));
});
afterEach(() => rmSync(directory, { recursive: true, force: true }));

describe('writeFileAtomically', () => {
  it('replaces the content, sets the exact mode and leaves no temporary file', () => {
    const path = join(directory, 'keyring.json');
    writeFileSync(path, 'old', { mode: 0o644 });
    writeFileSync(`${path}.tmp`, 'leftover from a crash', { mode: 0o666 });
    chmodSync(`${path}.tmp`, 0o666);
    writeFileAtomically(path, new TextEncoder().encode('new'), 0o600);
    expect(readFileSync(path, 'utf8')).toBe('new');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readdirSync(directory)).toEqual(['keyring.json']);
  });
});

describe('overwriteAndRemove', () => {
  it('zeroes the blocks before unlinking, so another link to the same file reads only zeros', () => {
    const path = join(directory, 'kek-1.key');
    const otherLink = join(directory, 'other-link');
    writeFileSync(path, Buffer.alloc(32, 0xab));
    linkSync(path, otherLink);
    overwriteAndRemove(path);
    expect(existsSync(path)).toBe(false);
    expect([...readFileSync(otherLink)]).toEqual(new Array(32).fill(0));
  });
});

describe('parseKeyringDocument', () => {
  it('names the file and the field, and never quotes the content', () => {
    const secret = 'c2VjcmV0LWtleS1tYXRlcmlhbA';
    for (const text of [`{"format": "${secret}`, `{"format": "${secret}"}`, '\u0000\u00ff']) {
      let error: unknown;
      try {
        parseKeyringDocument(Buffer.from(text, 'latin1'), '/keys/keyring.json');
      } catch (caught) {
        error = caught;
      }
      expect(isGatewayError(error, 'HGW_KEYRING_CORRUPT')).toBe(true);
      expect((error as Error).message).toContain('/keys/keyring.json');
      expect((error as Error).message).not.toContain(secret);
    }
  });
});
