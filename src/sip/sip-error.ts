import { GatewayError } from '../errors.js';

/**
 * The SIP layer's two refusals. Reasons are fixed phrases chosen by the code, never text taken from
 * the message: a header value may hold a caller's number.
 */
export function malformed(reason: string): GatewayError {
  return new GatewayError('HGW_SIP_MALFORMED', `malformed SIP message: ${reason}`);
}

export function tooLarge(reason: string): GatewayError {
  return new GatewayError('HGW_SIP_TOO_LARGE', `SIP message too large: ${reason}`);
}
