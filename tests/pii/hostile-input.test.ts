import { describe, expect, it } from 'vitest';
import { detectPii, redactPii } from '../../src/pii/index.js';

const SIZE = 200 * 1024;

/** Inputs that make a backtracking regex with nested quantifiers run for hours. */
const HOSTILE: ReadonlyArray<readonly [string, string]> = [
  ['digits', '1'.repeat(SIZE)],
  ['zeros', '0'.repeat(SIZE)],
  ['at signs', '@'.repeat(SIZE)],
  ['dots', '.'.repeat(SIZE)],
  ['spaces', ' '.repeat(SIZE)],
  ['letters a', 'a'.repeat(SIZE)],
  ['digits with spaces', '1 '.repeat(SIZE / 2)],
  ['zeros with dashes', '0-'.repeat(SIZE / 2)],
  ['dotted digits', '1.'.repeat(SIZE / 2)],
  ['letters with dots', 'a.'.repeat(SIZE / 2)],
  ['letter runs with an at sign', `${'a'.repeat(SIZE / 2)}@${'a'.repeat(SIZE / 2)}`],
  ['colons and hex', 'a:'.repeat(SIZE / 2)],
  ['words', 'ik heet '.repeat(SIZE / 8)],
  ['street suffixes', 'straat'.repeat(SIZE / 6)],
  ['emoji', '😭'.repeat(SIZE / 2)],
  ['dashes and letters', 'ab-'.repeat(SIZE / 3)],
  ['plus signs and digits', '+31 '.repeat(SIZE / 4)],
];

describe('hostile input', () => {
  it.each(HOSTILE)('finishes on 200 KB of %s', (_name, text) => {
    const started = process.hrtime.bigint();
    const spans = detectPii(text);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    expect(Array.isArray(spans)).toBe(true);
    // Linear rules take well under a second here; a backtracking blow-up takes minutes.
    expect(seconds).toBeLessThan(5);
  });

  it('redacts 200 KB of phone numbers, each one', () => {
    const text = Array.from({ length: 20_000 }, (_, index) => `06${String(10_000_000 + index)}`).join(' ');
    const redacted = redactPii(text);
    expect(redacted).not.toMatch(/\d/);
  });
});
