import { describe, expect, it } from 'vitest';
import { TrustedProxies } from '../../src/chat/client-address.js';
import { canonicalText } from '../../src/privacy/raw-identifier.js';

function resolved(proxies: TrustedProxies, peer: string | undefined, forwardedFor?: string | string[]): string | null {
  const client = proxies.resolve(peer, forwardedFor);
  return client.kind === 'address' ? canonicalText(client.address) : null;
}

describe('the client address rule', () => {
  it('takes the peer when it is not a trusted proxy, whatever X-Forwarded-For says', () => {
    const proxies = new TrustedProxies(['10.0.0.0/8']);
    expect(resolved(proxies, '::ffff:198.51.100.4', '203.0.113.9')).toBe('198.51.100.4');
  });

  it('reads several X-Forwarded-For headers as one list, from the right, skipping trusted proxies', () => {
    const proxies = new TrustedProxies(['127.0.0.1', '10.0.0.0/8', '::ffff:192.0.2.0/120']);
    expect(resolved(proxies, '127.0.0.1', ['198.51.100.1, 203.0.113.9', '10.0.0.2, 192.0.2.7'])).toBe('203.0.113.9');
  });

  it('gives no address for a trusted peer without X-Forwarded-For, or with an unreadable entry on the way', () => {
    const proxies = new TrustedProxies(['127.0.0.1']);
    expect(proxies.resolve('127.0.0.1', undefined)).toEqual({ kind: 'unreadable', why: 'no-forwarded-for' });
    expect(proxies.resolve('127.0.0.1', '127.0.0.1')).toEqual({ kind: 'unreadable', why: 'no-forwarded-for' });
    expect(proxies.resolve('127.0.0.1', '203.0.113.9, 010.0.0.1')).toEqual({ kind: 'unreadable', why: 'bad-forwarded-for' });
    expect(proxies.resolve(undefined, '203.0.113.9')).toEqual({ kind: 'unreadable', why: 'no-peer' });
  });

  it('limits IPv6 clients per /64 and IPv4 clients per address, under a key that is not the address', () => {
    const proxies = new TrustedProxies([]);
    const key = (peer: string): string => {
      const client = proxies.resolve(peer, undefined);
      if (client.kind !== 'address') throw new Error('unreadable');
      return client.limitKey;
    };
    expect(key('2001:db8:1:2::a')).toBe(key('2001:db8:1:2:ffff::b'));
    expect(key('2001:db8:1:2::a')).not.toBe(key('2001:db8:1:3::a'));
    expect(key('203.0.113.9')).not.toBe(key('203.0.113.10'));
    expect(key('203.0.113.9')).not.toContain('203');
  });

  it('refuses a trusted proxy entry that is not an address or range, naming it', () => {
    expect(() => new TrustedProxies(['10.0.0.0/33'])).toThrow(/10\.0\.0\.0\/33/);
    expect(() => new TrustedProxies(['proxy.local'])).toThrow(TypeError);
  });
});
