import { GatewayError, type GatewayErrorCode } from '../errors.js';

/** Refusals of the accounts core, told apart by `code` (listed in docs/errors.md). */
export type AccountErrorCode = Extract<GatewayErrorCode, `HGW_ACCOUNT_${string}`>;

export class AccountError extends GatewayError {
  declare readonly code: AccountErrorCode;

  constructor(code: AccountErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'AccountError';
  }
}

export function isAccountError(error: unknown, code?: AccountErrorCode): error is AccountError {
  return error instanceof AccountError && (code === undefined || error.code === code);
}
