/** Replaces each detected span with "[TYPE]", leaving the rest of the text as it was. */
import { detectPii } from './detect-pii.js';
import type { PiiSpan } from './pii-types.js';

/** Redacting can reveal a detail whose rule looked at the text beside it; a few passes settle it. */
const MAX_PASSES = 4;

function replaceSpans(text: string, spans: readonly PiiSpan[]): string {
  let redacted = '';
  let at = 0;
  for (const span of spans) {
    if (span.start < at || span.end > text.length) throw new RangeError('redactPii needs sorted, non-overlapping spans inside the text');
    redacted += `${text.slice(at, span.start)}[${span.type}]`;
    at = span.end;
  }
  return redacted + text.slice(at);
}

/**
 * `text` with each span replaced by "[TYPE]". With the detector's own spans it runs to a fixed
 * point (a second redaction changes nothing); spans given by a caller must be sorted and
 * non-overlapping, as detectPii returns them, and are applied once.
 */
export function redactPii(text: string, spans?: readonly PiiSpan[]): string {
  if (spans !== undefined) return replaceSpans(text, spans);
  let redacted = text;
  for (let pass = 0; pass < MAX_PASSES; pass += 1) {
    const found = detectPii(redacted);
    if (found.length === 0) break;
    redacted = replaceSpans(redacted, found);
  }
  return redacted;
}
