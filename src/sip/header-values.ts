import { malformed } from './sip-error.js';
import { formatParams, formatUri, isValidHost, parsePort, parseUri, type AnyUri, type SipParams } from './uri.js';

const TOKEN = /^[A-Za-z0-9\-.!%*_+`'~]+$/;
const PARAM_VALUE = /^(?:[A-Za-z0-9\-.!%*_+`'~:[\]]+|"(?:[^"\\\r\n]|\\[^\r\n])*")$/;

export function isToken(text: string): boolean {
  return TOKEN.test(text);
}

/**
 * Splits a header value at top-level commas: commas inside a quoted string (`"Doe, J"`) or inside
 * `<...>` (a URI's headers) do not separate values. Unbalanced quotes or brackets are refused.
 */
export function splitHeaderList(value: string): string[] {
  const parts: string[] = [];
  let start = 0;
  let inQuote = false;
  let inAngle = false;
  for (let index = 0; index < value.length; index++) {
    const char = value[index];
    if (inQuote) {
      if (char === '\\') index++;
      else if (char === '"') inQuote = false;
    } else if (char === '"') inQuote = true;
    else if (char === '<') {
      if (inAngle) throw malformed('nested angle brackets');
      inAngle = true;
    } else if (char === '>') inAngle = false;
    else if (char === ',' && !inAngle) {
      parts.push(value.slice(start, index).trim());
      start = index + 1;
    }
  }
  if (inQuote || inAngle) throw malformed('unbalanced quotes or brackets');
  parts.push(value.slice(start).trim());
  if (parts.some((part) => part === '')) throw malformed('empty list element');
  return parts;
}

/** `;name=value;flag` after a header value; values may be quoted strings. */
export function parseHeaderParams(text: string): SipParams {
  const trimmed = text.trim();
  if (trimmed === '') return [];
  if (!trimmed.startsWith(';')) throw malformed('junk after header value');
  const params: Array<readonly [string, string | undefined]> = [];
  for (const rawPart of splitOutsideQuotes(trimmed.slice(1), ';')) {
    const part = rawPart.trim();
    const equals = part.indexOf('=');
    const name = (equals === -1 ? part : part.slice(0, equals)).trim();
    const value = equals === -1 ? undefined : part.slice(equals + 1).trim();
    if (!isToken(name) || (value !== undefined && !PARAM_VALUE.test(value))) throw malformed('bad header parameter');
    params.push([name, value]);
  }
  return params;
}

function splitOutsideQuotes(text: string, separator: string): string[] {
  const parts: string[] = [];
  let start = 0;
  let inQuote = false;
  for (let index = 0; index < text.length; index++) {
    const char = text[index];
    if (inQuote && char === '\\') index++;
    else if (char === '"') inQuote = !inQuote;
    else if (char === separator && !inQuote) {
      parts.push(text.slice(start, index));
      start = index + 1;
    }
  }
  if (inQuote) throw malformed('unbalanced quotes');
  parts.push(text.slice(start));
  return parts;
}

export interface NameAddress {
  readonly displayName?: string;
  readonly uri: AnyUri;
  readonly params: SipParams;
}

function readQuotedString(text: string): { value: string; rest: string } {
  let value = '';
  for (let index = 1; index < text.length; index++) {
    const char = text[index];
    if (char === '\\') {
      const escaped = text[index + 1];
      if (escaped === undefined) break;
      value += escaped;
      index++;
    } else if (char === '"') return { value, rest: text.slice(index + 1) };
    else value += char;
  }
  throw malformed('unclosed quoted string');
}

/** name-addr (`"Name" <sip:...>;tag=x`) or addr-spec (`sip:...;tag=x`: the parameters are the header's). */
export function parseNameAddress(text: string): NameAddress {
  let rest = text.trim();
  let displayName: string | undefined;
  if (rest.startsWith('"')) {
    const quoted = readQuotedString(rest);
    displayName = quoted.value;
    rest = quoted.rest.trimStart();
    if (!rest.startsWith('<')) throw malformed('display name without address');
  }
  const open = rest.indexOf('<');
  if (open !== -1) {
    if (displayName === undefined) {
      const words = rest.slice(0, open).trim();
      if (words !== '' && !words.split(/\s+/).every(isToken)) throw malformed('bad display name');
      if (words !== '') displayName = words.replace(/\s+/g, ' ');
    }
    const close = rest.indexOf('>', open);
    if (close === -1) throw malformed('unclosed angle bracket');
    const uri = parseUri(rest.slice(open + 1, close));
    return { ...(displayName !== undefined ? { displayName } : {}), uri, params: parseHeaderParams(rest.slice(close + 1)) };
  }
  const semicolon = rest.indexOf(';');
  const uriText = semicolon === -1 ? rest : rest.slice(0, semicolon);
  if (/[\s,?]/.test(uriText)) throw malformed('bad address');
  return { uri: parseUri(uriText), params: parseHeaderParams(semicolon === -1 ? '' : rest.slice(semicolon)) };
}

export function quoteString(text: string): string {
  return `"${text.replace(/[\\"]/g, (char) => `\\${char}`)}"`;
}

export function formatNameAddress(address: NameAddress): string {
  const name = address.displayName === undefined ? '' : `${quoteString(address.displayName)} `;
  return `${name}<${formatUri(address.uri)}>${formatParams(address.params)}`;
}

export interface ViaValue {
  /** Upper case: UDP, TCP, TLS, ... */
  readonly transport: string;
  readonly host: string;
  readonly port?: number;
  readonly params: SipParams;
}

/** `SIP/2.0/UDP host:port;branch=z9hG4bK...;rport` (spaces around the slashes allowed). */
export function parseVia(text: string): ViaValue {
  const match = /^SIP\s*\/\s*2\.0\s*\/\s*([A-Za-z0-9\-.!%*_+`'~]+)\s+([^;\s]+)\s*(;.*)?$/i.exec(text.trim());
  if (!match) throw malformed('bad Via');
  const [, transport = '', sentBy = '', params = ''] = match;
  const { host, port } = parseSentBy(sentBy);
  return { transport: transport.toUpperCase(), host, ...(port !== undefined ? { port } : {}), params: parseHeaderParams(params) };
}

function parseSentBy(text: string): { host: string; port?: number } {
  const bracketEnd = text.startsWith('[') ? text.indexOf(']') : -1;
  const colon = text.indexOf(':', bracketEnd + 1);
  const host = colon === -1 ? text : text.slice(0, colon);
  if (!isValidHost(host)) throw malformed('bad Via host');
  return colon === -1 ? { host } : { host, port: parsePort(text.slice(colon + 1)) };
}

export function formatVia(via: ViaValue): string {
  return `SIP/2.0/${via.transport} ${via.host}${via.port === undefined ? '' : `:${via.port}`}${formatParams(via.params)}`;
}

export interface CSeqValue {
  readonly sequence: number;
  readonly method: string;
}

export function parseCSeq(text: string): CSeqValue {
  const match = /^(\d{1,10})\s+([A-Za-z0-9\-.!%*_+`'~]+)$/.exec(text.trim());
  if (!match) throw malformed('bad CSeq');
  const sequence = Number(match[1]);
  if (sequence > 0x7fffffff) throw malformed('CSeq out of range');
  return { sequence, method: match[2] ?? '' };
}
