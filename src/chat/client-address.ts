import { createHmac, randomBytes } from 'node:crypto';
import ipaddr from 'ipaddr.js';
import { normalizeIpAddress } from '../privacy/normalize.js';
import type { RawIpAddress } from '../privacy/raw-identifier.js';

type Address = ipaddr.IPv4 | ipaddr.IPv6;
type Range = [Address, number];

/**
 * Where a chat connection comes from: the TCP peer, unless the peer is a trusted reverse proxy;
 * then the right-most X-Forwarded-For entry that is not itself a trusted proxy. Entries further
 * left were written by the client or by proxies nobody vouches for, so they are never read.
 */
export type ClientAddress =
  | {
      readonly kind: 'address';
      readonly address: RawIpAddress;
      /**
       * The rate limiter's key: a keyed hash of the address for IPv4, of its /64 for IPv6 (one
       * home's prefix hands out many addresses). Kept in memory for a minute, never logged or stored.
       */
      readonly limitKey: string;
    }
  | { readonly kind: 'unreadable'; readonly why: 'no-peer' | 'no-forwarded-for' | 'bad-forwarded-for' };

/** Strip brackets, a zone id and a port, as normalizeIpAddress does. */
function bareAddress(text: string): string {
  const bracketed = /^\[([^\]]+)\](?::\d{1,5})?$/.exec(text);
  if (bracketed?.[1] !== undefined) return bracketed[1].replace(/%.*$/, '');
  const withPort = /^(\d{1,3}(?:\.\d{1,3}){3}):\d{1,5}$/.exec(text);
  if (withPort?.[1] !== undefined) return withPort[1];
  return text.includes(':') ? text.replace(/%.*$/, '') : text;
}

/** Four plain decimal parts for IPv4 (no octal, no shorthand); an IPv4-mapped IPv6 address is its IPv4 address. */
function parseAddress(text: string): Address | undefined {
  const bare = bareAddress(text.trim());
  if (ipaddr.IPv4.isValidFourPartDecimal(bare)) return ipaddr.IPv4.parse(bare);
  if (bare.includes(':') && ipaddr.IPv6.isValid(bare)) {
    const ipv6 = ipaddr.IPv6.parse(bare);
    return ipv6.isIPv4MappedAddress() ? ipv6.toIPv4Address() : ipv6;
  }
  return undefined;
}

function parseRange(entry: string): Range {
  const [range, bits] = ipaddr.parseCIDR(entry);
  if (range instanceof ipaddr.IPv6 && range.isIPv4MappedAddress() && bits >= 96) return [range.toIPv4Address(), bits - 96];
  return [range, bits];
}

function prefixOf(address: Address): string {
  if (address.kind() === 'ipv4') return address.toString();
  return `${ipaddr.IPv6.networkAddressFromCIDR(`${address.toString()}/64`).toString()}/64`;
}

export class TrustedProxies {
  readonly #ranges: readonly Range[];
  /** Drawn per instance, so a limiter key means nothing outside this process. */
  readonly #limitKeySecret = randomBytes(32);

  /** Addresses or CIDR ranges (config `chat.trustedProxies`); throws a TypeError naming the bad entry. */
  constructor(entries: readonly string[]) {
    this.#ranges = entries.map((entry) => {
      try {
        if (entry.includes('/')) return parseRange(entry);
        const address = parseAddress(entry);
        if (!address) throw new Error('not an address');
        return [address, address.kind() === 'ipv4' ? 32 : 128] as Range;
      } catch {
        throw new TypeError(`chat.trustedProxies: ${JSON.stringify(entry)} is not an IP address or CIDR range`);
      }
    });
  }

  get size(): number {
    return this.#ranges.length;
  }

  includes(address: Address): boolean {
    return this.#ranges.some(([range, bits]) => range.kind() === address.kind() && address.match(range, bits));
  }

  /** The client behind `peer` (the socket's remote address) and its X-Forwarded-For header(s). */
  resolve(peer: string | undefined, forwardedFor: string | readonly string[] | undefined): ClientAddress {
    const peerAddress = peer === undefined ? undefined : parseAddress(peer);
    if (!peerAddress || peer === undefined) return { kind: 'unreadable', why: 'no-peer' };
    if (!this.includes(peerAddress)) return this.#readable(peer, peerAddress);
    const header = typeof forwardedFor === 'string' ? forwardedFor : forwardedFor?.join(',');
    const entries = (header ?? '').split(',').map((entry) => entry.trim()).filter((entry) => entry !== '');
    if (entries.length === 0) return { kind: 'unreadable', why: 'no-forwarded-for' };
    for (let index = entries.length - 1; index >= 0; index--) {
      const entry = entries[index] ?? '';
      const address = parseAddress(entry);
      // An entry a trusted proxy wrote but nobody can read: what lies left of it is not vouched for.
      if (!address) return { kind: 'unreadable', why: 'bad-forwarded-for' };
      if (!this.includes(address)) return this.#readable(entry, address);
    }
    return { kind: 'unreadable', why: 'no-forwarded-for' };
  }

  #readable(text: string, address: Address): ClientAddress {
    const normalized = normalizeIpAddress(text);
    if (!normalized) return { kind: 'unreadable', why: 'bad-forwarded-for' };
    const limitKey = createHmac('sha256', this.#limitKeySecret).update(prefixOf(address)).digest('base64url').slice(0, 22);
    return { kind: 'address', address: normalized, limitKey };
  }
}
