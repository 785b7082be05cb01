import { createHmac, randomBytes } from 'node:crypto';

/** The coordinator session cookie; its value is the session token from AccountService.login. */
export const SESSION_COOKIE = 'hgw_session';
/** The page sends the session's CSRF token back in this header with every state-changing request. */
export const CSRF_HEADER = 'x-csrf-token';

/** A Cookie header longer than this is not one a browser of this site sends; it is ignored whole. */
const MAX_COOKIE_HEADER = 8192;
const COOKIE_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/**
 * Name → value from a Cookie header. The first occurrence of a name wins (browsers send the most
 * specific path first); pairs without `=` and values that do not decode are skipped.
 */
export function parseCookies(header: string | readonly string[] | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  const text = Array.isArray(header) ? header.join('; ') : header;
  if (typeof text !== 'string' || text.length > MAX_COOKIE_HEADER) return cookies;
  for (const pair of text.split(';')) {
    const equals = pair.indexOf('=');
    if (equals < 0) continue;
    const name = pair.slice(0, equals).trim();
    if (!COOKIE_NAME.test(name) || cookies.has(name)) continue;
    let value = pair.slice(equals + 1).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    try {
      cookies.set(name, decodeURIComponent(value));
    } catch {
      continue;
    }
  }
  return cookies;
}

/**
 * The Set-Cookie value for a new session: HttpOnly (the page's script never sees the token),
 * SameSite=Strict (no other site's page can send it), Secure when the request came over TLS. No
 * Max-Age: the server's idle and absolute expiry decide, the cookie goes when the browser closes.
 */
export function sessionCookie(token: string, secure: boolean): string {
  return [`${SESSION_COOKIE}=${encodeURIComponent(token)}`, 'Path=/', 'HttpOnly', 'SameSite=Strict', ...(secure ? ['Secure'] : [])].join('; ');
}

/** Tells the browser to drop the session cookie (logout, or a cookie naming no live session). */
export function clearedSessionCookie(secure: boolean): string {
  return [`${SESSION_COOKIE}=`, 'Path=/', 'HttpOnly', 'SameSite=Strict', 'Max-Age=0', ...(secure ? ['Secure'] : [])].join('; ');
}

export function isStateChanging(method: string): boolean {
  return method !== 'GET' && method !== 'HEAD' && method !== 'OPTIONS';
}

/**
 * Browsers send Origin with every cross-site request and with same-origin POSTs; one that is
 * present must be this server's own. A second wall behind SameSite=Strict and the CSRF header.
 */
export function isSameOrigin(origin: string | undefined, host: string | undefined, protocol: string): boolean {
  if (origin === undefined) return true;
  if (host === undefined) return false;
  let parsed: URL;
  try {
    parsed = new URL(origin);
  } catch {
    return false;
  }
  return parsed.protocol === `${protocol}:` && parsed.host === host.toLowerCase();
}

/**
 * Turns a client address into the login throttle's `remote` key: HMAC-SHA-256 under a key drawn
 * at construction and never stored, so the key is stable for the process's life and the address
 * cannot be recovered from it (an IP address is an identifier the box never keeps or logs).
 */
export class RemoteKeyer {
  readonly #key = randomBytes(32);

  keyFor(address: string): string {
    return createHmac('sha256', this.#key).update(address, 'utf8').digest('base64url');
  }
}
