import { describe, expect, it } from 'vitest';
import { detectPii, redactPii } from '../../src/pii/index.js';
import { found, isWholeUtf16 } from './found.js';

describe('detectPii', () => {
  it('finds several details in one line, sorted by where they start', () => {
    expect(found('ik ben 13 mijn nummer 0611223344 mail anouk.b@live.nl')).toEqual([
      ['AGE', '13'],
      ['PHONE', '0611223344'],
      ['EMAIL', 'anouk.b@live.nl'],
    ]);
  });

  it('lets the longer span win where two overlap: the IBAN over the phone number inside it, the RRN over its date', () => {
    expect(found('NL91ABNA0417164300')).toEqual([['IBAN', 'NL91ABNA0417164300']]);
    expect(found('08.03.12-569.65')).toEqual([['RRN', '08.03.12-569.65']]);
    expect(found('sanne@gmail.com')).toEqual([['EMAIL', 'sanne@gmail.com']]);
  });

  it('gives the same answer every time', () => {
    const text = 'ik heet Lotte, woon op de Kerkstraat 12 in Zwolle, bel 06-12345678';
    expect(detectPii(text)).toEqual(detectPii(text));
  });

  it('never cuts an emoji in half and finds details glued to emoji', () => {
    const text = '😭06-12345678😭 ik heet Zoë🙏';
    const spans = detectPii(text);
    expect(found(text)).toEqual([
      ['PHONE', '06-12345678'],
      ['NAME', 'Zoë'],
    ]);
    for (const span of spans) {
      expect(isWholeUtf16(text.slice(0, span.start))).toBe(true);
      expect(isWholeUtf16(text.slice(span.start, span.end))).toBe(true);
    }
  });

  it('detects nothing inside a placeholder an earlier redaction left', () => {
    expect(detectPii('ik heet [NAME] en zit op [ORG] in [PLACE]')).toEqual([]);
  });
});

describe('redactPii', () => {
  it('replaces each detail with its type in brackets and leaves the rest of the text alone', () => {
    expect(redactPii('hoi ik ben sanne, bel me op 06 1234 5678 😊')).toBe('hoi ik ben [NAME], bel me op [PHONE] 😊');
  });

  it('redacts with spans given by the caller', () => {
    expect(redactPii('abc def', [{ type: 'NAME', start: 4, end: 7 }])).toBe('abc [NAME]');
  });

  it('refuses overlapping or unsorted spans instead of producing garbled text', () => {
    expect(() => redactPii('abcdef', [{ type: 'NAME', start: 2, end: 4 }, { type: 'NAME', start: 3, end: 5 }])).toThrow(RangeError);
  });
});
