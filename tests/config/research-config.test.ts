import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../src/config/index.js';
import { thrownBy } from '../support/thrown-by.js';

const example = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'config.example.json'), 'utf8')) as Record<string, unknown>;

describe('the research section of the configuration', () => {
  it('defaults to k 5, l 2, at most 5% suppressed, outcome included', () => {
    expect(validateConfig({ ...example, research: undefined }).research).toEqual({ k: 5, l: 2, maxSuppressionPercent: 5, includeOutcome: true });
    expect(validateConfig({ ...example, research: { k: 11 } }).research).toMatchObject({ k: 11, l: 2 });
  });

  it('refuses k below 2, l above k, and unknown keys, naming each', () => {
    expect(thrownBy(() => validateConfig({ ...example, research: { k: 1 } }))).toMatchObject({ code: 'HGW_CONFIG_INVALID', message: expect.stringMatching(/research\.k: /) });
    expect(thrownBy(() => validateConfig({ ...example, research: { k: 3, l: 4 } }))).toMatchObject({ message: expect.stringMatching(/research\.l: l cannot exceed k/) });
    expect(thrownBy(() => validateConfig({ ...example, research: { kk: 3 } }))).toMatchObject({ message: expect.stringMatching(/research: /) });
  });
});
