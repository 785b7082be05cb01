/**
 * The labelled chat lines, resolved to offsets. A label is the exact substring and its type; the
 * n-th label with the same substring is its n-th occurrence in the line. A label that is not in
 * its line throws, so a typo in the fixture cannot silently become a "miss".
 */
import type { PiiSpan, PiiType } from '../../src/pii/index.js';
import { BELGIAN_LINES } from './labelled-lines-be.js';
import { CLEAN_LINES } from './labelled-lines-clean.js';
import { DUTCH_LINES } from './labelled-lines-nl.js';

export interface LabelledLine {
  readonly text: string;
  readonly pii: readonly (readonly [PiiType, string])[];
}

export interface ResolvedLine {
  readonly text: string;
  readonly spans: readonly PiiSpan[];
}

export function resolveLabels(line: LabelledLine): ResolvedLine {
  const seen = new Map<string, number>();
  const spans = line.pii.map(([type, substring]): PiiSpan => {
    let from = 0;
    let start = -1;
    const occurrence = seen.get(substring) ?? 0;
    for (let found = 0; found <= occurrence; found += 1) {
      start = line.text.indexOf(substring, from);
      if (start < 0) throw new Error(`labelled ${type} "${substring}" (occurrence ${occurrence + 1}) is not in: ${line.text}`);
      from = start + substring.length;
    }
    seen.set(substring, occurrence + 1);
    return { type, start, end: start + substring.length };
  });
  return { text: line.text, spans: [...spans].sort((left, right) => left.start - right.start) };
}

export const LABELLED_LINES: readonly LabelledLine[] = [...DUTCH_LINES, ...BELGIAN_LINES, ...CLEAN_LINES];
