import type { SuggestedSpan } from '../contacts/conversation-view.js';

/** More spans than any line of `chat.maxMessageChars` sensibly holds: a bound on the work, not a rule. */
export const MAX_SPANS_PER_REDACTION = 200;

/** What the placeholder may say: the detector's type names (NAME, PHONE, …), nothing a station could smuggle text in with. */
const SPAN_TYPE = /^[A-Za-z][A-Za-z0-9_-]{0,31}$/;

export type RedactionOutcome = { readonly ok: true; readonly text: string } | { readonly ok: false; readonly message: string };

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

/** True when `offset` falls between the two halves of one character. */
function splitsPair(text: string, offset: number): boolean {
  if (offset <= 0 || offset >= text.length) return false;
  return isHighSurrogate(text.charCodeAt(offset - 1)) && isLowSurrogate(text.charCodeAt(offset));
}

function placeholder(type: string): string {
  return type === '' ? '[…]' : `[${type.toUpperCase()}]`;
}

interface MergedSpan {
  start: number;
  end: number;
  type: string;
}

/**
 * The text with each span replaced by `[TYPE]` (or `[…]` without a type). Offsets are UTF-16 code
 * units into `text`, end exclusive. Overlapping spans become one (typed only when their types
 * agree); touching spans stay apart. Every span must lie inside the text, be non-empty and not
 * split a surrogate pair.
 */
export function redactSpans(text: string, spans: readonly SuggestedSpan[]): RedactionOutcome {
  if (!Array.isArray(spans) || spans.length === 0) return { ok: false, message: 'no spans to redact' };
  if (spans.length > MAX_SPANS_PER_REDACTION) return { ok: false, message: `more than ${MAX_SPANS_PER_REDACTION} spans` };
  for (const span of spans) {
    if (span === null || typeof span !== 'object') return { ok: false, message: 'a span is not an object' };
    const { start, end, type } = span;
    if (!Number.isInteger(start) || !Number.isInteger(end)) return { ok: false, message: 'span offsets must be whole numbers' };
    if (start < 0 || end > text.length) return { ok: false, message: 'a span lies outside the line' };
    if (end <= start) return { ok: false, message: 'a span is empty' };
    if (splitsPair(text, start) || splitsPair(text, end)) return { ok: false, message: 'a span splits a character' };
    if (typeof type !== 'string' || (type !== '' && !SPAN_TYPE.test(type))) return { ok: false, message: 'a span type must be a short name of letters, digits, _ or -' };
  }
  const sorted = [...spans].sort((a, b) => a.start - b.start || a.end - b.end);
  const merged: MergedSpan[] = [];
  for (const span of sorted) {
    const last = merged.at(-1);
    if (last && span.start < last.end) {
      last.end = Math.max(last.end, span.end);
      if (last.type !== span.type) last.type = '';
    } else {
      merged.push({ start: span.start, end: span.end, type: span.type });
    }
  }
  let redacted = '';
  let at = 0;
  for (const span of merged) {
    redacted += text.slice(at, span.start) + placeholder(span.type);
    at = span.end;
  }
  return { ok: true, text: redacted + text.slice(at) };
}
