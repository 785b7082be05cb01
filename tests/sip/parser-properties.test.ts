import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  SipHeaders, formatNameAddress, formatVia, parseSipMessage, parseSipMessageSafely, serializeSipMessage,
  TCP_PARSE_LIMITS, type SipMessage, type SipUri,
} from '../../src/sip/index.js';
import { inviteWithBody } from './sip-fixtures.js';

const token = fc.stringMatching(/^[A-Za-z0-9\-.!%*_+`'~]{1,12}$/);
const lowerWord = fc.stringMatching(/^[a-z][a-z0-9]{0,8}$/);
const host = fc.oneof(
  fc.ipV4(),
  fc.array(lowerWord, { minLength: 1, maxLength: 3 }).map((labels) => labels.join('.')),
  fc.constant('[2001:db8::1]'),
);
const params = fc.array(fc.tuple(lowerWord, fc.option(fc.stringMatching(/^[A-Za-z0-9\-_.]{1,8}$/), { nil: undefined })), { maxLength: 3 });
const sipUri: fc.Arbitrary<SipUri> = fc.record({
  scheme: fc.constantFrom('sip' as const, 'sips' as const),
  user: fc.option(fc.stringMatching(/^[A-Za-z0-9\-_.+]{1,12}$/), { nil: undefined }),
  host,
  port: fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }),
  params,
  headers: fc.constant([]),
}).map((uri) => {
  const { user, port, ...rest } = uri;
  return { ...rest, ...(user !== undefined ? { user } : {}), ...(port !== undefined ? { port } : {}) };
});
const printable = fc.stringMatching(/^[\x21-\x7e](?:[\x20-\x7e]{0,40}[\x21-\x7e])?$/);
const displayName = fc.option(fc.stringMatching(/^[\x20-\x7e]{0,20}$/), { nil: undefined });
const address = fc.record({ displayName, uri: sipUri, tag: fc.option(fc.stringMatching(/^[0-9a-f]{1,10}$/), { nil: undefined }) })
  .map(({ displayName: name, uri, tag }) => formatNameAddress({ ...(name !== undefined ? { displayName: name } : {}), uri, params: tag ? [['tag', tag]] : [] }));
const via = fc.record({ transport: fc.constantFrom('UDP', 'TCP'), host, port: fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }), branch: fc.stringMatching(/^[0-9a-f]{1,16}$/) })
  .map(({ transport, host: viaHost, port, branch }) => formatVia({ transport, host: viaHost, ...(port !== undefined ? { port } : {}), params: [['branch', `z9hG4bK${branch}`], ['rport', undefined]] }));

const commonHeaders = fc.record({
  vias: fc.array(via, { minLength: 1, maxLength: 3 }),
  from: address,
  to: address,
  callId: fc.stringMatching(/^[\x21-\x7e]{1,32}$/),
  sequence: fc.integer({ min: 0, max: 0x7fffffff }),
  extra: fc.array(fc.tuple(token.map((name) => `X-${name}`), printable), { maxLength: 20 }),
  body: fc.uint8Array({ maxLength: 2000 }),
});

function headersOf(common: { vias: string[]; from: string; to: string; callId: string; extra: Array<[string, string]> }, cseq: string): SipHeaders {
  const headers = new SipHeaders();
  for (const value of common.vias) headers.append('Via', value);
  headers.append('From', common.from).append('To', common.to).append('Call-ID', common.callId).append('CSeq', cseq);
  for (const [name, value] of common.extra) headers.append(name, value);
  return headers;
}

const sipMessage: fc.Arbitrary<SipMessage> = fc.oneof(
  fc.record({ common: commonHeaders, method: token, uri: sipUri }).map(({ common, method, uri }): SipMessage => ({
    kind: 'request', method, uri, headers: headersOf(common, `${common.sequence} ${method}`), body: common.body,
  })),
  fc.record({ common: commonHeaders, status: fc.integer({ min: 100, max: 699 }), reason: fc.stringMatching(/^[\x20-\x7e]{0,30}$/) })
    .map(({ common, status, reason }): SipMessage => ({
      kind: 'response', status, reason, headers: headersOf(common, `${common.sequence} INVITE`), body: common.body,
    })),
);

const ALLOWED_CODES = new Set(['HGW_SIP_MALFORMED', 'HGW_SIP_TOO_LARGE']);

function expectCleanRefusalOrMessage(bytes: Uint8Array): void {
  const result = parseSipMessageSafely(bytes, TCP_PARSE_LIMITS);
  if (result.ok) return;
  expect(ALLOWED_CODES.has(result.error.code)).toBe(true);
  expect(result.error.message).not.toMatch(/[\r\n]|\d{2,}/);
  expect(result.error.message.length).toBeLessThan(100);
}

const SIP_PIECES = ['\r\n', '\r\n\r\n', ' ', '\t', ':', ';', ',', '"', '\\', '<', '>', '=', '@', '[', ']', 'sip:', 'tel:', 'SIP/2.0',
  'INVITE', 'Via', 'v', 'From', 'To', 'Call-ID', 'CSeq', 'Content-Length', 'l', '0', '99999', 'z9hG4bK', 'tag', 'branch', '\0', 'é'];

describe('SIP parser properties', () => {
  it('round-trips every valid message: parse(serialize(m)) equals m', () => {
    fc.assert(fc.property(sipMessage, (message) => {
      expect(parseSipMessage(serializeSipMessage(message), TCP_PARSE_LIMITS)).toEqual(message);
    }), { numRuns: 400 });
  });

  it('answers random bytes with a message or a clean refusal, never another exception', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 70_000 }), expectCleanRefusalOrMessage), { numRuns: 300 });
  });

  it('survives streams of SIP-shaped fragments (quotes, brackets, folding, bogus lengths)', () => {
    const fragments = fc.array(fc.constantFrom(...SIP_PIECES), { maxLength: 300 }).map((pieces) => Buffer.from(pieces.join('')));
    fc.assert(fc.property(fragments, expectCleanRefusalOrMessage), { numRuns: 2000 });
  });

  it('survives byte mutations of valid messages', () => {
    const mutated = fc.tuple(sipMessage, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }), fc.constantFrom('set', 'insert', 'delete')), { minLength: 1, maxLength: 8 }))
      .map(([message, edits]) => {
        const bytes = [...serializeSipMessage(message)];
        for (const [position, value, kind] of edits) {
          const at = position % (bytes.length + 1);
          if (kind === 'set') bytes[at] = value;
          else if (kind === 'insert') bytes.splice(at, 0, value);
          else bytes.splice(at, 1);
        }
        return Uint8Array.from(bytes);
      });
    fc.assert(fc.property(mutated, expectCleanRefusalOrMessage), { numRuns: 1000 });
  });

  it('survives every truncation of a valid INVITE and of generated messages', () => {
    const invite = inviteWithBody();
    for (let length = 0; length <= invite.length; length++) expectCleanRefusalOrMessage(invite.subarray(0, length));
    fc.assert(fc.property(sipMessage, fc.nat(), (message, cut) => {
      const bytes = serializeSipMessage(message);
      expectCleanRefusalOrMessage(bytes.subarray(0, cut % (bytes.length + 1)));
    }), { numRuns: 300 });
  });

  it('parses a header section of the largest allowed size in bounded time', () => {
    const huge = Buffer.from(`INVITE sip:a@b SIP/2.0\r\n${'Via: '.padEnd(8000, ',')}\r\n`.repeat(1));
    const started = process.hrtime.bigint();
    for (let index = 0; index < 20; index++) expectCleanRefusalOrMessage(Buffer.concat([huge, Buffer.alloc(50_000, 0x20)]));
    expect(Number(process.hrtime.bigint() - started) / 1e6).toBeLessThan(2000);
  });
});
