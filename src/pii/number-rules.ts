/** BSN, RRN, IBAN and PLATE: numbers that name one person, each checked by its own check digits or shape. */
import { isValidBsn, isValidIban, isValidRrn } from './checksums.js';
import type { PiiSpan } from './pii-types.js';
import { regexSpans } from './rule-tools.js';

// Exactly nine (eleven) digits, each optionally after one separator: one way to read any text, so no backtracking blow-up.
const NINE_DIGITS = /(?<![\p{N}+]|\d[.\-])\d(?:[ .\-]?\d){8}(?![\p{N}])/gu;
const ELEVEN_DIGITS = /(?<![\p{N}+]|\d[.\-])\d(?:[ .\-]?\d){10}(?![\p{N}])/gu;
const IBAN_NL = /(?<![\p{L}\p{N}])[Nn][Ll][ ]?\d[ ]?\d(?:[ .\-]?[A-Za-z]){4}(?:[ .\-]?\d){10}(?![\p{N}])/gu;
const IBAN_BE = /(?<![\p{L}\p{N}])[Bb][Ee][ ]?\d[ ]?\d(?:[ .\-]?\d){12}(?![\p{N}])/gu;

function digitsOnly(text: string): string {
  return text.replace(/\D/g, '');
}

/** A BSN never starts with 0 in practice, and a 0 first is a Belgian phone number's shape. */
function isBsnText(text: string): boolean {
  const digits = digitsOnly(text);
  return !digits.startsWith('0') && isValidBsn(digits);
}

function ibanSpans(text: string): PiiSpan[] {
  const valid = (match: RegExpExecArray): boolean => isValidIban(match[0].replace(/[ .\-]/g, '').toUpperCase());
  return [...regexSpans(text, IBAN_NL, 'IBAN', valid), ...regexSpans(text, IBAN_BE, 'IBAN', valid)];
}

const L = '[A-Za-z]';
const D = '\\d';
/** Dutch sidecodes 1–14 (dashes required), Belgian 1-ABC-123, and the older Belgian ABC-123 / 123-ABC in capitals. */
const DUTCH_SIDECODES = [
  [L, L, D, D, D, D],
  [D, D, D, D, L, L],
  [D, D, L, L, D, D],
  [L, L, D, D, L, L],
  [L, L, L, L, D, D],
  [D, D, L, L, L, L],
].map(([a, b, c, d, e, f]) => `${a}${b}-${c}${d}-${e}${f}`);
const PLATE_SHAPES = [
  ...DUTCH_SIDECODES,
  `${D}{2}-${L}{3}-${D}`,
  `${D}-${L}{3}-${D}{2}`,
  `${L}{2}-${D}{3}-${L}`,
  `${L}-${D}{3}-${L}{2}`,
  `${L}{3}-${D}{2}-${L}`,
  `${L}-${D}{2}-${L}{3}`,
  `${D}-${L}{2}-${D}{3}`,
  `${D}{3}-${L}{2}-${D}`,
  `[1-9]-${L}{3}-${D}{3}`,
  '[A-Z]{3}-\\d{3}',
  '\\d{3}-[A-Z]{3}',
];
const PLATE = new RegExp(`(?<![\\p{L}\\p{N}\\-])(?:${PLATE_SHAPES.join('|')})(?![\\p{L}\\p{N}]|-[\\p{L}\\p{N}])`, 'gu');
/** Letter groups that are Dutch words, as in "10-en-12": not a plate. */
const WORD_GROUPS = new Set(['en', 'of', 'tm', 'om', 'tot', 'uur', 'jr', 'jaar', 'min', 'sec', 'ste', 'de', 'e']);

function isPlate(match: RegExpExecArray): boolean {
  const groups = match[0].split('-');
  if (!groups.some((group) => /\d/.test(group))) return false;
  return !groups.some((group) => WORD_GROUPS.has(group.toLowerCase()));
}

export function numberSpans(text: string): PiiSpan[] {
  return [
    ...regexSpans(text, NINE_DIGITS, 'BSN', (match) => isBsnText(match[0])),
    ...regexSpans(text, ELEVEN_DIGITS, 'RRN', (match) => isValidRrn(digitsOnly(match[0]))),
    ...ibanSpans(text),
    ...regexSpans(text, PLATE, 'PLATE', isPlate),
  ];
}
