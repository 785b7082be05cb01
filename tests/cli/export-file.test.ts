import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { replaceFile, writeNewFile } from '../../src/cli/export-file.js';
import { thrownBy } from '../support/thrown-by.js';

const directories: string[] = [];

function directory(): string {
  const made = mkdtempSync(join(tmpdir(), 'hgw-export-file-'));
  directories.push(made);
  return made;
}

afterEach(() => {
  for (const made of directories.splice(0)) rmSync(made, { recursive: true, force: true });
});

describe('writing an export', () => {
  it('writes a new file with exactly mode 600 and leaves no temporary file', () => {
    const dir = directory();
    const previous = process.umask(0o000);
    try {
      writeNewFile(join(dir, 'set.csv'), 'a,b\r\n', 0o600);
    } finally {
      process.umask(previous);
    }
    expect(readFileSync(join(dir, 'set.csv'), 'utf8')).toBe('a,b\r\n');
    expect(statSync(join(dir, 'set.csv')).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual(['set.csv']);
  });

  it('never replaces a file that is there, and cleans up after itself', () => {
    const dir = directory();
    writeFileSync(join(dir, 'set.csv'), 'theirs');
    expect(thrownBy(() => writeNewFile(join(dir, 'set.csv'), 'ours', 0o600))).toMatchObject({ code: 'HGW_EXPORT_EXISTS' });
    expect(readFileSync(join(dir, 'set.csv'), 'utf8')).toBe('theirs');
    expect(readdirSync(dir)).toEqual(['set.csv']);
  });

  it('reports a directory that is not there as unwritable', () => {
    const dir = directory();
    expect(thrownBy(() => writeNewFile(join(dir, 'missing', 'set.csv'), 'ours', 0o600))).toMatchObject({ code: 'HGW_EXPORT_UNWRITABLE', message: expect.stringMatching(/\(ENOENT\); nothing was written$/) });
  });

  it('replaces a report in one rename', () => {
    const dir = directory();
    replaceFile(join(dir, 'report.html'), 'first', 0o600);
    replaceFile(join(dir, 'report.html'), 'second', 0o600);
    expect(readFileSync(join(dir, 'report.html'), 'utf8')).toBe('second');
    expect(readdirSync(dir)).toEqual(['report.html']);
  });
});
