import { malformed } from './sip-error.js';

/** Ordered `;name=value` parameters; a flag parameter (`;lr`, `;rport`) has an undefined value. */
export type SipParams = ReadonlyArray<readonly [name: string, value: string | undefined]>;

export interface SipUri {
  readonly scheme: 'sip' | 'sips';
  /** As written on the wire (still %-escaped), so a URI round-trips byte for byte. */
  readonly user?: string;
  readonly password?: string;
  /** A host name, an IPv4 address or a bracketed IPv6 reference (`[::1]`). */
  readonly host: string;
  readonly port?: number;
  readonly params: SipParams;
  readonly headers: ReadonlyArray<readonly [name: string, value: string]>;
}

export interface TelUri {
  readonly scheme: 'tel';
  readonly number: string;
  readonly params: SipParams;
}

export type AnyUri = SipUri | TelUri;

const USER_CHARS = /^[A-Za-z0-9\-_.!~*'()%&=+$,;?/]+$/;
const PASSWORD_CHARS = /^[A-Za-z0-9\-_.!~*'()%&=+$,]*$/;
const PARAM_CHARS = /^[A-Za-z0-9\-_.!~*'()%[\]/:&+$]+$/;
const HEADER_CHARS = /^[A-Za-z0-9\-_.!~*'()%[\]/?:+$]*$/;
const HOSTNAME = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\.?$/;
const IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;
const IPV6_REFERENCE = /^\[[0-9A-Fa-f:.]{2,45}\]$/;
const TEL_NUMBER = /^[0-9A-Fa-f*#+().\-]+$/;

export function isValidHost(host: string): boolean {
  return IPV4.test(host) || IPV6_REFERENCE.test(host) || HOSTNAME.test(host);
}

export function parsePort(text: string): number {
  if (!/^\d{1,5}$/.test(text)) throw malformed('bad port');
  const port = Number(text);
  if (port < 1 || port > 65535) throw malformed('port out of range');
  return port;
}

/** `host[:port]`, with a bracketed IPv6 host. */
export function parseHostPort(text: string): { host: string; port?: number } {
  let host: string;
  let rest: string;
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close === -1) throw malformed('unclosed IPv6 reference');
    host = text.slice(0, close + 1);
    rest = text.slice(close + 1);
  } else {
    const colon = text.indexOf(':');
    host = colon === -1 ? text : text.slice(0, colon);
    rest = colon === -1 ? '' : text.slice(colon);
  }
  if (!isValidHost(host)) throw malformed('bad host');
  if (rest === '') return { host };
  if (!rest.startsWith(':')) throw malformed('bad host');
  return { host, port: parsePort(rest.slice(1)) };
}

function parseUriParams(text: string): SipParams {
  if (text === '') return [];
  return text.split(';').map((part) => {
    const equals = part.indexOf('=');
    const name = equals === -1 ? part : part.slice(0, equals);
    const value = equals === -1 ? undefined : part.slice(equals + 1);
    if (!PARAM_CHARS.test(name) || (value !== undefined && !PARAM_CHARS.test(value))) throw malformed('bad URI parameter');
    return [name, value] as const;
  });
}

function parseUriHeaders(text: string): Array<readonly [string, string]> {
  return text.split('&').map((part) => {
    const equals = part.indexOf('=');
    if (equals <= 0) throw malformed('bad URI header');
    const name = part.slice(0, equals);
    const value = part.slice(equals + 1);
    if (!HEADER_CHARS.test(name) || !HEADER_CHARS.test(value)) throw malformed('bad URI header');
    return [name, value] as const;
  });
}

/** Parses a sip:, sips: or tel: URI; anything else is refused. */
export function parseUri(text: string): AnyUri {
  const colon = text.indexOf(':');
  if (colon <= 0) throw malformed('URI without scheme');
  const scheme = text.slice(0, colon).toLowerCase();
  const rest = text.slice(colon + 1);
  if (scheme === 'tel') return parseTelUri(rest);
  if (scheme !== 'sip' && scheme !== 'sips') throw malformed('unsupported URI scheme');
  const at = rest.lastIndexOf('@');
  let user: string | undefined;
  let password: string | undefined;
  if (at !== -1) {
    const userInfo = rest.slice(0, at);
    const passwordColon = userInfo.indexOf(':');
    user = passwordColon === -1 ? userInfo : userInfo.slice(0, passwordColon);
    password = passwordColon === -1 ? undefined : userInfo.slice(passwordColon + 1);
    if (!USER_CHARS.test(user) || (password !== undefined && !PASSWORD_CHARS.test(password))) throw malformed('bad URI user part');
  }
  const afterUser = rest.slice(at + 1);
  const question = afterUser.indexOf('?');
  const beforeHeaders = question === -1 ? afterUser : afterUser.slice(0, question);
  const headers = question === -1 ? [] : parseUriHeaders(afterUser.slice(question + 1));
  const semicolon = beforeHeaders.indexOf(';');
  const hostPort = parseHostPort(semicolon === -1 ? beforeHeaders : beforeHeaders.slice(0, semicolon));
  const params = semicolon === -1 ? [] : parseUriParams(beforeHeaders.slice(semicolon + 1));
  return {
    scheme,
    ...(user !== undefined ? { user } : {}),
    ...(password !== undefined ? { password } : {}),
    host: hostPort.host,
    ...(hostPort.port !== undefined ? { port: hostPort.port } : {}),
    params,
    headers,
  };
}

function parseTelUri(rest: string): TelUri {
  const semicolon = rest.indexOf(';');
  const number = semicolon === -1 ? rest : rest.slice(0, semicolon);
  if (!TEL_NUMBER.test(number)) throw malformed('bad tel URI');
  return { scheme: 'tel', number, params: semicolon === -1 ? [] : parseUriParams(rest.slice(semicolon + 1)) };
}

export function formatParams(params: SipParams): string {
  return params.map(([name, value]) => (value === undefined ? `;${name}` : `;${name}=${value}`)).join('');
}

export function formatUri(uri: AnyUri): string {
  if (uri.scheme === 'tel') return `tel:${uri.number}${formatParams(uri.params)}`;
  const userInfo = uri.user === undefined ? '' : `${uri.user}${uri.password === undefined ? '' : `:${uri.password}`}@`;
  const port = uri.port === undefined ? '' : `:${uri.port}`;
  const headers = uri.headers.length === 0 ? '' : `?${uri.headers.map(([name, value]) => `${name}=${value}`).join('&')}`;
  return `${uri.scheme}:${userInfo}${uri.host}${port}${formatParams(uri.params)}${headers}`;
}

/** A parameter's value by case-insensitive name; `''` for a flag, undefined when absent. */
export function paramValue(params: SipParams, name: string): string | undefined {
  const wanted = name.toLowerCase();
  const found = params.find(([candidate]) => candidate.toLowerCase() === wanted);
  return found ? (found[1] ?? '') : undefined;
}

export function withParam(params: SipParams, name: string, value: string | undefined): SipParams {
  const wanted = name.toLowerCase();
  const kept = params.filter(([candidate]) => candidate.toLowerCase() !== wanted);
  return [...kept, [name, value]];
}
