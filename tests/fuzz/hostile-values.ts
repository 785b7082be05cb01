import fc from 'fast-check';
import { emailAddressProbe, ipAddressProbe, probeFor, scanBytes, textRenderings, type IdentifierProbe, type Sighting } from '../support/identifier-scanner.js';

/**
 * Identifiers the fuzzers plant inside their inputs, so "no identifier in any error message or log
 * line" can be checked: whatever the input, these never come back out in a refusal or a log line.
 * Digits chosen so that no timestamp or port of a test run spells their last eight.
 */
export const PLANTED_PHONE = { name: 'planted mobile', e164: '+31641729358', countryCode: '31', areaCodeLength: 1 } as const;
export const PLANTED_EMAIL = 'kind.in.nood@example.nl';
export const PLANTED_IPV4 = '203.0.113.77';
export const PLANTED_IPV6 = '2001:db8:77:77::77';

const PHONE_PROBE = probeFor(PLANTED_PHONE);
const PROBES: readonly IdentifierProbe[] = [
  PHONE_PROBE,
  emailAddressProbe('planted e-mail', PLANTED_EMAIL),
  ipAddressProbe('planted IPv4', PLANTED_IPV4),
  ipAddressProbe('planted IPv6', PLANTED_IPV6),
];

/** The planted identifiers in the renderings people and wires use. */
export const plantedIdentifier: fc.Arbitrary<string> = fc.constantFrom(
  ...textRenderings(PLANTED_PHONE),
  PLANTED_EMAIL,
  PLANTED_EMAIL.toUpperCase(),
  `Kind <${PLANTED_EMAIL}>`,
  PLANTED_IPV4,
  `::ffff:${PLANTED_IPV4}`,
  PLANTED_IPV6,
  `[${PLANTED_IPV6}]:5060`,
);

const SPREAD_DIGITS = new RegExp(PHONE_PROBE.spreadDigits.source);
const CHEAP_NEEDLES = [/kind\.in\.nood/i, /203\.0\.113\.77/, /2001:db8:77:77/i];

/**
 * A quick per-input check: the planted number's last eight digits (any separators), the planted
 * addresses as text. Returns what was found, for the failure message; undefined when clean.
 */
export function plantedIn(text: string): string | undefined {
  if (SPREAD_DIGITS.test(text)) return 'the planted phone number';
  const needle = CHEAP_NEEDLES.find((pattern) => pattern.test(text));
  return needle ? `a planted address (${needle.source})` : undefined;
}

/** The full scan (every rendering, UTF-16, hex, base64) over everything a target wrote, at its end. */
export function plantedSightings(source: string, texts: readonly string[]): Sighting[] {
  return scanBytes(source, Buffer.from(texts.join('\n'), 'utf8'), PROBES);
}

const NASTY_STRINGS = [
  '', ' ', '\u0000', '\r\n', '\n\r', '\r', '\t', '\u2028', '\u202e', '\ufeff', '\uffff', '\ud800', '\udc00', '😀', 'é', 'ß',
  '<script>alert(1)</script>', '"><img src=x onerror=alert(1)>', 'javascript:alert(1)', '%s%s%n', '${7*7}', '{{7*7}}',
  '../../etc/passwd', '__proto__', 'constructor', 'prototype', 'null', 'undefined', 'NaN', '-1', '1e309', '0x10',
  "'; DROP TABLE contacts; --", '\\', '"', '{', '}', '[', ']', ':', ',', '=', ';', '@', '<', '>',
];

/** Text a hostile client sends: random code points, controls, lone surrogates, markup, planted identifiers. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.string({ maxLength: 60 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 60 }) },
  { weight: 2, arbitrary: fc.constantFrom(...NASTY_STRINGS) },
  { weight: 2, arbitrary: plantedIdentifier },
  {
    weight: 2,
    arbitrary: fc.array(fc.oneof(fc.constantFrom(...NASTY_STRINGS), plantedIdentifier, fc.string({ maxLength: 8 })), { maxLength: 8 }).map((parts) => parts.join('')),
  },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom('a', ' ', '0', '\u0000', 'é', '\ud800'), fc.integer({ min: 200, max: 20_000 })).map(([unit, count]) => unit.repeat(count)) },
);

/**
 * Pieces whose long repetition makes a backtracking regular expression rescan the rest of the text
 * at every position (the scrubber's e-mail pattern and the mail reader's link targets did): opened
 * and never closed, address-like, separator runs.
 */
const REPEATED_UNITS = [
  '[cid:', '[javascript:', 'a@', '@a', 'a.', '1.', '1 ', '1-', 'a:', '0:', '<a ', '<', '&#', '=?', '=?utf-8?B?', '\\u', '"', "'", '\\', '(', '{"a":', '[',
  'x', ' x', '\n\n', '\r\n', '+3', '06', 'a@b.', '.nl', '=', '=\r\n', '--', 'sip:', ';', ',', '%', '%2',
];

/** Text of 20 to 200 kB made of one short piece repeated: what a linear scan reads at once and a quadratic one never finishes. */
export const longRepetition: fc.Arbitrary<string> = fc
  .tuple(fc.constantFrom(...REPEATED_UNITS), fc.integer({ min: 20_000, max: 200_000 }), fc.constantFrom('', 'x', '@', ']', '\n'))
  .map(([unit, bytes, tail]) => `${unit.repeat(Math.ceil(bytes / unit.length))}${tail}`);

/** Numbers that break naive code: negatives, fractions, huge, -0, beyond safe integers. */
export const hostileNumber: fc.Arbitrary<number> = fc.oneof(
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(0, -0, -1, 1, 2 ** 31, 2 ** 53, 2 ** 53 + 2, -(2 ** 63), 1e308, Number.MIN_VALUE, 0.5),
);

/** Any JSON value, with hostile leaves and objects that carry `__proto__` and `constructor` as own keys. */
export const hostileJson: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    hostileString,
    hostileNumber,
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 5 }),
    fc.dictionary(fc.oneof(hostileString, fc.constantFrom('__proto__', 'constructor', 'type', 'text', 'id')), tie('value'), { maxKeys: 5 }),
  ),
})).value;

/**
 * A JSON object shaped like `sample` (a valid body), then mutated: a key dropped, a value replaced by
 * any hostile value, an unknown key added, or the whole body replaced by something else entirely.
 */
export function mutatedBody(sample: Readonly<Record<string, unknown>> | undefined): fc.Arbitrary<unknown> {
  const keys = Object.keys(sample ?? {});
  const base = sample ?? {};
  const edit = fc.oneof(
    fc.record({ kind: fc.constant('drop' as const), key: keys.length > 0 ? fc.constantFrom(...keys) : fc.constant('x'), value: fc.constant(null as unknown) }),
    fc.record({ kind: fc.constant('set' as const), key: keys.length > 0 ? fc.constantFrom(...keys) : hostileString, value: hostileJson }),
    fc.record({ kind: fc.constant('add' as const), key: fc.oneof(hostileString, fc.constantFrom('__proto__', 'constructor', 'admin', 'role')), value: hostileJson }),
  );
  const edited = fc.array(edit, { minLength: 1, maxLength: 4 }).map((edits) => {
    const body: Record<string, unknown> = JSON.parse(JSON.stringify(base)) as Record<string, unknown>;
    for (const { kind, key, value } of edits) {
      if (kind === 'drop') delete body[key];
      else Object.defineProperty(body, key, { value, enumerable: true, writable: true, configurable: true });
    }
    return body;
  });
  return fc.oneof({ weight: 4, arbitrary: edited }, { weight: 1, arbitrary: hostileJson });
}
