import type { GatewayError } from '../errors.js';
import { isGatewayError } from '../errors.js';
import { SipHeaders, canonicalHeaderName, isListHeader } from './headers.js';
import { isToken, parseCSeq, parseNameAddress, parseVia, splitHeaderList } from './header-values.js';
import type { SipMessage } from './message.js';
import { malformed, tooLarge } from './sip-error.js';
import { parseUri } from './uri.js';

export interface SipParseLimits {
  readonly maxMessageBytes: number;
  readonly maxHeaders: number;
  readonly maxHeaderLineBytes: number;
}

export const UDP_PARSE_LIMITS: SipParseLimits = { maxMessageBytes: 16 * 1024, maxHeaders: 100, maxHeaderLineBytes: 8 * 1024 };
export const TCP_PARSE_LIMITS: SipParseLimits = { maxMessageBytes: 64 * 1024, maxHeaders: 100, maxHeaderLineBytes: 8 * 1024 };

/** A list header may carry several values per line; this caps the values all lines split into. */
const VALUES_PER_HEADER_LINE = 4;

/** What a malformed request still offers for a 400 answer: the headers a response must copy. */
export interface AnswerableRequest {
  readonly method: string;
  readonly headers: SipHeaders;
}

export type SipParseResult =
  | { readonly ok: true; readonly message: SipMessage }
  | { readonly ok: false; readonly error: GatewayError; readonly answerable?: AnswerableRequest };

const CRLF_CRLF = Buffer.from('\r\n\r\n');
const SINGLETON_HEADERS = ['From', 'To', 'Call-ID', 'CSeq'];
const ADDRESS_LIST_HEADERS = ['Route', 'Record-Route'];
const utf8 = new TextDecoder('utf-8');

function skipLeadingCrlf(bytes: Buffer): number {
  let offset = 0;
  while (offset + 1 < bytes.length && bytes[offset] === 0x0d && bytes[offset + 1] === 0x0a) offset += 2;
  return offset;
}

interface HeaderBlock {
  readonly startLine: string;
  readonly lines: string[];
  readonly bodyOffset: number;
}

function readHeaderBlock(bytes: Buffer, limits: SipParseLimits): HeaderBlock {
  if (bytes.length > limits.maxMessageBytes) throw tooLarge('message exceeds the size limit');
  const start = skipLeadingCrlf(bytes);
  const end = bytes.indexOf(CRLF_CRLF, start);
  if (end === -1) throw malformed('no end of headers');
  const rawLines = utf8.decode(bytes.subarray(start, end)).split('\r\n');
  const lines: string[] = [];
  for (const rawLine of rawLines) {
    if (Buffer.byteLength(rawLine) > limits.maxHeaderLineBytes) throw tooLarge('header line exceeds the size limit');
    if (/[\0\r\n]/.test(rawLine)) throw malformed('control character in header section');
    if (rawLine.startsWith(' ') || rawLine.startsWith('\t')) {
      if (lines.length < 2) throw malformed('continuation line without header');
      const folded = `${lines.pop() ?? ''} ${rawLine.trim()}`;
      if (Buffer.byteLength(folded) > limits.maxHeaderLineBytes) throw tooLarge('header line exceeds the size limit');
      lines.push(folded);
    } else {
      lines.push(rawLine);
    }
    if (lines.length > limits.maxHeaders + 1) throw tooLarge('too many headers');
  }
  const [startLine = '', ...headerLines] = lines;
  return { startLine, lines: headerLines, bodyOffset: end + CRLF_CRLF.length };
}

function readHeaders(lines: readonly string[], limits: SipParseLimits): SipHeaders {
  const headers = new SipHeaders();
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon <= 0) throw malformed('header line without name');
    const name = line.slice(0, colon).trimEnd();
    if (!isToken(name)) throw malformed('bad header name');
    const value = line.slice(colon + 1).trim();
    const canonical = canonicalHeaderName(name);
    const values = isListHeader(canonical) && !(canonical === 'Contact' && value === '*') ? splitHeaderList(value) : [value];
    for (const item of values) headers.append(canonical, item);
    if (headers.size > limits.maxHeaders * VALUES_PER_HEADER_LINE) throw tooLarge('too many header values');
  }
  return headers;
}

function checkHeaders(headers: SipHeaders): void {
  const vias = headers.getAll('Via');
  if (vias.length === 0) throw malformed('missing Via');
  for (const via of vias) parseVia(via);
  for (const name of SINGLETON_HEADERS) {
    const count = headers.getAll(name).length;
    if (count === 0) throw malformed(`missing ${name}`);
    if (count > 1) throw malformed(`repeated ${name}`);
  }
  parseNameAddress(headers.get('From') ?? '');
  parseNameAddress(headers.get('To') ?? '');
  if (!/^[\x21-\x7e]{1,256}$/.test(headers.get('Call-ID') ?? '')) throw malformed('bad Call-ID');
  for (const name of ADDRESS_LIST_HEADERS) for (const value of headers.getAll(name)) parseNameAddress(value);
  for (const value of headers.getAll('Contact')) if (value !== '*') parseNameAddress(value);
  const maxForwards = headers.get('Max-Forwards');
  if (maxForwards !== undefined && !/^\d{1,3}$/.test(maxForwards)) throw malformed('bad Max-Forwards');
}

function readBody(bytes: Buffer, offset: number, headers: SipHeaders): Uint8Array {
  const lengths = headers.getAll('Content-Length');
  headers.delete('Content-Length');
  const available = bytes.length - offset;
  if (lengths.length === 0) return new Uint8Array(bytes.subarray(offset));
  if (lengths.some((length) => length !== lengths[0]) || !/^\d{1,6}$/.test(lengths[0] ?? '')) throw malformed('bad Content-Length');
  const length = Number(lengths[0]);
  if (length > available) throw malformed('body shorter than Content-Length');
  // RFC 3261 §18.3: octets past Content-Length in a datagram are discarded.
  return new Uint8Array(bytes.subarray(offset, offset + length));
}

const REQUEST_LINE = /^([A-Za-z0-9\-.!%*_+`'~]+) (\S+) SIP\/2\.0$/;
const STATUS_LINE = /^SIP\/2\.0 ([1-6]\d\d) ([^\x00-\x08\x0a-\x1f\x7f]*)$/;

/**
 * Parses one SIP message from bytes. Never throws: the result says what was wrong, and for a
 * request whose Via, From, To, Call-ID and CSeq were readable it carries those for a 400 answer.
 */
export function parseSipMessageSafely(bytes: Uint8Array, limits: SipParseLimits = UDP_PARSE_LIMITS): SipParseResult {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let answerable: AnswerableRequest | undefined;
  try {
    const block = readHeaderBlock(buffer, limits);
    const request = REQUEST_LINE.exec(block.startLine);
    const status = request ? null : STATUS_LINE.exec(block.startLine);
    if (!request && !status) throw malformed('bad start line');
    const headers = readHeaders(block.lines, limits);
    if (request) answerable = answerableFrom(request[1] ?? '', headers);
    checkHeaders(headers);
    const cseq = parseCSeq(headers.get('CSeq') ?? '');
    const body = readBody(buffer, block.bodyOffset, headers);
    if (request) {
      const method = request[1] ?? '';
      if (cseq.method !== method) throw malformed('CSeq method differs from request method');
      return { ok: true, message: { kind: 'request', method, uri: parseUri(request[2] ?? ''), headers, body } };
    }
    return { ok: true, message: { kind: 'response', status: Number(status?.[1]), reason: status?.[2] ?? '', headers, body } };
  } catch (error) {
    if (!isGatewayError(error)) throw error;
    return { ok: false, error, ...(answerable ? { answerable } : {}) };
  }
}

/** Parses one SIP message; throws GatewayError HGW_SIP_MALFORMED or HGW_SIP_TOO_LARGE. */
export function parseSipMessage(bytes: Uint8Array, limits: SipParseLimits = UDP_PARSE_LIMITS): SipMessage {
  const result = parseSipMessageSafely(bytes, limits);
  if (!result.ok) throw result.error;
  return result.message;
}

function answerableFrom(method: string, headers: SipHeaders): AnswerableRequest | undefined {
  if (method === 'ACK') return undefined;
  try {
    const vias = headers.getAll('Via');
    if (vias.length === 0) return undefined;
    for (const via of vias) parseVia(via);
    for (const name of SINGLETON_HEADERS) if (headers.getAll(name).length !== 1) return undefined;
    parseCSeq(headers.get('CSeq') ?? '');
    parseNameAddress(headers.get('To') ?? '');
    parseNameAddress(headers.get('From') ?? '');
    if (!/^[\x21-\x7e]{1,256}$/.test(headers.get('Call-ID') ?? '')) return undefined;
  } catch {
    return undefined;
  }
  const copied = new SipHeaders();
  for (const via of headers.getAll('Via')) copied.append('Via', via);
  for (const name of SINGLETON_HEADERS) copied.append(name, headers.get(name) ?? '');
  return { method, headers: copied };
}
