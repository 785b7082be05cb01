import ipaddr from 'ipaddr.js';

/**
 * The trunk allow-list: only these sources may open a call. Entries are addresses or CIDR ranges;
 * an IPv4-mapped IPv6 source counts as its IPv4 address.
 */
export class TrunkPeers {
  readonly #ranges: Array<[ipaddr.IPv4 | ipaddr.IPv6, number]>;

  constructor(entries: readonly string[]) {
    this.#ranges = entries.map((entry) => {
      const text = entry.trim();
      try {
        if (text.includes('/')) return ipaddr.parseCIDR(text);
        const address = ipaddr.process(text);
        return [address, address.kind() === 'ipv4' ? 32 : 128];
      } catch {
        throw new TypeError('SipLine: every trunkPeers entry must be an IP address or a CIDR range');
      }
    });
  }

  allows(source: string): boolean {
    let address: ipaddr.IPv4 | ipaddr.IPv6;
    try {
      address = ipaddr.process(source);
    } catch {
      return false;
    }
    return this.#ranges.some(([range, bits]) => range.kind() === address.kind() && address.match(range, bits));
  }
}
