import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { detectPii, redactPii, STRUCTURED_TYPES } from '../../src/pii/index.js';
import { isWholeUtf16 } from './found.js';

/** Pieces of chat with and without details, so the properties are tried on text that has some. */
const FRAGMENTS = [
  'ik heet Sanne', 'mijn broer daan', 'bel 06-12345678', '+32 470 12 34 56', 'sanne@gmail.com', 'www.site.nl', '192.168.1.2',
  '@lisa_2010', '1234 AB', 'in 9000 gent', 'Kerkstraat 12', '3 maart', '14-02-2011', 'ik ben 14', '370193386',
  '08.03.12-569.65', 'NL91ABNA0417164300', '12-ABC-3', 'ik zit op De Regenboog', 'ik woon in Zwolle', 'bsn 370193387',
  'ik', 'ben', 'bang', '😭', '🙏🏽', ' ', '.', '-', '@', '[', ']', '[NAME]', '0', '06', '12', 'de', 'op', 'in', '\n',
];

const chatText = fc.oneof(
  fc.string({ maxLength: 80 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.array(fc.constantFrom(...FRAGMENTS), { maxLength: 12 }).map((pieces) => pieces.join(' ')),
  fc.array(fc.constantFrom(...FRAGMENTS), { maxLength: 12 }).map((pieces) => pieces.join('')),
);

describe('detectPii on any text', () => {
  it('never throws, and returns spans in bounds, sorted and not overlapping', () => {
    fc.assert(
      fc.property(chatText, (text) => {
        const spans = detectPii(text);
        let previousEnd = 0;
        for (const span of spans) {
          expect(span.start).toBeGreaterThanOrEqual(previousEnd);
          expect(span.end).toBeGreaterThan(span.start);
          expect(span.end).toBeLessThanOrEqual(text.length);
          previousEnd = span.end;
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('never puts a span boundary inside a surrogate pair', () => {
    fc.assert(
      fc.property(chatText, (text) => {
        if (!isWholeUtf16(text)) return;
        for (const span of detectPii(text)) {
          expect(isWholeUtf16(text.slice(0, span.start))).toBe(true);
          expect(isWholeUtf16(text.slice(span.start, span.end))).toBe(true);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('leaves none of the detected phone numbers, addresses, checked numbers or plates in the redacted text', () => {
    fc.assert(
      fc.property(chatText, (text) => {
        const redacted = redactPii(text);
        for (const span of detectPii(text).filter((candidate) => STRUCTURED_TYPES.includes(candidate.type))) {
          expect(redacted).not.toContain(text.slice(span.start, span.end));
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('changes nothing more when the redacted text is redacted again', () => {
    fc.assert(
      fc.property(chatText, (text) => {
        const once = redactPii(text);
        expect(redactPii(once)).toBe(once);
      }),
      { numRuns: 2000 },
    );
  });
});
