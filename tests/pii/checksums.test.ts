import { describe, expect, it } from 'vitest';
import { ibanCheckDigits, isValidBsn, isValidIban, isValidRrn, rrnCheckDigits } from '../../src/pii/checksums.js';

describe('the checksums', () => {
  it('accepts a BSN that passes the 11-check and refuses one digit off', () => {
    expect(isValidBsn('111222333')).toBe(true);
    expect(isValidBsn('370193386')).toBe(true);
    expect(isValidBsn('370193387')).toBe(false);
    expect(isValidBsn('000000000')).toBe(false);
    expect(isValidBsn('37019338')).toBe(false);
  });

  it('accepts a Belgian national register number under the pre-2000 rule', () => {
    const firstNine = '950417618';
    const check = String(rrnCheckDigits(firstNine, false)).padStart(2, '0');
    expect(isValidRrn(firstNine + check)).toBe(true);
  });

  it('accepts one under the born-in-2000-or-later rule (a 2 put before the nine digits)', () => {
    const firstNine = '080312569';
    const after2000 = String(rrnCheckDigits(firstNine, true)).padStart(2, '0');
    const before2000 = String(rrnCheckDigits(firstNine, false)).padStart(2, '0');
    expect(after2000).not.toBe(before2000);
    expect(isValidRrn(firstNine + after2000)).toBe(true);
    expect(isValidRrn('08031256968')).toBe(false);
  });

  it('accepts Dutch and Belgian IBANs with a good mod-97 and refuses a changed digit', () => {
    expect(isValidIban('NL91ABNA0417164300')).toBe(true);
    expect(isValidIban('BE68539007547034')).toBe(true);
    expect(isValidIban('NL91ABNA0417164301')).toBe(false);
    expect(isValidIban('BE68539007547035')).toBe(false);
    expect(isValidIban('DE89370400440532013000')).toBe(false);
  });

  it('computes IBAN check digits that make the whole number valid', () => {
    const rest = 'RABO0123456789';
    expect(isValidIban(`NL${ibanCheckDigits('NL', rest)}${rest}`)).toBe(true);
  });
});
