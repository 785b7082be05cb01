import { describe, expect, it } from 'vitest';
import { readCallerPresentation } from '../../../src/line/sip/index.js';
import { canonicalText } from '../../../src/privacy/raw-identifier.js';
import { SipHeaders, type SipRequest } from '../../../src/sip/index.js';

function invite(headers: Array<[string, string]>): SipRequest {
  const sipHeaders = new SipHeaders();
  for (const [name, value] of headers) sipHeaders.append(name, value);
  return { kind: 'request', method: 'INVITE', uri: { scheme: 'sip', host: 'box.invalid', params: [], headers: [] }, headers: sipHeaders, body: new Uint8Array() };
}

function numberOf(headers: Array<[string, string]>): string | undefined {
  const caller = readCallerPresentation(invite(headers), 'NL');
  return caller.kind === 'number' ? canonicalText(caller.number) : caller.kind;
}

describe('reading the caller at the SIP boundary', () => {
  it('treats 06, +316 and 00316 in From as the same caller', () => {
    for (const user of ['0612345678', '+31612345678', '%2B31612345678', '0031612345678']) {
      expect(numberOf([['From', `<sip:${user}@trunk.example>;tag=1`]])).toBe('+31612345678');
    }
  });

  it('prefers P-Asserted-Identity (a tel: URI first) over From', () => {
    expect(numberOf([
      ['From', '<sip:0201234567@trunk.example>;tag=1'],
      ['P-Asserted-Identity', '<sip:0612345678@trunk.example;user=phone>, <tel:+31 6 1234 5678>'],
    ])).toBe('+31612345678');
    expect(numberOf([['From', '<sip:0201234567@trunk.example>;tag=1'], ['P-Asserted-Identity', '<sip:0612345678;phone-context=x@trunk.example>']])).toBe('+31612345678');
  });

  it('reads Privacy: id, an anonymous From and the words trunks use as withheld or unavailable', () => {
    expect(numberOf([['From', '<sip:0612345678@trunk.example>;tag=1'], ['Privacy', 'id']])).toBe('withheld');
    expect(numberOf([['From', '<sip:0612345678@trunk.example>;tag=1'], ['Privacy', 'header;critical']])).toBe('withheld');
    expect(numberOf([['From', '"Anonymous" <sip:anonymous@anonymous.invalid>;tag=1']])).toBe('withheld');
    expect(numberOf([['From', '<sip:unavailable@trunk.example>;tag=1']])).toBe('unavailable');
    expect(numberOf([['From', '<sip:trunk.example>;tag=1']])).toBe('unavailable');
  });

  it('calls a user part that is no phone number invalid, and never trusts the display name', () => {
    expect(numberOf([['From', '"0612345678" <sip:sipp@trunk.example>;tag=1']])).toBe('invalid');
    expect(numberOf([['From', 'garbage <<<']])).toBe('unavailable');
  });

  it('keeps a Privacy: none caller known', () => {
    expect(numberOf([['From', '<sip:0612345678@trunk.example>;tag=1'], ['Privacy', 'none']])).toBe('+31612345678');
  });
});
