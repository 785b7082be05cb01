import { describe, expect, it } from 'vitest';
import { foundOfType } from './found.js';

describe('BSN', () => {
  it('finds a nine-digit number that passes the 11-check, with or without dots and spaces', () => {
    expect(foundOfType('bsn 370193386', 'BSN')).toEqual(['370193386']);
    expect(foundOfType('bsn 503 597 879', 'BSN')).toEqual(['503 597 879']);
    expect(foundOfType('bsn 4345.52.860', 'BSN')).toEqual(['4345.52.860']);
  });

  it('does not mark a nine-digit number that fails the 11-check', () => {
    expect(foundOfType('bsn 370193387', 'BSN')).toEqual([]);
    expect(foundOfType('code 229049324', 'BSN')).toEqual([]);
  });

  it('does not mark nine digits inside a longer number', () => {
    expect(foundOfType('nummer 13701933861', 'BSN')).toEqual([]);
  });
});

describe('RRN', () => {
  it('finds a national register number in the YY.MM.DD-XXX.CC layout and bare', () => {
    expect(foundOfType('rrn 08.03.12-569.65', 'RRN')).toEqual(['08.03.12-569.65']);
    expect(foundOfType('rrn 95041761822', 'RRN')).toEqual(['95041761822']);
  });

  it('does not mark one with wrong check digits, nor take it for a phone number', () => {
    expect(foundOfType('rrn 08.03.12-569.68', 'RRN')).toEqual([]);
    expect(foundOfType('rrn 08.03.12-569.68', 'PHONE')).toEqual([]);
  });
});

describe('IBAN', () => {
  it('finds Dutch and Belgian IBANs with any spacing and case', () => {
    expect(foundOfType('NL91ABNA0417164300', 'IBAN')).toEqual(['NL91ABNA0417164300']);
    expect(foundOfType('rek nl91 abna 0417 1643 00 ok', 'IBAN')).toEqual(['nl91 abna 0417 1643 00']);
    expect(foundOfType('BE68 5390 0754 7034', 'IBAN')).toEqual(['BE68 5390 0754 7034']);
  });

  it('does not mark an IBAN whose mod-97 fails', () => {
    expect(foundOfType('NL91ABNA0417164301', 'IBAN')).toEqual([]);
  });
});

describe('PLATE', () => {
  it.each(['12-ABC-3', 'AB-123-C', '1-ABC-23', 'XK-PN-87', '87-XK-PN', '1-ABC-123', 'gz-482-r'])('finds the plate %s', (plate) => {
    expect(foundOfType(`kenteken ${plate} zag ik`, 'PLATE')).toEqual([plate]);
  });

  it('does not take dates or number ranges with words for plates', () => {
    expect(foundOfType('14-02-2011 en 10-en-12 en 12-12-12', 'PLATE')).toEqual([]);
  });
});
