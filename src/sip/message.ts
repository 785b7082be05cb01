import { SipHeaders } from './headers.js';
import { parseCSeq, parseNameAddress, parseVia, type CSeqValue, type NameAddress, type ViaValue } from './header-values.js';
import { malformed } from './sip-error.js';
import { paramValue, type AnyUri } from './uri.js';

export interface SipRequest {
  readonly kind: 'request';
  readonly method: string;
  readonly uri: AnyUri;
  /** Everything but Content-Length, which the serializer writes from the body's length. */
  readonly headers: SipHeaders;
  readonly body: Uint8Array;
}

export interface SipResponse {
  readonly kind: 'response';
  readonly status: number;
  readonly reason: string;
  readonly headers: SipHeaders;
  readonly body: Uint8Array;
}

export type SipMessage = SipRequest | SipResponse;

/** The RFC 3261 §17 magic cookie: a branch starting with it is unique per transaction. */
export const BRANCH_MAGIC_COOKIE = 'z9hG4bK';

const REASON_PHRASES: Readonly<Record<number, string>> = {
  100: 'Trying', 180: 'Ringing', 181: 'Call Is Being Forwarded', 182: 'Queued', 183: 'Session Progress',
  200: 'OK', 202: 'Accepted', 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found',
  405: 'Method Not Allowed', 408: 'Request Timeout', 413: 'Request Entity Too Large', 415: 'Unsupported Media Type',
  416: 'Unsupported URI Scheme', 480: 'Temporarily Unavailable', 481: 'Call/Transaction Does Not Exist',
  482: 'Loop Detected', 483: 'Too Many Hops', 486: 'Busy Here', 487: 'Request Terminated', 488: 'Not Acceptable Here',
  491: 'Request Pending', 500: 'Server Internal Error', 501: 'Not Implemented', 503: 'Service Unavailable',
  504: 'Server Time-out', 600: 'Busy Everywhere', 603: 'Decline',
};

export function defaultReasonPhrase(status: number): string {
  return REASON_PHRASES[status] ?? (status < 200 ? 'Progress' : status < 300 ? 'OK' : 'Error');
}

function required(message: SipMessage, name: string): string {
  const value = message.headers.get(name);
  if (value === undefined) throw malformed(`missing ${name}`);
  return value;
}

export function callIdOf(message: SipMessage): string {
  return required(message, 'Call-ID');
}

export function cseqOf(message: SipMessage): CSeqValue {
  return parseCSeq(required(message, 'CSeq'));
}

export function topViaOf(message: SipMessage): ViaValue {
  return parseVia(required(message, 'Via'));
}

export function fromOf(message: SipMessage): NameAddress {
  return parseNameAddress(required(message, 'From'));
}

export function toOf(message: SipMessage): NameAddress {
  return parseNameAddress(required(message, 'To'));
}

export function tagOf(address: NameAddress): string | undefined {
  const tag = paramValue(address.params, 'tag');
  return tag === '' ? undefined : tag;
}

export function branchOf(via: ViaValue): string | undefined {
  const branch = paramValue(via.params, 'branch');
  return branch === '' ? undefined : branch;
}

export interface ResponseOptions {
  readonly reason?: string;
  /** Added to the To header when it has no tag yet (every response but 100 should carry one). */
  readonly toTag?: string;
  /** Extra headers, in order, after the ones copied from the request. */
  readonly headers?: ReadonlyArray<readonly [string, string]>;
  readonly body?: Uint8Array;
}

/**
 * A response to `request` (RFC 3261 §8.2.6): Via, From, To, Call-ID and CSeq are copied, as the
 * protocol requires for the response to find its way back; nothing else is.
 */
export function createResponse(request: SipRequest, status: number, options: ResponseOptions = {}): SipResponse {
  const headers = new SipHeaders();
  for (const via of request.headers.getAll('Via')) headers.append('Via', via);
  headers.append('From', required(request, 'From'));
  const to = required(request, 'To');
  const needsTag = options.toTag !== undefined && status !== 100 && tagOf(parseNameAddress(to)) === undefined;
  headers.append('To', needsTag ? `${to};tag=${options.toTag}` : to);
  headers.append('Call-ID', required(request, 'Call-ID'));
  headers.append('CSeq', required(request, 'CSeq'));
  for (const [name, value] of options.headers ?? []) headers.append(name, value);
  return {
    kind: 'response',
    status,
    reason: options.reason ?? defaultReasonPhrase(status),
    headers,
    body: options.body ?? new Uint8Array(0),
  };
}

export function describeMessage(message: SipMessage): string {
  return message.kind === 'request' ? message.method : String(message.status);
}
