import ipaddr from 'ipaddr.js';
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { RawIdentifier, type RawEmailAddress, type RawIpAddress, type RawPhoneNumber } from './raw-identifier.js';

export type SiteCountry = 'NL' | 'BE';

export type PhoneNormalization =
  | { readonly kind: 'number'; readonly number: RawPhoneNumber }
  | { readonly kind: 'withheld' }
  | { readonly kind: 'unavailable' }
  | { readonly kind: 'invalid' };

/**
 * Words modems, exchanges and SIP trunks print instead of a number, compared as a "word key":
 * lower-case, accents dropped, no spaces or punctuation ("Privé-nummer" -> "privenummer").
 */
const WITHHELD_WORDS = new Set([
  'p', 'private', 'privat', 'privatenumber', 'privatecaller', 'restricted', 'restrictednumber',
  'anonymous', 'anonymouscaller', 'anoniem', 'anonyme', 'withheld', 'numberwithheld', 'withheldnumber',
  'afgeschermd', 'afgeschermdnummer', 'prive', 'privenummer', 'geheim', 'geheimnummer',
  'onderdrukt', 'nummeronderdrukt', 'clir', 'masque', 'numeromasque',
]);
const UNAVAILABLE_WORDS = new Set([
  'o', 'outofarea', 'unavailable', 'unknown', 'unknownnumber', 'unknowncaller', 'onbekend',
  'onbekendnummer', 'nietbeschikbaar', 'notavailable', 'none', 'inconnu', 'indisponible',
]);

/** Longest text worth parsing: E.164 is 15 digits; generous room for separators and "(0)". */
const MAX_PHONE_TEXT = 64;
const MAX_EMAIL_TEXT = 254;

/** Invisible formatting characters (bidi marks, zero-width spaces) some SIP and chat stacks insert. */
const FORMAT_CHARACTERS = /\p{Cf}/gu;

function wordKey(text: string): string {
  return text.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase().replace(/[\s_.,'’-]/g, '');
}

/**
 * Phone number to E.164 for a site in `country`: a national number (06…, 04…) is read in the
 * site's country, an international one (+31…, 0031…, +32…, 0032…) in its own. Separators (spaces,
 * dashes, dots, slashes, parentheses, a "(0)" after the country code) and full-width digits agree.
 */
export function normalizePhoneNumber(text: string, country: SiteCountry): PhoneNormalization {
  const cleaned = text.normalize('NFKC').replace(FORMAT_CHARACTERS, '').trim();
  const word = wordKey(cleaned);
  if (WITHHELD_WORDS.has(word)) return { kind: 'withheld' };
  if (UNAVAILABLE_WORDS.has(word) || word === '') return { kind: 'unavailable' };
  if (cleaned.length > MAX_PHONE_TEXT || !/^\(?\+?[\d\s().\-/]+$/.test(cleaned)) return { kind: 'invalid' };
  // "00" is the international prefix in both countries; libphonenumber only knows it for the default country.
  const international = cleaned.replace(/^\(?00/, (prefix) => prefix.replace('00', '+'));
  const parsed = parsePhoneNumberFromString(international, country);
  if (!parsed || !parsed.isPossible()) return { kind: 'invalid' };
  return { kind: 'number', number: RawIdentifier.fromCanonical('phone', parsed.number) };
}

/** Strip brackets, a zone id (fe80::1%eth0) and a port ("192.0.2.1:443", "[2001:db8::1]:443"). */
function bareAddress(text: string): string {
  const bracketed = /^\[([^\]]+)\](?::\d{1,5})?$/.exec(text);
  if (bracketed?.[1] !== undefined) return bracketed[1].replace(/%.*$/, '');
  const withPort = /^(\d{1,3}(?:\.\d{1,3}){3}):\d{1,5}$/.exec(text);
  if (withPort?.[1] !== undefined) return withPort[1];
  return text.includes(':') ? text.replace(/%.*$/, '') : text;
}

/**
 * Canonical IP text: dotted decimal for IPv4, RFC 5952 for IPv6, and an IPv4-mapped IPv6 address
 * is its IPv4 address. IPv4 must be four plain decimal parts: ipaddr.js would otherwise read
 * "010.0.0.1" as octal (8.0.0.1) and accept "127.1" or "2130706433".
 */
export function normalizeIpAddress(text: string): RawIpAddress | undefined {
  const bare = bareAddress(text.trim());
  let address: ipaddr.IPv4 | ipaddr.IPv6;
  if (ipaddr.IPv4.isValidFourPartDecimal(bare)) {
    address = ipaddr.IPv4.parse(bare);
  } else if (bare.includes(':') && ipaddr.IPv6.isValid(bare)) {
    const ipv6 = ipaddr.IPv6.parse(bare);
    address = ipv6.isIPv4MappedAddress() ? ipv6.toIPv4Address() : ipv6;
  } else {
    return undefined;
  }
  const canonical = address instanceof ipaddr.IPv6 ? address.toRFC5952String() : address.toString();
  return RawIdentifier.fromCanonical('ip', canonical);
}

/** Lower-cased, trimmed, Unicode NFC; undefined when it is not shaped like an address. */
export function normalizeEmailAddress(text: string): RawEmailAddress | undefined {
  const canonical = text.normalize('NFC').trim().toLowerCase();
  if (canonical.length > MAX_EMAIL_TEXT) return undefined;
  if (!/^[^\s@<>()",;:\0]+@[^\s@<>()",;:\0]+\.[a-z0-9-]{2,}$/u.test(canonical)) return undefined;
  return RawIdentifier.fromCanonical('email', canonical);
}
