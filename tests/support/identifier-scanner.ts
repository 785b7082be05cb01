import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ipaddr from 'ipaddr.js';

/**
 * Looks for phone numbers in raw bytes: every common rendering, in UTF-8 and UTF-16LE, the hex and
 * base64 of the number's text, and a pattern that finds the last eight digits with any separator
 * (or NUL byte) between them. IP and e-mail addresses have probes of their own (`ipAddressProbe`,
 * `emailAddressProbe`). Nothing here decodes a file first: the scan is over the bytes as they lie
 * on disk or came off the wire.
 */

export interface KnownNumber {
  /** What the test calls it, e.g. "Dutch mobile"; used in reports instead of the number. */
  readonly name: string;
  readonly e164: string;
  readonly countryCode: string;
  /** Digits of the area code (or mobile prefix) after the country code: 1 for Dutch 6, 2 for 30, 3 for Belgian 471. */
  readonly areaCodeLength: number;
}

export interface Needle {
  readonly label: string;
  readonly bytes: Buffer;
}

export interface NumberProbe {
  readonly name: string;
  readonly needles: readonly Needle[];
  /**
   * Over the latin1 view of the bytes: the last eight digits with up to seven non-alphanumeric bytes
   * between them (three separators in UTF-16LE, each digit followed by its NUL).
   */
  readonly spreadDigits: RegExp;
}

export interface Sighting {
  readonly source: string;
  readonly number: string;
  readonly rendering: string;
  readonly offset: number;
}

/** The national significant number: E.164 without "+" and country code. */
function nationalSignificant(number: KnownNumber): string {
  if (!number.e164.startsWith(`+${number.countryCode}`)) throw new TypeError(`${number.name}: E.164 text does not start with +${number.countryCode}`);
  return number.e164.slice(1 + number.countryCode.length);
}

function groups(text: string, sizes: readonly number[]): string[] {
  const parts: string[] = [];
  let at = 0;
  for (const size of sizes) {
    if (at >= text.length) break;
    parts.push(text.slice(at, at + size));
    at += size;
  }
  if (at < text.length) parts.push(text.slice(at));
  return parts;
}

/** The texts people, modems and exchanges write for the number. */
export function textRenderings(number: KnownNumber): string[] {
  const nsn = nationalSignificant(number);
  const national = `0${nsn}`;
  const cc = number.countryCode;
  const area = nsn.slice(0, number.areaCodeLength);
  const subscriber = nsn.slice(number.areaCodeLength);
  const renderings = [
    number.e164,
    `${cc}${nsn}`,
    national,
    nsn,
    `00${cc}${nsn}`,
    nsn.slice(-8),
    // A bare run of six or seven digits also turns up in the logger's wall-clock timestamps.
    ...(subscriber.length >= 8 ? [subscriber] : []),
    `0${area}-${subscriber}`,
    `0${area} ${subscriber}`,
    `(0${area}) ${subscriber}`,
    `0${area} ${groups(subscriber, [2, 2, 2, 2]).join(' ')}`,
    `0${area} ${groups(subscriber, [4, 4]).join(' ')}`,
    `0${area} ${groups(subscriber, [3, 2, 2]).join(' ')}`,
    groups(national, [2, 2, 2, 2, 2, 2]).join(' '),
    `+${cc} ${area} ${subscriber}`,
    `+${cc} ${area} ${groups(subscriber, [4, 4]).join(' ')}`,
    `+${cc} (0)${area} ${subscriber}`,
    `+${cc}-${area}-${subscriber}`,
    `00${cc} ${area} ${subscriber}`,
  ];
  return [...new Set(renderings)];
}

/**
 * The base64 characters that encode `text` whatever its offset inside a longer encoded value:
 * for each of the three alignments, the characters that depend on the text's bytes only.
 */
function base64Cores(text: string): string[] {
  const bytes = Buffer.from(text, 'ascii');
  return [0, 1, 2].map((shift) => {
    const encoded = Buffer.concat([Buffer.alloc(shift), bytes]).toString('base64');
    const start = shift === 0 ? 0 : shift === 1 ? 2 : 3;
    const end = Math.floor((shift + bytes.length) / 3) * 4;
    return encoded.slice(start, end);
  });
}

export function probeFor(number: KnownNumber): NumberProbe {
  const needles = new Map<string, Needle>();
  const add = (label: string, bytes: Buffer): void => {
    const key = bytes.toString('hex');
    if (!needles.has(key)) needles.set(key, { label, bytes });
  };
  for (const [index, text] of textRenderings(number).entries()) {
    add(`rendering ${index} as UTF-8`, Buffer.from(text, 'utf8'));
    add(`rendering ${index} as UTF-16LE`, Buffer.from(text, 'utf16le'));
  }
  const nsn = nationalSignificant(number);
  for (const [label, text] of [['E.164', number.e164], ['national digits', `0${nsn}`]] as const) {
    const hex = Buffer.from(text, 'ascii').toString('hex');
    add(`${label} as lower-case hex`, Buffer.from(hex, 'ascii'));
    add(`${label} as upper-case hex`, Buffer.from(hex.toUpperCase(), 'ascii'));
    for (const [shift, core] of base64Cores(text).entries()) {
      add(`${label} as base64 (shift ${shift})`, Buffer.from(core, 'ascii'));
      add(`${label} as base64url (shift ${shift})`, Buffer.from(core.replace(/\+/g, '-').replace(/\//g, '_'), 'ascii'));
    }
  }
  const lastEight = [...nsn.slice(-8)].join('[^0-9A-Za-z]{0,7}');
  return { name: number.name, needles: [...needles.values()], spreadDigits: new RegExp(lastEight, 'g') };
}

/** A text rendering matched without regard to ASCII case, with the bytes it was built from. */
export interface PatternNeedle {
  readonly label: string;
  /** Over the latin1 view of the bytes, with the `g` and `i` flags. */
  readonly pattern: RegExp;
  /** One spelling the pattern finds, for a probe's own control. */
  readonly sample: Buffer;
}

/** An IP or e-mail address: fixed byte needles plus renderings found in any ASCII casing. */
export interface AddressProbe {
  readonly name: string;
  readonly needles: readonly Needle[];
  readonly patterns: readonly PatternNeedle[];
}

export type IdentifierProbe = NumberProbe | AddressProbe;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** UTF-8 and UTF-16LE patterns for each text, any ASCII casing. */
function caselessPatterns(renderings: ReadonlyArray<readonly [string, string]>): PatternNeedle[] {
  const patterns = new Map<string, PatternNeedle>();
  for (const [label, text] of renderings) {
    const utf8 = escapeRegExp(text);
    const utf16 = [...text].map((char) => `${escapeRegExp(char)}\\x00`).join('');
    for (const [encoding, source, sample] of [['UTF-8', utf8, Buffer.from(text, 'utf8')], ['UTF-16LE', utf16, Buffer.from(text, 'utf16le')]] as const) {
      const key = `${encoding} ${text.toLowerCase()}`;
      if (!patterns.has(key)) patterns.set(key, { label: `${label} as ${encoding}`, pattern: new RegExp(source, 'gi'), sample });
    }
  }
  return [...patterns.values()];
}

function hexGroups(bytes: Buffer, padded: boolean): string[] {
  const groups: string[] = [];
  for (let at = 0; at < bytes.length; at += 2) {
    const group = bytes.readUInt16BE(at).toString(16);
    groups.push(padded ? group.padStart(4, '0') : group);
  }
  return groups;
}

/** The texts an IPv4 address takes: dotted, padded, reversed, hex, integer, and IPv4-mapped IPv6. */
function ipv4Renderings(address: ipaddr.IPv4): Array<[string, string]> {
  const bytes = Buffer.from(address.toByteArray());
  const hex = bytes.toString('hex');
  const mapped = hexGroups(bytes, false).join(':');
  return [
    ['dotted', address.toString()],
    ['zero-padded', address.octets.map((octet) => String(octet).padStart(3, '0')).join('.')],
    ['reverse-DNS order', [...address.octets].reverse().join('.')],
    ['hex', hex],
    ['integer', String(bytes.readUInt32BE(0))],
    ['little-endian integer', String(bytes.readUInt32LE(0))],
    ['IPv4-mapped dotted', `::ffff:${address.toString()}`],
    ['IPv4-mapped hex', `::ffff:${mapped}`],
    ['IPv4-mapped full', `0000:0000:0000:0000:0000:ffff:${hexGroups(bytes, true).join(':')}`],
  ];
}

/** The texts an IPv6 address takes: RFC 5952, full, uncompressed, hex, and its /64 (what a rate limiter keys on). */
function ipv6Renderings(address: ipaddr.IPv6): Array<[string, string]> {
  const bytes = Buffer.from(address.toByteArray());
  const prefix = hexGroups(bytes.subarray(0, 8), false);
  return [
    ['RFC 5952', address.toRFC5952String()],
    ['full', hexGroups(bytes, true).join(':')],
    ['uncompressed', address.toNormalizedString()],
    ['hex', bytes.toString('hex')],
    ['/64 prefix', `${prefix.join(':')}:`],
    ['/64 prefix compressed', `${prefix.slice(0, prefix.length - [...prefix].reverse().findIndex((group) => group !== '0')).join(':')}::`],
    ['/64 prefix full', `${hexGroups(bytes.subarray(0, 8), true).join(':')}:`],
    ['/64 prefix hex', bytes.subarray(0, 8).toString('hex')],
  ];
}

/**
 * An IP address in every rendering the leak tests look for, in any ASCII casing, UTF-8 and
 * UTF-16LE, and as raw bytes (network order, and an IPv4 address little-endian too). An
 * IPv4-mapped IPv6 address is probed as itself and as its IPv4 address.
 */
export function ipAddressProbe(name: string, text: string): AddressProbe {
  const address = ipaddr.parse(text);
  const needles: Needle[] = [];
  const renderings: Array<[string, string]> = [['as given', text]];
  const addIpv4 = (ipv4: ipaddr.IPv4): void => {
    const bytes = Buffer.from(ipv4.toByteArray());
    needles.push({ label: 'raw 4 bytes', bytes }, { label: 'raw 4 bytes little-endian', bytes: Buffer.from(bytes).reverse() });
    renderings.push(...ipv4Renderings(ipv4));
  };
  if (address instanceof ipaddr.IPv4) {
    addIpv4(address);
  } else {
    const ipv6 = address as ipaddr.IPv6;
    const bytes = Buffer.from(ipv6.toByteArray());
    needles.push({ label: 'raw 16 bytes', bytes });
    renderings.push(...ipv6Renderings(ipv6));
    if (ipv6.isIPv4MappedAddress()) addIpv4(ipv6.toIPv4Address());
    else needles.push({ label: 'raw /64 bytes', bytes: bytes.subarray(0, 8) });
  }
  return { name, needles, patterns: caselessPatterns(renderings) };
}

/**
 * An e-mail address in any ASCII casing (UTF-8, UTF-16LE, percent-encoded), its local part alone,
 * the address without a "+tag", and the hex and base64 of the address as given and lower-cased.
 */
export function emailAddressProbe(name: string, address: string): AddressProbe {
  const at = address.lastIndexOf('@');
  if (at < 1) throw new TypeError(`${name}: not an e-mail address`);
  const local = address.slice(0, at);
  const domain = address.slice(at + 1);
  const untagged = local.split('+')[0] ?? local;
  const renderings: Array<[string, string]> = [
    ['address', address],
    ['local part', local],
    ['percent-encoded', encodeURIComponent(address)],
    ...(untagged === local ? [] : [['address without its +tag', `${untagged}@${domain}`] as [string, string]]),
  ];
  const needles = new Map<string, Needle>();
  for (const spelling of new Set([address, address.toLowerCase()])) {
    const hex = Buffer.from(spelling, 'utf8').toString('hex');
    needles.set(`hex ${hex}`, { label: 'address as hex', bytes: Buffer.from(hex, 'ascii') });
    needles.set(`HEX ${hex}`, { label: 'address as upper-case hex', bytes: Buffer.from(hex.toUpperCase(), 'ascii') });
    for (const [shift, core] of base64Cores(spelling).entries()) {
      needles.set(`b64 ${core}`, { label: `address as base64 (shift ${shift})`, bytes: Buffer.from(core, 'ascii') });
    }
  }
  return { name, needles: [...needles.values()], patterns: caselessPatterns(renderings) };
}

/** Every sighting of any probe in `bytes`. */
export function scanBytes(source: string, bytes: Buffer, probes: readonly IdentifierProbe[]): Sighting[] {
  const sightings: Sighting[] = [];
  const latin1 = bytes.toString('latin1');
  for (const probe of probes) {
    for (const needle of probe.needles) {
      const offset = bytes.indexOf(needle.bytes);
      if (offset !== -1) sightings.push({ source, number: probe.name, rendering: needle.label, offset });
    }
    if ('spreadDigits' in probe) {
      for (const match of latin1.matchAll(probe.spreadDigits)) {
        sightings.push({ source, number: probe.name, rendering: 'last eight digits with separators', offset: match.index });
      }
    } else {
      for (const { label, pattern } of probe.patterns) {
        const match = new RegExp(pattern).exec(latin1);
        if (match) sightings.push({ source, number: probe.name, rendering: label, offset: match.index });
      }
    }
  }
  return sightings;
}

/** Every regular file under `directory`, recursively, as paths relative to it. */
export function filesUnder(directory: string): string[] {
  const found: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile()) found.push(relative(directory, path));
    }
  };
  walk(directory);
  return found.sort();
}

export interface DirectoryScan {
  readonly files: readonly string[];
  readonly bytesScanned: number;
  readonly sightings: readonly Sighting[];
}

/** Scans the raw bytes of every file under `directory`. */
export function scanDirectory(directory: string, probes: readonly IdentifierProbe[]): DirectoryScan {
  const files = filesUnder(directory);
  let bytesScanned = 0;
  const sightings: Sighting[] = [];
  for (const file of files) {
    const bytes = readFileSync(join(directory, file));
    bytesScanned += bytes.length;
    sightings.push(...scanBytes(file, bytes, probes));
  }
  return { files, bytesScanned, sightings };
}
