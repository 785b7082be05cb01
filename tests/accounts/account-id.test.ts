import { describe, expect, it } from 'vitest';
import { checkAccountId, isValidAccountId } from '../../src/accounts/account-policy.js';

describe('account ids', () => {
  it('refuses an id with a run of six digits, which the audit log would refuse as a possible phone number', () => {
    expect(isValidAccountId('coord12345')).toBe(true);
    expect(isValidAccountId('coord123456')).toBe(false);
    expect(() => checkAccountId('0612345678')).toThrow(/no run of six digits/);
  });
});
