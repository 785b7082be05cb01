import { describe, expect, it } from 'vitest';
import { isGatewayError } from '../../src/errors.js';
import {
  SipHeaders, fromOf, parseNameAddress, parseSipMessage, parseSipMessageSafely, parseUri, parseVia, serializeSipMessage,
  splitHeaderList, formatUri, TCP_PARSE_LIMITS, type SipRequest,
} from '../../src/sip/index.js';
import { CALLER_DIGITS, INVITE_LINES, inviteWithBody, sipText } from './sip-fixtures.js';

function refusal(bytes: Buffer, limits = undefined): { code: string; message: string } {
  const result = parseSipMessageSafely(bytes, limits);
  if (result.ok) throw new Error('expected a refusal');
  return { code: result.error.code, message: result.error.message };
}

describe('SIP message parser', () => {
  it('parses a request with its start line, headers in order and body bytes by Content-Length', () => {
    const message = parseSipMessage(inviteWithBody()) as SipRequest;
    expect(message.kind).toBe('request');
    expect(message.method).toBe('INVITE');
    expect(formatUri(message.uri)).toBe('sip:desk@192.0.2.10:5060;transport=udp');
    expect(message.headers.entries().map(([name]) => name)).toEqual(['Via', 'Max-Forwards', 'From', 'To', 'Call-ID', 'CSeq', 'Contact', 'Content-Type']);
    expect(Buffer.from(message.body).toString()).toContain('m=audio 40000');
    expect(message.headers.has('content-length')).toBe(false);
  });

  it('expands compact header names and looks names up regardless of case', () => {
    const message = parseSipMessage(sipText([
      'OPTIONS sip:a@example.com SIP/2.0', 'v: SIP/2.0/TCP h.example;branch=z9hG4bKx', 'f: <sip:b@example.com>;tag=1',
      't: sip:a@example.com', 'i: abc', 'CSeq: 1 OPTIONS', 'm: <sip:b@h.example>', 'k: timer', 's: hi', 'l: 0',
    ]));
    expect(message.headers.entries().map(([name]) => name)).toEqual(['Via', 'From', 'To', 'Call-ID', 'CSeq', 'Contact', 'Supported', 'Subject']);
    expect(message.headers.get('CALL-id')).toBe('abc');
    expect(message.headers.get('i')).toBe('abc');
  });

  it('unfolds continuation lines into one value', () => {
    const message = parseSipMessage(sipText([
      'OPTIONS sip:a@example.com SIP/2.0', 'Via: SIP/2.0/UDP h.example;branch=z9hG4bKx', 'From: <sip:b@example.com>;tag=1',
      'To: sip:a@example.com', 'Call-ID: abc', 'CSeq: 1 OPTIONS', 'Subject: I know you are there,', '   pick up', '\tthe phone',
    ]));
    expect(message.headers.get('Subject')).toBe('I know you are there, pick up the phone');
  });

  it('splits Via and Route lists at commas outside quotes and angle brackets', () => {
    const message = parseSipMessage(sipText([
      'OPTIONS sip:a@example.com SIP/2.0',
      'Via: SIP/2.0/UDP p1.example;branch=z9hG4bKa, SIP/2.0/UDP p2.example:5070;branch=z9hG4bKb',
      'Via: SIP/2.0/TCP p3.example;branch=z9hG4bKc;received=192.0.2.7',
      'Route: <sip:p1.example;lr>, "Proxy, Two" <sip:p2.example;lr>',
      'From: <sip:b@example.com>;tag=1', 'To: sip:a@example.com', 'Call-ID: abc', 'CSeq: 1 OPTIONS',
    ]));
    expect(message.headers.getAll('Via').map((via) => parseVia(via).host)).toEqual(['p1.example', 'p2.example', 'p3.example']);
    expect(message.headers.getAll('Route')).toEqual(['<sip:p1.example;lr>', '"Proxy, Two" <sip:p2.example;lr>']);
    expect(splitHeaderList('"a,\\"b" <sip:x@y?h=a,b>, <sip:z@w>')).toEqual(['"a,\\"b" <sip:x@y?h=a,b>', '<sip:z@w>']);
  });

  it('reads Via branch, received and rport, and tags and display names from From and To', () => {
    const via = parseVia('SIP / 2.0 / udp [2001:db8::1]:5062;branch=z9hG4bK77;received=192.0.2.9;rport');
    expect(via).toEqual({ transport: 'UDP', host: '[2001:db8::1]', port: 5062, params: [['branch', 'z9hG4bK77'], ['received', '192.0.2.9'], ['rport', undefined]] });
    const from = fromOf(parseSipMessage(inviteWithBody()));
    expect(from.displayName).toBe('Caller, The');
    expect(from.params).toEqual([['tag', '1928301774']]);
    expect(parseNameAddress('Bob Smith <tel:+31-20-555;phone-context=example>').displayName).toBe('Bob Smith');
    expect(parseNameAddress('sip:a@b.example;tag=9')).toEqual({ uri: parseUri('sip:a@b.example'), params: [['tag', '9']] });
  });

  it('parses sip:, sips: and tel: URIs with user, password, port, parameters and headers', () => {
    expect(parseUri('sips:alice:secret@[::1]:5061;transport=tcp;lr?subject=x&priority=urgent')).toEqual({
      scheme: 'sips', user: 'alice', password: 'secret', host: '[::1]', port: 5061,
      params: [['transport', 'tcp'], ['lr', undefined]], headers: [['subject', 'x'], ['priority', 'urgent']],
    });
    expect(parseUri('tel:+31-20-1234;ext=12')).toEqual({ scheme: 'tel', number: '+31-20-1234', params: [['ext', '12']] });
    expect(() => parseUri('http://example.com')).toThrow(/unsupported URI scheme/);
    expect(() => parseUri('sip:a@exa mple.com')).toThrow();
  });

  it('parses a response and discards datagram octets past Content-Length', () => {
    const bytes = Buffer.concat([sipText([
      'SIP/2.0 180 Ringing', 'Via: SIP/2.0/UDP h.example;branch=z9hG4bKx', 'From: <sip:b@example.com>;tag=1',
      'To: <sip:a@example.com>;tag=2', 'Call-ID: abc', 'CSeq: 7 INVITE', 'Content-Length: 3',
    ], 'abcdef')]);
    const message = parseSipMessage(bytes);
    expect(message.kind === 'response' && [message.status, message.reason]).toEqual([180, 'Ringing']);
    expect(Buffer.from(message.body).toString()).toBe('abc');
  });

  it('serializes with Content-Length computed from the body and parses back to the same message', () => {
    const message = parseSipMessage(inviteWithBody());
    const again = parseSipMessage(serializeSipMessage(message));
    expect(again).toEqual(message);
    expect(serializeSipMessage(message).toString()).toMatch(/\r\nContent-Length: \d+\r\n\r\nv=0/);
  });

  it.each([
    ['no blank line after the headers', Buffer.from(INVITE_LINES.join('\r\n')), 'no end of headers'],
    ['a bad start line', sipText(['HELLO', ...INVITE_LINES.slice(1)]), 'bad start line'],
    ['a missing Call-ID', sipText(INVITE_LINES.filter((line) => !line.startsWith('Call-ID'))), 'missing Call-ID'],
    ['two CSeq headers', sipText([...INVITE_LINES, 'CSeq: 2 INVITE']), 'repeated CSeq'],
    ['a CSeq method that differs', sipText(INVITE_LINES.map((line) => (line.startsWith('CSeq') ? 'CSeq: 1 BYE' : line))), 'CSeq method differs'],
    ['a body shorter than Content-Length', sipText([...INVITE_LINES, 'Content-Length: 50'], 'short'), 'body shorter'],
    ['conflicting Content-Lengths', sipText([...INVITE_LINES, 'Content-Length: 0', 'l: 1'], 'x'), 'bad Content-Length'],
    ['an unclosed quote in From', sipText(INVITE_LINES.map((line) => (line.startsWith('From') ? `From: "${CALLER_DIGITS} <sip:x@y>;tag=1` : line))), 'unclosed quoted string'],
    ['a header line without a colon', sipText([...INVITE_LINES, `P-Junk ${CALLER_DIGITS}`]), 'header line without name'],
  ])('refuses %s as HGW_SIP_MALFORMED without echoing the input', (_name, bytes, reason) => {
    const { code, message } = refusal(bytes);
    expect(code).toBe('HGW_SIP_MALFORMED');
    expect(message).toContain(reason);
    expect(message).not.toContain(CALLER_DIGITS);
    expect(message).not.toMatch(/\n/);
  });

  it('refuses a datagram over 16 KiB, a line over 8 KiB and more than 100 headers as HGW_SIP_TOO_LARGE', () => {
    expect(refusal(sipText(INVITE_LINES, 'x'.repeat(16 * 1024))).code).toBe('HGW_SIP_TOO_LARGE');
    expect(refusal(sipText([...INVITE_LINES, `Subject: ${'y'.repeat(8 * 1024)}`])).code).toBe('HGW_SIP_TOO_LARGE');
    expect(refusal(sipText([...INVITE_LINES, 'Subject: a', ...Array.from({ length: 8 }, () => ` ${'y'.repeat(1100)}`)])).code).toBe('HGW_SIP_TOO_LARGE');
    const many = Array.from({ length: 95 }, (_, index) => `X-Filler-${index}: 1`);
    expect(refusal(sipText([...INVITE_LINES, ...many])).code).toBe('HGW_SIP_TOO_LARGE');
    expect(parseSipMessageSafely(sipText(INVITE_LINES, 'x'.repeat(20 * 1024)), TCP_PARSE_LIMITS).ok).toBe(true);
  });

  it('keeps enough of a malformed request to answer it, but not of a malformed ACK', () => {
    const lines = INVITE_LINES.map((line) => (line.startsWith('Max-Forwards') ? 'Max-Forwards: lots' : line));
    const bad = parseSipMessageSafely(sipText(lines));
    expect(!bad.ok && bad.answerable?.headers.getAll('Via')).toEqual(['SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK776asdhds;rport']);
    const ack = parseSipMessageSafely(sipText(['ACK sip:a@b.example SIP/2.0', ...lines.slice(1, 6), 'CSeq: 314159 ACK']));
    expect(!ack.ok && ack.answerable).toBeUndefined();
  });

  it('keeps header order and case-insensitive lookups in the multi-map', () => {
    const headers = new SipHeaders([['via', 'a'], ['X-One', '1'], ['Via', 'b']]);
    headers.prepend('v', 'top').set('x-one', '2');
    expect(headers.entries()).toEqual([['Via', 'top'], ['Via', 'a'], ['X-One', '2'], ['Via', 'b']]);
    expect(headers.shift('VIA')).toBe('top');
    expect(headers.getAll('via')).toEqual(['a', 'b']);
    expect(isGatewayError(new Error('x'))).toBe(false);
  });
});
