import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { policyPresets, validateConfig } from '../../src/config/index.js';
import { isGatewayError } from '../../src/errors.js';
import { thrownBy } from '../support/thrown-by.js';

const example = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'config.example.json'), 'utf8')) as Record<string, unknown>;

function messageOf(input: unknown): string {
  const error = thrownBy(() => validateConfig(input));
  if (!isGatewayError(error, 'HGW_CONFIG_INVALID')) throw error;
  return error.message;
}

describe('the moderation settings', () => {
  it('needs 3 Time Outs before a block in both presets, and lets a site choose 1 to 10', () => {
    expect(policyPresets['allesoke-nl'].timeOutsBeforeBlock).toBe(3);
    expect(policyPresets['lumi-be'].timeOutsBeforeBlock).toBe(3);
    expect(validateConfig(example).policy.timeOutsBeforeBlock).toBe(3);
    const two = validateConfig({ ...example, policy: { preset: 'allesoke-nl', overrides: { timeOutsBeforeBlock: 2 } } });
    expect(two.policy.timeOutsBeforeBlock).toBe(2);
    for (const wrong of [0, 11, 2.5]) {
      expect(messageOf({ ...example, policy: { preset: 'allesoke-nl', overrides: { timeOutsBeforeBlock: wrong } } })).toMatch(/policy\.overrides\.timeOutsBeforeBlock/);
    }
  });

  it('routes a call whose moderation lookup failed unless the site chooses to refuse it', () => {
    const { moderation: _documented, ...withoutModeration } = example;
    expect(validateConfig(withoutModeration).moderation).toEqual({ onLookupFailure: 'route' });
    expect(validateConfig(example).moderation).toEqual({ onLookupFailure: 'route' });
    expect(validateConfig({ ...example, moderation: { onLookupFailure: 'refuse' } }).moderation.onLookupFailure).toBe('refuse');
    expect(messageOf({ ...example, moderation: { onLookupFailure: 'maybe' } })).toMatch(/moderation\.onLookupFailure/);
    expect(messageOf({ ...example, moderation: { onLookupFailure: 'route', failOpen: true } })).toMatch(/failOpen/);
  });
});
