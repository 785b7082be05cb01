/**
 * Errors with stable codes (HGW_*), told apart by code, never by message text. Messages are one
 * line, name what is wrong and never carry an identifier. docs/errors.md lists every code.
 */
export type GatewayErrorCode =
  | 'HGW_CONFIG_INVALID'
  | 'HGW_CONFIG_UNREADABLE'
  | 'HGW_KEYRING_PERMISSIONS'
  | 'HGW_KEYRING_CORRUPT'
  | 'HGW_KEYRING_MISSING_KEK'
  | 'HGW_KEY_SHREDDED'
  | 'HGW_STORE_IN_USE'
  | 'HGW_STORE_PRAGMA'
  | 'HGW_STORE_INTEGRITY'
  | 'HGW_STORE_SCHEMA_TOO_NEW'
  | 'HGW_STORE_UNWRITABLE'
  | 'HGW_LINE_UNKNOWN'
  | 'HGW_LINE_UNREACHABLE'
  | 'HGW_STATION_UNAUTHORIZED'
  | 'HGW_STATION_FORBIDDEN'
  | 'HGW_STATION_THROTTLED'
  | 'HGW_STATION_CONFLICT'
  | 'HGW_STATION_BAD_REQUEST'
  | 'HGW_STATION_UNKNOWN_CONTACT'
  | 'HGW_STATION_NOT_FOUND'
  | 'HGW_STATION_INTERNAL'
  | 'HGW_ACCOUNT_INVALID_ID'
  | 'HGW_ACCOUNT_INVALID_ROLE'
  | 'HGW_ACCOUNT_WEAK_PASSWORD'
  | 'HGW_ACCOUNT_EXISTS'
  | 'HGW_ACCOUNT_UNKNOWN'
  | 'HGW_ACCOUNT_HASH_MALFORMED'
  | 'HGW_UPSTREAM_TOPIC'
  | 'HGW_UPSTREAM_PAYLOAD'
  | 'HGW_RIGHTS_FORBIDDEN'
  | 'HGW_RIGHTS_BAD_REQUEST'
  | 'HGW_RIGHTS_INVALID_IDENTIFIER'
  | 'HGW_RIGHTS_UNKNOWN_CONTACT'
  | 'HGW_RIGHTS_UNKNOWN_REQUEST'
  | 'HGW_RIGHTS_WRONG_KIND'
  | 'HGW_RIGHTS_IDENTITY_UNCHECKED'
  | 'HGW_RIGHTS_ANSWERED'
  | 'HGW_RIGHTS_EXTENSION_REFUSED'
  | 'HGW_SIP_MALFORMED'
  | 'HGW_SIP_TOO_LARGE'
  | 'HGW_SIP_TRANSPORT'
  | 'HGW_SIP_TIMEOUT'
  | 'HGW_MEDIA_PORTS_EXHAUSTED'
  | 'HGW_MEDIA_CODEC'
  | 'HGW_MEDIA_PROMPT'
  | 'HGW_ROUTING_UNKNOWN_STATION'
  | 'HGW_ROUTING_INVALID_STATE'
  | 'HGW_MODERATION_FORBIDDEN'
  | 'HGW_MODERATION_UNKNOWN_CONTACT'
  | 'HGW_MODERATION_NOT_ELIGIBLE'
  | 'HGW_MODERATION_LOOKUP_FAILED';

export class GatewayError extends Error {
  readonly code: GatewayErrorCode;

  constructor(code: GatewayErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'GatewayError';
    this.code = code;
  }
}

export function isGatewayError(error: unknown, code?: GatewayErrorCode): error is GatewayError {
  return error instanceof GatewayError && (code === undefined || error.code === code);
}
