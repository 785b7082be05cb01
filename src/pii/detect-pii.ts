/** Runs every rule family and keeps one span per stretch of text: the longest, then the most specific. */
import { contactSpans } from './contact-rules.js';
import { ageSpans, dateSpans } from './date-age-rules.js';
import { nameAndOrgSpans } from './name-rules.js';
import { numberSpans } from './number-rules.js';
import { STRUCTURED_TYPES, type PiiRule, type PiiSpan, type PiiType } from './pii-types.js';
import { placeSpans } from './place-rules.js';

const RULES: readonly PiiRule[] = [contactSpans, numberSpans, dateSpans, ageSpans, placeSpans, nameAndOrgSpans];

/** On equal length the type with the checked shape wins: an IBAN over the phone number inside it. */
const SPECIFICITY: readonly PiiType[] = ['IBAN', 'RRN', 'BSN', 'EMAIL', 'URL', 'IP', 'PHONE', 'PLATE', 'POSTCODE', 'DATE', 'ADDRESS', 'HANDLE', 'AGE', 'ORG', 'PLACE', 'NAME'];

/** A "[TYPE]" an earlier redaction left: nothing is detected inside it, so redacting twice changes nothing. */
const PLACEHOLDER = /\[(?:PHONE|EMAIL|URL|IP|HANDLE|POSTCODE|ADDRESS|DATE|AGE|BSN|RRN|IBAN|PLATE|NAME|PLACE|ORG)\]/g;

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

/** Widens a span that would cut a surrogate pair in half (an emoji glued to a match). */
function onCodePoints(span: PiiSpan, text: string): PiiSpan {
  const start = span.start > 0 && isLowSurrogate(text.charCodeAt(span.start)) ? span.start - 1 : span.start;
  const end = span.end < text.length && isLowSurrogate(text.charCodeAt(span.end)) ? span.end + 1 : span.end;
  return start === span.start && end === span.end ? span : { type: span.type, start, end };
}

function compareCandidates(left: PiiSpan, right: PiiSpan): number {
  return right.end - right.start - (left.end - left.start) || SPECIFICITY.indexOf(left.type) - SPECIFICITY.indexOf(right.type) || left.start - right.start;
}

/** Accepted spans kept sorted by start; a candidate goes in only where it overlaps none of them. */
function insertIfFree(accepted: PiiSpan[], candidate: PiiSpan): void {
  let low = 0;
  let high = accepted.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if ((accepted[middle] as PiiSpan).start < candidate.start) low = middle + 1;
    else high = middle;
  }
  const before = accepted[low - 1];
  const after = accepted[low];
  if (before !== undefined && before.end > candidate.start) return;
  if (after !== undefined && after.start < candidate.end) return;
  accepted.splice(low, 0, candidate);
}

/**
 * A phone number, address or checked number found once is marked wherever else it appears, even
 * glued to other text ("Sanne0612345678") where its own rule cannot see where it starts. One scan
 * per distinct length keeps this linear in the text.
 */
function markRepeats(text: string, accepted: PiiSpan[]): void {
  const byLength = new Map<number, Map<string, PiiType>>();
  for (const span of accepted) {
    if (!STRUCTURED_TYPES.includes(span.type)) continue;
    const values = byLength.get(span.end - span.start) ?? new Map<string, PiiType>();
    values.set(text.slice(span.start, span.end), span.type);
    byLength.set(span.end - span.start, values);
  }
  for (const [length, values] of byLength) {
    for (let at = 0; at + length <= text.length; at += 1) {
      const type = values.get(text.slice(at, at + length));
      if (type !== undefined) insertIfFree(accepted, onCodePoints({ type, start: at, end: at + length }, text));
    }
  }
}

/** Every personal detail found in `text`: sorted by start, never overlapping, deterministic. */
export function detectPii(text: string): PiiSpan[] {
  const placeholders = [...text.matchAll(PLACEHOLDER)].map((match): PiiSpan => ({ type: 'NAME', start: match.index, end: match.index + match[0].length }));
  const candidates = RULES.flatMap((rule) => rule(text))
    .map((span) => onCodePoints(span, text))
    .sort(compareCandidates);
  const accepted: PiiSpan[] = [...placeholders];
  for (const candidate of candidates) insertIfFree(accepted, candidate);
  markRepeats(text, accepted);
  const kept = new Set(placeholders);
  return accepted.filter((span) => !kept.has(span));
}
