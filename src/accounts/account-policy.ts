import { AccountError } from './account-error.js';

export const MIN_PASSWORD_LENGTH = 12;
/** Long enough for any passphrase; bounds the work one login request can ask for. */
export const MAX_PASSWORD_LENGTH = 1024;

/**
 * Lower-case letters, digits, dot, dash, underscore; 2–64 characters, starting with a letter or
 * digit. No `@`, so an e-mail address (an identifier the box never logs) cannot become an account id.
 */
const ACCOUNT_ID = /^[a-z0-9][a-z0-9._-]{1,63}$/;

/** What a person types at login ("Anna ") and what is stored ("anna") are the same account. */
export function normalizeAccountId(id: string): string {
  return id.trim().toLowerCase();
}

/**
 * An account id lands in the audit log, which refuses anything shaped like an identifier: no run
 * of six digits (a phone number's tail), so an id can never be somebody's number.
 */
export function isValidAccountId(id: string): boolean {
  return ACCOUNT_ID.test(id) && !/\d{6}/.test(id);
}

/** The normalized id, or HGW_ACCOUNT_INVALID_ID. */
export function checkAccountId(id: unknown): string {
  const normalized = typeof id === 'string' ? normalizeAccountId(id) : '';
  if (!isValidAccountId(normalized)) {
    throw new AccountError(
      'HGW_ACCOUNT_INVALID_ID',
      'account id must be 2-64 characters: lower-case letters, digits, dot, dash or underscore, starting with a letter or digit, with no run of six digits',
    );
  }
  return normalized;
}

/** HGW_ACCOUNT_WEAK_PASSWORD with the rule that failed; the message never repeats the password. */
export function checkPasswordPolicy(accountId: string, password: unknown): string {
  if (typeof password !== 'string') throw new AccountError('HGW_ACCOUNT_WEAK_PASSWORD', 'password must be a string');
  const normalized = password.normalize('NFKC');
  const length = [...normalized].length;
  if (length < MIN_PASSWORD_LENGTH) {
    throw new AccountError('HGW_ACCOUNT_WEAK_PASSWORD', `password must be at least ${MIN_PASSWORD_LENGTH} characters`);
  }
  if (length > MAX_PASSWORD_LENGTH) {
    throw new AccountError('HGW_ACCOUNT_WEAK_PASSWORD', `password must be at most ${MAX_PASSWORD_LENGTH} characters`);
  }
  if (normalizeAccountId(normalized) === normalizeAccountId(accountId)) {
    throw new AccountError('HGW_ACCOUNT_WEAK_PASSWORD', 'password must not be the account id');
  }
  return password;
}
