/** POSTCODE, ADDRESS and PLACE: where a child lives. */
import type { PiiSpan } from './pii-types.js';
import { AMBIGUOUS_PLACES, PLACE_NAMES } from './place-names.js';
import { B, capitalizedRun, E, isNameLike, joinsPhrase, regexSpans, tokenize, wordsBefore, type Token } from './rule-tools.js';

const DUTCH_POSTCODE = /(?<![\p{L}\p{N}])[1-9]\d{3}(?<space>[ ]?)(?<letters>[A-Za-z]{2})(?![\p{L}\p{N}])/gud;
/** Two-letter words and units that follow a number ("2010 en", "1000 km"). */
const NOT_POSTCODE_LETTERS = new Set(
  `de en op in is te ik je we ze al om of na nu zo ja ok uu km kg cm mm ml mb gb kb pk eu tv cd pc xx
  he ha hi oh eh nr st ct jr mn zn dr uw ma pa fb ig sc tt yt lol jr dm gg ff mi di wo do vr za zo
  an at it on to by me my no so up us or as be go am`.split(/\s+/),
);
const POSTCODE_CUE = new RegExp(`${B}(?:postcode|postnummer|pc)(?:[ ]is)?[ ]?:?[ ]?(?<code>[1-9]\\d{3})(?![\\p{N}])`, 'giud');

function isDutchPostcode(match: RegExpExecArray): boolean {
  const letters = match.groups?.['letters'] ?? '';
  const upper = letters.toUpperCase();
  if (['SA', 'SD', 'SS'].includes(upper)) return false;
  // A two-letter word after a number is a postcode only in capitals ("1234 DE", never "2010 EN").
  return !NOT_POSTCODE_LETTERS.has(letters.toLowerCase()) || (letters === upper && upper !== 'EN');
}

const STREET_PREFIX = '(?:lange|korte|oude|nieuwe|hoge|lage|grote|kleine|sint|st|oost|west|noord|zuid|burgemeester|dokter|koning|koningin|prins|prinses|van|der|den|ter|ten)';
const STREET_SUFFIX = '(?:straat|straatje|laan|laantje|weg|plein|pleintje|gracht|kade|singel|dijk|steenweg|lei|dreef|hof|hofje|pad|park|baan|steeg|plantsoen|kaai|vest|wal|gaarde|boulevard|allee)';
const HOUSE_NUMBER = '[ ]{1,2}(?<number>[1-9]\\d{0,3}(?:[ ]?[a-zA-Z](?![\\p{L}]))?(?:[ ]?(?:bus|-|\\/)[ ]?\\d{1,4}[a-zA-Z]?)?)(?![\\p{N}])';
const NOT_HOUSE_NUMBER = '(?![ ]?(?:keer|x|uur|u|min|minuten|jaar|jr|dagen|weken|km|meter|m|euro|kinderen|mensen)(?![\\p{L}]))';
const ADDRESS = new RegExp(
  `(?<![\\p{L}\\p{N}\\-])(?:${STREET_PREFIX}[ \\-]){0,3}(?:[\\p{L}][\\p{L}\\-]{2,40}${STREET_SUFFIX}|(?<=${STREET_PREFIX}[ ])(?:${STREET_SUFFIX}|markt))${E}${HOUSE_NUMBER}${NOT_HOUSE_NUMBER}`,
  'giud',
);
const NOT_STREETS = new Set(['onderweg', 'halfweg', 'snelweg', 'zijweg', 'allerweg', 'pretpark', 'fietspad', 'voetpad', 'looppad', 'loopbaan', 'ijsbaan', 'kinderboerderijpad']);

function isAddress(match: RegExpExecArray): boolean {
  const street = match[0].slice(0, match.indices?.groups?.['number']?.[0] ?? match[0].length).trim().toLowerCase();
  return !NOT_STREETS.has(street);
}

/** Words right before a place: "in", "uit", "te", "bij", "van" ("ik ben van Gent"). */
const PLACE_CUES = new Set(['in', 'uit', 'te', 'naar', 'bij', 'rond', 'nabij', 'vlakbij', 'richting', 'omgeving', 'buurt', 'regio', 'gemeente', 'woonplaats', 'van']);
/** Words before a Belgian postcode that make the capitalized word after it a place: "in 8500 Kortrijk". */
const POSTCODE_CUES = new Set(['in', 'te', 'uit', 'postcode', 'postnummer', 'woon', 'woont', 'adres']);
const LIVING_VERBS = new Set(['woon', 'woont', 'wonen', 'woonde', 'woonden', 'verhuisd', 'verhuizen', 'verhuis', 'kom', 'komt', 'kwam', 'geboren', 'opgegroeid']);
const FILLERS = new Set(['nu', 'al', 'ook', 'sinds', 'kort', 'pas', 'toen', 'eerst', 'vroeger', 'zelf']);

/** The longest gazetteer place starting at token `index`, as a token count (0: none). */
function gazetteerLength(tokens: readonly Token[], index: number): number {
  let best = 0;
  let key = '';
  for (let length = 1; length <= 4; length += 1) {
    const token = tokens[index + length - 1];
    if (token === undefined || token.placeholder || (length > 1 && !joinsPhrase(token))) break;
    key = length === 1 ? token.key : `${key} ${token.key}`;
    if (PLACE_NAMES.has(key)) best = length;
  }
  return best;
}

function isPostcodeToken(token: Token | undefined): boolean {
  return token !== undefined && /^[1-9]\d{3}(?:[a-zA-Z]{2})?$/.test(token.text);
}

/** A postcode just before token `index`: "9000 gent", "1234 AB Zwolle", "1234AB zwolle". */
function followsPostcode(tokens: readonly Token[], index: number): number | undefined {
  const previous = tokens[index - 1];
  const beforeThat = tokens[index - 2];
  if (isPostcodeToken(previous)) return index - 1;
  if (previous !== undefined && /^[A-Za-z]{2}$/.test(previous.text) && beforeThat !== undefined && /^[1-9]\d{3}$/.test(beforeThat.text)) return index - 2;
  return undefined;
}

/** "ik woon (nu) in", "kom uit", "woonplaats": the word after it is read as a place, whatever it is. */
function hasLivingCue(tokens: readonly Token[], index: number): boolean {
  const words = wordsBefore(tokens, index, 4).filter((word) => !FILLERS.has(word));
  const last = words[words.length - 1];
  const verb = words[words.length - 2];
  if (last === 'woonplaats') return true;
  return last !== undefined && ['in', 'uit', 'naar', 'te'].includes(last) && verb !== undefined && LIVING_VERBS.has(verb);
}

const PLACE_CONNECTORS = new Set(['aan', 'den', 'op', 'de', 'bij', 'en']);

function placeAndPostcodeSpans(text: string): PiiSpan[] {
  const tokens = tokenize(text);
  const spans: PiiSpan[] = [];
  for (let index = 0; index < tokens.length; index += 1) {
    const token = tokens[index];
    if (token === undefined || token.placeholder || (/^[A-Za-z]{2}$/.test(token.text) && /^[1-9]\d{3}$/.test(tokens[index - 1]?.text ?? ''))) continue;
    const postcodeAt = followsPostcode(tokens, index);
    const postcodeCued = postcodeAt !== undefined && (postcodeAt === index - 2 || /[a-z]{2}$/i.test(tokens[postcodeAt]?.text ?? '') || POSTCODE_CUES.has(wordsBefore(tokens, postcodeAt, 1)[0] ?? ''));
    const cued = PLACE_CUES.has(wordsBefore(tokens, index, 1)[0] ?? '') || postcodeAt !== undefined;
    const known = gazetteerLength(tokens, index);
    let last: number | undefined;
    if (known > 0 && (cued || !AMBIGUOUS_PLACES.has(token.key) || (token.capitalized && index > 0))) {
      last = index + known - 1;
    } else if (isNameLike(token) && !/\d/.test(token.text) && (hasLivingCue(tokens, index) || (postcodeCued && token.capitalized))) {
      last = token.capitalized ? capitalizedRun(tokens, index, PLACE_CONNECTORS) : index;
    }
    const lastToken = last === undefined ? undefined : tokens[last];
    if (lastToken === undefined || last === undefined) continue;
    spans.push({ type: 'PLACE', start: token.start, end: lastToken.end });
    const code = postcodeAt === undefined ? undefined : tokens[postcodeAt];
    if (code !== undefined && /^[1-9]\d{3}$/.test(code.text)) spans.push({ type: 'POSTCODE', start: code.start, end: code.end });
    index = last;
  }
  return spans;
}

export function placeSpans(text: string): PiiSpan[] {
  return [
    ...regexSpans(text, DUTCH_POSTCODE, 'POSTCODE', isDutchPostcode),
    ...regexSpans(text, POSTCODE_CUE, 'POSTCODE', () => true, 'code'),
    ...regexSpans(text, ADDRESS, 'ADDRESS', isAddress),
    ...placeAndPostcodeSpans(text),
  ];
}
