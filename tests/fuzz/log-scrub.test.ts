import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log/logger.js';
import { looksLikeIdentifier, scrubIdentifiers } from '../../src/log/scrub.js';
import { budget, FuzzReport } from './fuzz-budget.js';
import { hostileJson, hostileString, longRepetition, PLANTED_EMAIL, PLANTED_PHONE } from './hostile-values.js';
import { textRenderings } from '../support/identifier-scanner.js';

/**
 * The last line of defence every surface shares (src/log/scrub.ts and the logger): whatever text a
 * wire brought, scrubbing takes time linear in its length, keeps its meaning (the reference below is
 * the pattern as it was before the look-behind), and a log line stays one JSON line without the
 * planted number or e-mail address.
 */

const report = new FuzzReport('log-scrub');
afterAll(() => report.write());

/** The e-mail pattern before the fix: same matches, quadratic on a long run without "@". */
const REFERENCE_EMAIL = /[^\s@<>"']+@[^\s@<>"']+\.[a-z]{2,}/gi;
const DIGIT_RUN = /\+?\d(?:[\s().\-/]{0,2}\d){8,}/g;

function referenceScrub(text: string): string {
  return text.replace(REFERENCE_EMAIL, '[e-mail removed]').replace(DIGIT_RUN, '[number removed]');
}

/** Every rendering of at least nine digits: a bare run of eight is below what the scrubber can tell from a count. */
const phoneOrEmail = fc.constantFrom(...textRenderings(PLANTED_PHONE).filter((rendering) => rendering.replace(/\D/g, '').length >= 9), PLANTED_EMAIL, PLANTED_EMAIL.toUpperCase(), `<${PLANTED_EMAIL}>`, `x${PLANTED_EMAIL}`, 'a@b@c.nl', '@@a.nl', 'a@.nl');
/** The planted number's nine national digits with up to two of the separators people write (the scrubber's), or the planted address. */
const NINE_DIGITS_OR_EMAIL = new RegExp(`${[...'641729358'].join('[\\s().\\-/]{0,2}')}|kind\\.in\\.nood`, 'i');
const shortText = fc.array(fc.oneof(hostileString, phoneOrEmail, fc.constantFrom('@', '.', ' ', 'a', '1', '<', '"')), { maxLength: 8 }).map((parts) => parts.join('').slice(0, 300));

describe('log scrubbing under fuzzing', () => {
  it('scrubs short text exactly as the pattern it replaced did', () => {
    const target = report.target('scrubIdentifiers: same result as the reference');
    fc.assert(
      fc.property(shortText, (text) => {
        target.run(() => {
          expect(scrubIdentifiers(text)).toBe(referenceScrub(text));
          target.outcome(scrubIdentifiers(text) === text ? 'unchanged' : 'scrubbed');
        });
      }),
      budget(1),
    );
    target.finished();
  });

  it('scrubs and judges 20 to 200 kB of one repeated piece in linear time', () => {
    const target = report.target('scrubIdentifiers and looksLikeIdentifier: long repetitions');
    fc.assert(
      fc.property(longRepetition, (text) => {
        target.run(() => {
          scrubIdentifiers(text);
          looksLikeIdentifier(text);
          target.outcome('linear');
        });
      }),
      budget(20),
    );
    target.finished();
  });

  it('writes any logged value as one JSON line without the planted number or e-mail address', () => {
    const target = report.target('logger: hostile fields and messages');
    fc.assert(
      fc.property(hostileJson, fc.oneof(hostileString, phoneOrEmail), phoneOrEmail, (fields, message, planted) => {
        target.run(() => {
          const lines: string[] = [];
          const logger = createLogger({ level: 'info', destination: { write: (line: string) => void lines.push(line) } });
          logger.info({ value: fields, note: `${planted} ${message}`, nested: { detail: planted } }, message);
          logger.warn(`${message} ${planted}`);
          expect(lines).toHaveLength(2);
          for (const line of lines) {
            expect(line.endsWith('\n') && !line.slice(0, -1).includes('\n')).toBe(true);
            expect(() => JSON.parse(line)).not.toThrow();
            expect(line).not.toMatch(NINE_DIGITS_OR_EMAIL);
          }
          target.outcome('one clean line');
        });
      }),
      budget(1),
    );
    target.finished();
  });
});

describe('regressions found by fuzzing the scrubber', () => {
  it('scrubs 256 kB without "@" in linear time: the e-mail pattern took 150 s', () => {
    const started = process.hrtime.bigint();
    expect(scrubIdentifiers('x'.repeat(256_000))).toHaveLength(256_000);
    expect(looksLikeIdentifier('\\ud800'.repeat(40_000))).toBe(false);
    expect(Number(process.hrtime.bigint() - started) / 1e6).toBeLessThan(1000);
  });

  it('scrubs a number written with its area code in brackets: "(06) 41729358" went through', () => {
    expect(scrubIdentifiers('bel (06) 41729358 of (030) 2345678 of +31 (0)6 41729358')).toBe('bel ([number removed] of ([number removed] of [number removed]');
  });

  it('scrubs the keys of a logged object too: a number as a key went through', () => {
    const lines: string[] = [];
    createLogger({ destination: { write: (line: string) => void lines.push(line) } }).info({ counts: { '+31641729358': 1 } }, 'x');
    expect(lines[0]).toContain('"counts":{"[number removed]":1}');
  });

  it('writes nothing deeper than five levels rather than write it unscrubbed: a number six levels down went out', () => {
    const lines: string[] = [];
    createLogger({ destination: { write: (line: string) => void lines.push(line) } }).info({ a: [[{ b: { c: { d: '+31641729358' } } }]], p: JSON.parse('{"__proto__": "+31641729358"}') as unknown }, 'x');
    expect(lines[0]).not.toMatch(NINE_DIGITS_OR_EMAIL);
    expect(lines[0]).toContain('[nested too deep to log]');
  });

  it('scrubs an address that starts right where the previous one ended (the first linear pattern missed it)', () => {
    expect(scrubIdentifiers('a@b@c.de#@A.AA')).toBe(referenceScrub('a@b@c.de#@A.AA'));
    expect(scrubIdentifiers('een@x.nl,twee@y.nl')).toBe('[e-mail removed][e-mail removed]');
  });
});
