/**
 * The privacy boundary of the SIP line: the one place that reads the caller's number from a trunk
 * INVITE. The number leaves this module only inside a RawPhoneNumber (which refuses to print
 * itself) and goes to the intake; nothing built for a desk phone, a log line or a counter is made
 * from the headers read here.
 */
import { normalizePhoneNumber, type SiteCountry } from '../../privacy/normalize.js';
import { parseNameAddress, splitHeaderList, type AnyUri, type SipRequest } from '../../sip/index.js';
import type { CallerPresentation } from '../line-interface.js';

/** RFC 3323 privacy values that ask for the caller's identity to be kept back. */
const IDENTITY_PRIVACY = new Set(['id', 'header', 'user']);
const ANONYMOUS_HOSTS = new Set(['anonymous.invalid']);

/** The number as a trunk writes it in a URI: a tel: number or a sip: user part, %-decoded, without user parameters. */
function numberText(uri: AnyUri): string | 'anonymous' | undefined {
  if (uri.scheme === 'tel') return uri.number;
  if (ANONYMOUS_HOSTS.has(uri.host.toLowerCase())) return 'anonymous';
  if (uri.user === undefined) return undefined;
  const bare = uri.user.split(';')[0] ?? '';
  try {
    return decodeURIComponent(bare);
  } catch {
    return bare;
  }
}

function uriOf(headerValue: string): AnyUri | undefined {
  try {
    return parseNameAddress(headerValue).uri;
  } catch {
    return undefined;
  }
}

function asksForPrivacy(request: SipRequest): boolean {
  for (const value of request.headers.getAll('Privacy')) {
    for (const token of value.split(/[;,]/)) {
      if (IDENTITY_PRIVACY.has(token.trim().toLowerCase())) return true;
    }
  }
  return false;
}

/** P-Asserted-Identity entries, a tel: URI first (it carries the number unambiguously). */
function assertedUris(request: SipRequest): AnyUri[] {
  const uris: AnyUri[] = [];
  for (const value of request.headers.getAll('P-Asserted-Identity')) {
    let entries: string[];
    try {
      entries = splitHeaderList(value);
    } catch {
      continue;
    }
    for (const entry of entries) {
      const uri = uriOf(entry);
      if (uri) uris.push(uri);
    }
  }
  return uris.sort((left, right) => Number(right.scheme === 'tel') - Number(left.scheme === 'tel'));
}

/**
 * Who is calling, from P-Asserted-Identity (the trunk's word), else From. `Privacy: id` (or header,
 * user) and anonymous URIs mean withheld; anything that is not a number is invalid.
 */
export function readCallerPresentation(request: SipRequest, country: SiteCountry): CallerPresentation {
  if (asksForPrivacy(request)) return { kind: 'withheld' };
  const from = request.headers.get('From');
  const candidates = [...assertedUris(request), ...(from === undefined ? [] : [uriOf(from)])];
  let sawText = false;
  for (const uri of candidates) {
    const text = uri ? numberText(uri) : undefined;
    if (text === undefined) continue;
    sawText = true;
    const normalized = normalizePhoneNumber(text, country);
    if (normalized.kind !== 'invalid') return normalized;
  }
  // Something that is not a number (`sip:sipp@...`) is invalid; no user part at all is no caller ID.
  return sawText ? { kind: 'invalid' } : { kind: 'unavailable' };
}
