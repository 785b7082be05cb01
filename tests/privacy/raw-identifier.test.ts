import { format, inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { normalizeEmailAddress, normalizeIpAddress, normalizePhoneNumber } from '../../src/privacy/normalize.js';
import { canonicalText, type RawIdentifier } from '../../src/privacy/raw-identifier.js';

function phone(text: string) {
  const result = normalizePhoneNumber(text, 'NL');
  if (result.kind !== 'number') throw new Error('test number did not normalize');
  return result.number;
}

const caller = phone('06-1234 5678');

/** True when the text holds the subscriber digits in any rendering: plain, E.164, spaced, dashed. */
function leaksNumber(text: string): boolean {
  return text.replace(/\D/g, '').includes('12345678');
}

/** Every way a value ends up as text in a log line, an error, a payload or a snapshot. */
function renderings(identifier: RawIdentifier): Record<string, string> {
  const nested = { contact: { caller: identifier, history: [identifier] } };
  const cloned: unknown = structuredClone(identifier);
  const clonedNested: unknown = structuredClone(nested);
  const entries = Object.entries(identifier);
  return {
    String: String(identifier),
    template: `${identifier}`,
    concatenation: '' + identifier,
    arrayJoin: [identifier].join(','),
    arrayString: String([identifier]),
    json: JSON.stringify(identifier),
    jsonNested: JSON.stringify(nested),
    inspect: inspect(identifier),
    inspectNested: inspect(nested, { depth: 10 }),
    inspectRaw: inspect(identifier, { customInspect: false, showHidden: true, getters: true }),
    inspectRawNested: inspect(nested, { customInspect: false, showHidden: true, depth: 10 }),
    format: format('%s %o %O %j %d %i %f', identifier, identifier, identifier, identifier, identifier, identifier, identifier),
    formatNested: format('%s %o %j', nested, nested, nested),
    formatBare: format(identifier),
    structuredClone: JSON.stringify(cloned) + inspect(cloned, { customInspect: false, showHidden: true }),
    structuredCloneNested: JSON.stringify(clonedNested) + inspect(clonedNested, { customInspect: false }),
    keys: JSON.stringify([Object.keys(identifier), Reflect.ownKeys(identifier).map(String), entries]),
    spread: JSON.stringify({ ...identifier }) + inspect({ ...identifier }, { customInspect: false }),
    assign: inspect(Object.assign({}, identifier), { customInspect: false }),
    errorMessage: new Error(`no route for ${identifier}`).message,
    errorStack: new Error(`no route for ${identifier}`).stack ?? '',
    errorCause: inspect(new Error('no route', { cause: identifier })),
    url: new URLSearchParams({ caller: String(identifier) }).toString(),
  };
}

describe('RawIdentifier', () => {
  it('prints a phone number in no rendering', () => {
    for (const [name, text] of Object.entries(renderings(caller))) {
      expect(leaksNumber(text), `${name}: ${text}`).toBe(false);
    }
  });

  it('prints an IP address or e-mail address in no rendering', () => {
    const address = normalizeIpAddress('198.51.100.23');
    const mail = normalizeEmailAddress('kim.janssen@example.nl');
    if (!address || !mail) throw new Error('test input did not normalize');
    for (const [name, text] of Object.entries({ ...renderings(address), ...renderings(mail) })) {
      expect(text, name).not.toContain('198.51.100.23');
      expect(text, name).not.toContain('kim.janssen');
    }
  });

  it('the leak check itself catches the digits in any rendering', () => {
    expect(leaksNumber(canonicalText(caller))).toBe(true);
    expect(leaksNumber('call from 06 12 34 56 78')).toBe(true);
    expect(leaksNumber(String(caller))).toBe(false);
  });

  it('loses its value when cloned: a copy is not an identifier', () => {
    expect(() => canonicalText(structuredClone(caller))).toThrow(TypeError);
    expect(() => canonicalText({ ...caller } as RawIdentifier)).toThrow(TypeError);
  });

  it('says which kind it is, and compares by value', () => {
    expect(String(caller)).toBe('[phone withheld]');
    expect(caller.sameAs(phone('+31612345678'))).toBe(true);
    expect(caller.sameAs(phone('+31612345679'))).toBe(false);
  });
});
