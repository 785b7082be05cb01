/** The check digits that tell a real BSN, Belgian national register number or IBAN from any number of that length. */

function digitsOf(text: string): number[] {
  return [...text].map((character) => character.charCodeAt(0) - 48);
}

/** Dutch BSN "elfproef": 9×d1 + 8×d2 + … + 2×d8 − 1×d9 is a multiple of 11 (and not 0). */
export function isValidBsn(text: string): boolean {
  if (!/^\d{9}$/.test(text)) return false;
  const digits = digitsOf(text);
  let sum = 0;
  for (let index = 0; index < 8; index += 1) sum += (digits[index] ?? 0) * (9 - index);
  sum -= digits[8] ?? 0;
  return sum !== 0 && sum % 11 === 0;
}

/** The two check digits of a Belgian national register number for its first nine digits. */
export function rrnCheckDigits(firstNine: string, bornAfter1999: boolean): number {
  const base = Number(firstNine) + (bornAfter1999 ? 2_000_000_000 : 0);
  return 97 - (base % 97);
}

/**
 * Belgian rijksregisternummer (YYMMDD-XXX-CC): CC = 97 − (first nine mod 97); for people born in
 * 2000 or later "2" is put in front of the nine digits first. The text alone does not say the
 * century, so either rule passing is enough.
 */
export function isValidRrn(text: string): boolean {
  if (!/^\d{11}$/.test(text)) return false;
  const firstNine = text.slice(0, 9);
  const check = Number(text.slice(9));
  return check === rrnCheckDigits(firstNine, false) || check === rrnCheckDigits(firstNine, true);
}

const IBAN_LENGTHS: Readonly<Record<string, number>> = { NL: 18, BE: 16 };

/** ISO 7064 mod 97 over the IBAN with its first four characters moved to the end, letters as 10..35. */
function ibanRemainder(iban: string): number {
  const rearranged = iban.slice(4) + iban.slice(0, 4);
  let remainder = 0;
  for (const character of rearranged) {
    const code = character.charCodeAt(0);
    const value = code >= 65 ? code - 55 : code - 48;
    remainder = (remainder * (value >= 10 ? 100 : 10) + value) % 97;
  }
  return remainder;
}

/** A Dutch or Belgian IBAN (no spaces, upper case) with the right length, shape and mod-97 check. */
export function isValidIban(text: string): boolean {
  const country = text.slice(0, 2);
  const length = IBAN_LENGTHS[country];
  if (length === undefined || text.length !== length) return false;
  const shape = country === 'NL' ? /^NL\d{2}[A-Z]{4}\d{10}$/ : /^BE\d{14}$/;
  return shape.test(text) && ibanRemainder(text) === 1;
}

/** The check digits that make `country + ?? + rest` a valid IBAN (used to build test data). */
export function ibanCheckDigits(country: string, rest: string): string {
  const check = 98 - ibanRemainder(`${country}00${rest}`);
  return String(check).padStart(2, '0');
}
