/**
 * Dutch and Belgian phone numbers in running text: a start ("0", "+31", "0032", "(020)") found by
 * a regex, then a bounded scan over digits with up to two separators between them, then a length
 * choice checked with libphonenumber. The scan never reads more than a dozen digits from a start.
 */
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import type { PiiSpan } from './pii-types.js';

const PHONE_START = /(?<![\p{L}\p{N}+(]|\d[.\-/])(?:\(?(?:\+|00)[ ]?3[12]\)?|\(?0(?=\d))/gu;
const SEPARATOR = /[ \-./()\u00a0]/;
const MAX_SEPARATORS = 2;

interface ScannedDigits {
  readonly digits: string;
  /** ends[i]: the offset just after digit i. */
  readonly ends: readonly number[];
}

/** Up to `max` digits from `from`, allowing at most two separators between two digits. */
function scanDigits(text: string, from: number, max: number): ScannedDigits {
  let digits = '';
  const ends: number[] = [];
  let at = from;
  let separators = 0;
  while (at < text.length && digits.length < max) {
    const character = text[at] ?? '';
    if (character >= '0' && character <= '9') {
      digits += character;
      ends.push(at + 1);
      separators = 0;
    } else if (SEPARATOR.test(character) && separators < MAX_SEPARATORS && (digits.length > 0 || at - from < 3)) {
      separators += 1;
    } else {
      break;
    }
    at += 1;
  }
  return { digits, ends };
}

function isValidIn(national: string, country: 'NL' | 'BE'): boolean {
  return parsePhoneNumberFromString(national, country)?.isValid() === true;
}

/** Digits in national form ("0" first); the length that makes a plausible number, or 0. */
function chooseLength(national: string, country: 'NL' | 'BE' | undefined, ended: (length: number) => boolean): number {
  const ten = national.length >= 10 && ended(10) ? national.slice(0, 10) : undefined;
  const nine = national.length >= 9 && ended(9) ? national.slice(0, 9) : undefined;
  if (national[1] === '0') return 0;
  if (ten !== undefined && country !== 'BE' && isValidIn(ten, 'NL')) return 10;
  if (ten !== undefined && country !== 'NL' && ten.startsWith('04') && isValidIn(ten, 'BE')) return 10;
  // Belgian fixed lines are 0 + 8 digits; a number not in a known range still looks like one.
  if (nine !== undefined && country !== 'NL' && !nine.startsWith('04')) return 9;
  if (ten !== undefined && country !== 'BE') return 10;
  if (ten !== undefined && ten.startsWith('04')) return 10;
  return 0;
}

export function phoneSpans(text: string): PiiSpan[] {
  const spans: PiiSpan[] = [];
  PHONE_START.lastIndex = 0;
  for (let match = PHONE_START.exec(text); match !== null; match = PHONE_START.exec(text)) {
    const start = match.index;
    const prefix = match[0];
    const international = !prefix.endsWith('0');
    const country = international ? (prefix.includes('31') ? 'NL' : 'BE') : undefined;
    let from = start + prefix.length;
    // "+31 (0)6 ...", "+31 06 ...": the trunk zero some people keep after the country code.
    const trunkZero = /^[ ]?\(0\)|^[ ]?0/.exec(text.slice(from, from + 4));
    if (international && trunkZero !== null) from += trunkZero[0].length;
    const scanned = scanDigits(text, from, 9);
    const national = `0${scanned.digits}`;
    // Ten digits may be followed by another number ("0612345678 0687654321"); nine only end a
    // number when no group follows, or "08.03.12-569.68" (an RRN look-alike) would be a phone.
    const ended = (length: number): boolean => {
      const end = scanned.ends[length - 2];
      const after = text.slice(end, (end ?? 0) + 2);
      return end !== undefined && !/^\d/.test(after) && (length === 10 || !/^[ \-./]\d/.test(after));
    };
    const length = chooseLength(national, country, ended);
    const end = scanned.ends[length - 2];
    if (length > 0 && end !== undefined) spans.push({ type: 'PHONE', start, end });
  }
  return spans;
}
