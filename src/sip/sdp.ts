import { GatewayError } from '../errors.js';

export type MediaDirection = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';
export type AddressType = 'IP4' | 'IP6';

export interface SdpConnection {
  readonly addressType: AddressType;
  readonly address: string;
}

export interface SdpRtpMap {
  readonly payloadType: number;
  readonly encoding: string;
  readonly clockRate: number;
  readonly channels?: number;
}

export interface SdpMedia {
  readonly media: string;
  readonly port: number;
  readonly protocol: string;
  readonly formats: readonly string[];
  readonly connection?: SdpConnection;
  readonly rtpMaps: readonly SdpRtpMap[];
  readonly fmtps: ReadonlyArray<readonly [payloadType: number, parameters: string]>;
  readonly ptime?: number;
  readonly direction?: MediaDirection;
  /** Other a= lines, kept in order as `name` or `name:value`. */
  readonly attributes: readonly string[];
}

export interface SessionDescription {
  readonly origin: {
    readonly username: string;
    readonly sessionId: string;
    readonly sessionVersion: string;
    readonly addressType: AddressType;
    readonly address: string;
  };
  readonly sessionName: string;
  readonly connection?: SdpConnection;
  readonly timing: { readonly start: string; readonly stop: string };
  readonly direction?: MediaDirection;
  readonly media: readonly SdpMedia[];
}

const MAX_SDP_BYTES = 16 * 1024;
const MAX_MEDIA = 8;
const IGNORED_LINES = new Set(['i', 'u', 'e', 'p', 'b', 'z', 'k', 'r']);
const DIRECTIONS = new Set<string>(['sendrecv', 'sendonly', 'recvonly', 'inactive']);
const FIELD = /^[\x21-\x7e]{1,128}$/;

function refuse(reason: string): GatewayError {
  return new GatewayError('HGW_SIP_MALFORMED', `malformed SDP: ${reason}`);
}

function parseConnection(value: string): SdpConnection {
  const match = /^IN (IP4|IP6) ([0-9A-Fa-f.:]{2,45})(?:\/\d{1,3})?$/.exec(value);
  if (!match) throw refuse('bad c= line');
  const addressType = match[1] as AddressType;
  const address = match[2] ?? '';
  if (addressType === 'IP4' ? !/^\d{1,3}(\.\d{1,3}){3}$/.test(address) : !address.includes(':')) throw refuse('bad c= address');
  return { addressType, address };
}

interface MediaDraft {
  media: string; port: number; protocol: string; formats: string[]; connection?: SdpConnection;
  rtpMaps: SdpRtpMap[]; fmtps: Array<readonly [number, string]>; ptime?: number; direction?: MediaDirection; attributes: string[];
}

function parseMediaLine(value: string): MediaDraft {
  const match = /^([a-z]{1,16}) (\d{1,5})(?:\/\d{1,2})? ([A-Za-z0-9/]{1,32})((?: [\x21-\x7e]{1,32}){1,64})$/.exec(value);
  if (!match) throw refuse('bad m= line');
  const port = Number(match[2]);
  if (port > 65535) throw refuse('m= port out of range');
  return { media: match[1] ?? '', port, protocol: match[3] ?? '', formats: (match[4] ?? '').trim().split(' '), rtpMaps: [], fmtps: [], attributes: [] };
}

function parseAttribute(value: string, media: MediaDraft | undefined, session: { direction?: MediaDirection }): void {
  if (!/^[\x20-\x7e]{1,512}$/.test(value)) throw refuse('bad a= line');
  if (DIRECTIONS.has(value)) {
    if (media) media.direction = value as MediaDirection;
    else session.direction = value as MediaDirection;
    return;
  }
  if (!media) return;
  const rtpmap = /^rtpmap:(\d{1,3}) ([A-Za-z0-9\-_.]{1,32})\/(\d{1,6})(?:\/(\d{1,2}))?$/.exec(value);
  if (rtpmap) {
    const payloadType = Number(rtpmap[1]);
    if (payloadType > 127) throw refuse('payload type out of range');
    media.rtpMaps.push({ payloadType, encoding: rtpmap[2] ?? '', clockRate: Number(rtpmap[3]), ...(rtpmap[4] ? { channels: Number(rtpmap[4]) } : {}) });
    return;
  }
  if (value.startsWith('rtpmap:')) throw refuse('bad rtpmap');
  const fmtp = /^fmtp:(\d{1,3}) (.+)$/.exec(value);
  if (fmtp) {
    media.fmtps.push([Number(fmtp[1]), fmtp[2] ?? '']);
    return;
  }
  const ptime = /^ptime:(\d{1,4})$/.exec(value);
  if (ptime) {
    media.ptime = Number(ptime[1]);
    return;
  }
  if (value.startsWith('ptime:')) throw refuse('bad ptime');
  media.attributes.push(value);
}

/** Parses the SDP subset a G.711 call needs; anything unreadable is refused with HGW_SIP_MALFORMED. */
export function parseSdp(body: Uint8Array | string): SessionDescription {
  const text = typeof body === 'string' ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8');
  if (Buffer.byteLength(text) > MAX_SDP_BYTES) throw refuse('too large');
  const lines = text.split(/\r?\n/);
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  if (lines[0] !== 'v=0') throw refuse('must start with v=0');
  let origin: SessionDescription['origin'] | undefined;
  let sessionName: string | undefined;
  let connection: SdpConnection | undefined;
  let timing: SessionDescription['timing'] | undefined;
  const session: { direction?: MediaDirection } = {};
  const media: MediaDraft[] = [];
  for (const line of lines.slice(1)) {
    const match = /^([a-z])=(.*)$/.exec(line);
    if (!match) throw refuse('bad line');
    const [, type = '', value = ''] = match;
    const current = media[media.length - 1];
    if (type === 'o') {
      const fields = value.split(' ');
      if (fields.length !== 6 || fields[3] !== 'IN' || !fields.every((field) => FIELD.test(field))) throw refuse('bad o= line');
      const [username = '', sessionId = '', sessionVersion = '', , addressType = '', address = ''] = fields;
      if (addressType !== 'IP4' && addressType !== 'IP6') throw refuse('bad o= address type');
      origin = { username, sessionId, sessionVersion, addressType, address };
    } else if (type === 's') {
      if (!/^[^\0\r\n]{1,256}$/.test(value)) throw refuse('bad s= line');
      sessionName = value;
    } else if (type === 'c') {
      if (current) current.connection = parseConnection(value);
      else connection = parseConnection(value);
    } else if (type === 't') {
      const fields = /^(\d{1,20}) (\d{1,20})$/.exec(value);
      if (!fields) throw refuse('bad t= line');
      timing = { start: fields[1] ?? '0', stop: fields[2] ?? '0' };
    } else if (type === 'm') {
      if (media.length >= MAX_MEDIA) throw refuse('too many media lines');
      media.push(parseMediaLine(value));
    } else if (type === 'a') {
      parseAttribute(value, current, session);
    } else if (!IGNORED_LINES.has(type)) {
      throw refuse('unknown line type');
    }
  }
  if (!origin || sessionName === undefined || !timing) throw refuse('missing o=, s= or t=');
  for (const item of media) if (!item.connection && !connection && item.port !== 0) throw refuse('media without connection address');
  return { origin, sessionName, ...(connection ? { connection } : {}), timing, ...(session.direction ? { direction: session.direction } : {}), media };
}

function connectionLine(connection: SdpConnection): string {
  return `c=IN ${connection.addressType} ${connection.address}`;
}

/** Writes SDP with CRLF line ends, in the order RFC 4566 requires. */
export function serializeSdp(sdp: SessionDescription): string {
  const { origin } = sdp;
  const lines = ['v=0', `o=${origin.username} ${origin.sessionId} ${origin.sessionVersion} IN ${origin.addressType} ${origin.address}`, `s=${sdp.sessionName}`];
  if (sdp.connection) lines.push(connectionLine(sdp.connection));
  lines.push(`t=${sdp.timing.start} ${sdp.timing.stop}`);
  if (sdp.direction) lines.push(`a=${sdp.direction}`);
  for (const media of sdp.media) {
    lines.push(`m=${media.media} ${media.port} ${media.protocol} ${media.formats.join(' ')}`);
    if (media.connection) lines.push(connectionLine(media.connection));
    for (const map of media.rtpMaps) {
      lines.push(`a=rtpmap:${map.payloadType} ${map.encoding}/${map.clockRate}${map.channels === undefined ? '' : `/${map.channels}`}`);
    }
    for (const [payloadType, parameters] of media.fmtps) lines.push(`a=fmtp:${payloadType} ${parameters}`);
    if (media.ptime !== undefined) lines.push(`a=ptime:${media.ptime}`);
    if (media.direction) lines.push(`a=${media.direction}`);
    for (const attribute of media.attributes) lines.push(`a=${attribute}`);
  }
  return `${lines.join('\r\n')}\r\n`;
}
