import { describe, expect, it } from 'vitest';
import { statusForRefusal } from '../../src/stations/coordinator-http.js';
import { clearedSessionCookie, isSameOrigin, isStateChanging, parseCookies, RemoteKeyer, sessionCookie } from '../../src/stations/session-auth.js';

describe('parseCookies', () => {
  it('reads name=value pairs separated by semicolons, trimming spaces and decoding values', () => {
    expect(parseCookies('a=1; hgw_session=abc%2Bdef ;theme = dark')).toEqual(
      new Map([
        ['a', '1'],
        ['hgw_session', 'abc+def'],
        ['theme', 'dark'],
      ]),
    );
  });

  it('keeps the first of two cookies with one name, as browsers send the most specific first', () => {
    expect(parseCookies('hgw_session=first; hgw_session=second').get('hgw_session')).toBe('first');
  });

  it('skips pairs without "=", names with separators, and values that do not decode', () => {
    const cookies = parseCookies('junk; bad name=x; broken=%E0%A4%A; ok=yes; =empty-name');
    expect([...cookies.keys()]).toEqual(['ok']);
  });

  it('strips the quotes of a quoted value and keeps "=" inside a value', () => {
    expect(parseCookies('a="quoted"; b=x=y').get('a')).toBe('quoted');
    expect(parseCookies('a="quoted"; b=x=y').get('b')).toBe('x=y');
  });

  it('returns nothing for a missing or an oversized header', () => {
    expect(parseCookies(undefined).size).toBe(0);
    expect(parseCookies(`a=${'x'.repeat(9000)}`).size).toBe(0);
  });
});

describe('the session cookie', () => {
  it('is HttpOnly, SameSite=Strict, Path=/ and Secure only over https', () => {
    expect(sessionCookie('tok', false)).toBe('hgw_session=tok; Path=/; HttpOnly; SameSite=Strict');
    expect(sessionCookie('tok', true)).toBe('hgw_session=tok; Path=/; HttpOnly; SameSite=Strict; Secure');
  });

  it('is cleared with an empty value and Max-Age=0', () => {
    expect(clearedSessionCookie(false)).toBe('hgw_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0');
  });
});

describe('origin and method checks', () => {
  it('accepts a missing Origin or this server\'s own, refuses any other', () => {
    expect(isSameOrigin(undefined, '127.0.0.1:8080', 'http')).toBe(true);
    expect(isSameOrigin('http://127.0.0.1:8080', '127.0.0.1:8080', 'http')).toBe(true);
    expect(isSameOrigin('https://127.0.0.1:8080', '127.0.0.1:8080', 'http')).toBe(false);
    expect(isSameOrigin('http://evil.example', '127.0.0.1:8080', 'http')).toBe(false);
    expect(isSameOrigin('null', '127.0.0.1:8080', 'http')).toBe(false);
    expect(isSameOrigin('http://127.0.0.1:8080', undefined, 'http')).toBe(false);
  });

  it('treats everything but GET, HEAD and OPTIONS as state-changing', () => {
    expect(['GET', 'HEAD', 'OPTIONS'].map(isStateChanging)).toEqual([false, false, false]);
    expect(['POST', 'PUT', 'PATCH', 'DELETE'].map(isStateChanging)).toEqual([true, true, true, true]);
  });
});

describe('RemoteKeyer', () => {
  it('gives one address the same key and never the address itself', () => {
    const keyer = new RemoteKeyer();
    const key = keyer.keyFor('192.0.2.7');
    expect(keyer.keyFor('192.0.2.7')).toBe(key);
    expect(keyer.keyFor('192.0.2.8')).not.toBe(key);
    expect(key).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(key).not.toContain('192');
  });

  it('draws a fresh key per instance, so keys cannot be matched across restarts', () => {
    expect(new RemoteKeyer().keyFor('192.0.2.7')).not.toBe(new RemoteKeyer().keyFor('192.0.2.7'));
  });
});

describe('statusForRefusal', () => {
  it('maps the callers\' request refusal codes to HTTP statuses', () => {
    expect(statusForRefusal('HGW_RIGHTS_UNKNOWN_REQUEST')).toBe(404);
    expect(statusForRefusal('HGW_RIGHTS_UNKNOWN_CONTACT')).toBe(404);
    expect(statusForRefusal('HGW_RIGHTS_FORBIDDEN')).toBe(403);
    expect(statusForRefusal('HGW_RIGHTS_INVALID_IDENTIFIER')).toBe(400);
    expect(statusForRefusal('HGW_RIGHTS_BAD_REQUEST')).toBe(400);
    expect(statusForRefusal('HGW_RIGHTS_IDENTITY_UNCHECKED')).toBe(409);
    expect(statusForRefusal('HGW_RIGHTS_ANSWERED')).toBe(409);
    expect(statusForRefusal('HGW_KEY_SHREDDED')).toBe(410);
    expect(statusForRefusal('HGW_STORE_INTEGRITY')).toBe(500);
  });
});
