import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { refusesWrites } from '../../src/health/index.js';

let directory: string | undefined;

afterEach(() => {
  if (directory) rmSync(directory, { recursive: true, force: true });
  directory = undefined;
});

describe('refusesWrites', () => {
  it('answers false for a writable directory and leaves nothing behind', () => {
    directory = mkdtempSync(join(tmpdir(), 'hgw-ro-check-'));
    expect(refusesWrites(directory)).toBe(false);
    expect(readdirSync(directory)).toEqual([]);
  });

  it('answers false for other errors: only EROFS says read-only (a real read-only ext4 is in tests/resilience)', () => {
    expect(refusesWrites(join(tmpdir(), 'hgw-no-such-directory', 'deeper'))).toBe(false);
  });
});
