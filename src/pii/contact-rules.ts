/** PHONE, EMAIL, URL, IP and HANDLE: the ways a child can be reached or found online. */
import ipaddr from 'ipaddr.js';
import { COMMON_WORDS } from './common-words.js';
import { phoneSpans } from './phone-rule.js';
import type { PiiSpan } from './pii-types.js';
import { B, E, regexSpans } from './rule-tools.js';

const EMAIL = /(?<![\p{L}\p{N}._%+\-])[\p{L}\p{N}._%+\-]{1,64}@[\p{L}\p{N}\-]{1,63}(?:\.[\p{L}\p{N}\-]{1,63}){1,4}/gu;

/** Top-level domains a bare "name.tld" is read as a web address for; not "de", "nu" or "me", which are Dutch words. */
const TLDS = 'nl|be|com|net|org|eu|tk|io|info|gg|tv|app|co|uk|ly|xyz|online|site|shop|store|club|live|fr|ml|ga|cf';
const SCHEME_URL = /(?<![\p{L}\p{N}])(?:https?|ftp):\/\/[^\s<>"']{1,2048}/giu;
const WWW_URL = /(?<![\p{L}\p{N}.\/@])www\.[^\s<>"']{1,2048}/giu;
const BARE_URL = new RegExp(
  `(?<![\\p{L}\\p{N}.@\\/\\-_])(?:[\\p{L}\\p{N}][\\p{L}\\p{N}\\-]{0,62}\\.){1,4}(?:${TLDS})(?![\\p{L}\\p{N}\\-])(?:[\\/:?#][^\\s<>"']{0,2048})?`,
  'giu',
);

const IPV4 = /(?<![\p{N}.])\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}(?![\p{N}]|\.\d)/gu;
const IPV6 = /(?<![\p{L}\p{N}:.])[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?:\.\d{1,3}){0,3}(?![\p{L}\p{N}:])/gu;

const AT_HANDLE = /(?<![\p{L}\p{N}._%+\-@])@[\p{L}\p{N}_.]{2,30}/gu;
const DISCORD_TAG = /(?<![\p{L}\p{N}_.#])[\p{L}\p{N}_.]{2,32}#\d{4}(?!\d)/gu;
const PLATFORM = 'insta|instagram|ig|snap|snapchat|sc|tiktok|tt|discord|dc|twitter|roblox|fortnite|steam|twitch|youtube|yt|telegram|kik|bereal|pinterest|threads|psn|xbox|gamertag|minecraft';
const PLATFORM_HANDLE = new RegExp(
  `${B}(?:${PLATFORM})(?:[ ]?(?:naam|name|account|acc|username|gebruikersnaam|id|tag))?(?<marker>[ ]?(?:is|=|:|->|>)[ ]?|[ ]{1,2}|[ ]?:)(?<handle>@?[\\p{L}\\p{N}_.\\-]{2,30}(?:#\\d{4})?)${E}`,
  'giud',
);

/** A web address ends before closing punctuation: "kijk op site.nl." */
function trimTrailing(span: PiiSpan, text: string): PiiSpan {
  let end = span.end;
  while (end > span.start && /[.,!?;:)\]'"]/.test(text[end - 1] ?? '')) end -= 1;
  return { ...span, end };
}

function emailSpans(text: string): PiiSpan[] {
  return regexSpans(text, EMAIL, 'EMAIL')
    .map((span) => trimTrailing(span, text))
    .filter((span) => /\.\p{L}{2,}$/u.test(text.slice(span.start, span.end)));
}

function urlSpans(text: string): PiiSpan[] {
  return [...regexSpans(text, SCHEME_URL, 'URL'), ...regexSpans(text, WWW_URL, 'URL'), ...regexSpans(text, BARE_URL, 'URL')]
    .map((span) => trimTrailing(span, text))
    .filter((span) => span.end - span.start > 4);
}

function isIpv6(candidate: string): boolean {
  if (!ipaddr.IPv6.isValid(candidate)) return false;
  const groups = candidate.split(':').filter((group) => group.length > 0);
  // "12:30:00" is not valid, but "10::30" is: ask for a hex letter or three groups.
  return /[a-f]/i.test(candidate) || groups.length >= 3;
}

function ipSpans(text: string): PiiSpan[] {
  return [
    ...regexSpans(text, IPV4, 'IP', (match) => ipaddr.IPv4.isValidFourPartDecimal(match[0])),
    ...regexSpans(text, IPV6, 'IP', (match) => isIpv6(match[0])),
  ];
}

/** After "insta" and the like: a word that is a name, not "is", "privé" or "gehackt". */
function isHandleAfterPlatform(match: RegExpExecArray): boolean {
  const handle = (match.groups?.['handle'] ?? '').replace(/[.\-]+$/, '');
  const explicit = /is|=|:|>/.test(match.groups?.['marker'] ?? '');
  if (handle.length < 2 || /^\d+$/.test(handle.replace(/^@/, ''))) return false;
  if (COMMON_WORDS.has(handle.toLowerCase())) return false;
  return explicit || /^@|[_.\d#]/.test(handle);
}

function handleSpans(text: string): PiiSpan[] {
  return [
    ...regexSpans(text, AT_HANDLE, 'HANDLE'),
    ...regexSpans(text, DISCORD_TAG, 'HANDLE'),
    ...regexSpans(text, PLATFORM_HANDLE, 'HANDLE', isHandleAfterPlatform, 'handle'),
  ].map((span) => {
    let end = span.end;
    while (end > span.start && /[.\-]/.test(text[end - 1] ?? '')) end -= 1;
    return { ...span, end };
  });
}

export function contactSpans(text: string): PiiSpan[] {
  return [...phoneSpans(text), ...emailSpans(text), ...urlSpans(text), ...ipSpans(text), ...handleSpans(text)];
}
