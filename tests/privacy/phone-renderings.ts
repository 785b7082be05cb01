import fc from 'fast-check';

/** Separators people and exchanges put between digits. */
const separator = fc.constantFrom('', '', ' ', '-', '.', '  ', ' - ', '/');

/** `parts` joined with a random separator in every gap. */
export function withSeparators(parts: readonly string[]): fc.Arbitrary<string> {
  return fc
    .array(separator, { minLength: parts.length, maxLength: parts.length })
    .map((gaps) => parts.map((part, i) => (i === 0 ? part : (gaps[i] ?? '') + part)).join(''));
}

/** A national number written with the trunk prefix, with +CC, with 00CC, and with +CC (0). */
export function renderings(countryCode: string, nationalDigits: string): fc.Arbitrary<string[]> {
  const digits = [...nationalDigits];
  return fc.tuple(
    withSeparators(['0', ...digits]),
    withSeparators(['+', countryCode, ...digits]),
    withSeparators(['00', countryCode, ...digits]),
    withSeparators(digits).map((rest) => `+${countryCode} (0)${rest}`),
    withSeparators(digits.slice(1)).map((rest) => `(0${digits[0] ?? ''}) ${rest}`),
  );
}

/** A Dutch mobile number without trunk prefix: 6 and eight digits. */
export const dutchMobile = fc.stringMatching(/^6\d{8}$/);

/** A Belgian mobile number without trunk prefix: 4, then 5-9, then seven digits (04xx …). */
export const belgianMobile = fc.stringMatching(/^4[5-9]\d{7}$/);
