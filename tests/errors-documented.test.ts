import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..');

describe('the error codes', () => {
  it('has a row in docs/errors.md for every HGW_* code a GatewayError can carry', () => {
    const source = readFileSync(join(ROOT, 'src', 'errors.ts'), 'utf8');
    const union = source.slice(source.indexOf('export type GatewayErrorCode'), source.indexOf(';', source.indexOf('export type GatewayErrorCode')));
    const codes = [...union.matchAll(/'(HGW_[A-Z_]+)'/g)].map((match) => match[1]);
    expect(codes.length).toBeGreaterThan(40);
    const documented = new Set([...readFileSync(join(ROOT, 'docs', 'errors.md'), 'utf8').matchAll(/^\| `(HGW_[A-Z_]+)` \|/gm)].map((match) => match[1]));
    expect(codes.filter((code) => !documented.has(code))).toEqual([]);
  });
});
