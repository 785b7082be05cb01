/**
 * RTP packets (RFC 3550 §5.1): parse and serialize the fixed header, CSRC list, header extension
 * and padding. Parsing never throws: a datagram off the wire is either a packet or a reason it is
 * not one, so the socket handler can count it and move on.
 */

export const RTP_HEADER_BYTES = 12;

export interface RtpHeaderExtension {
  /** The 16-bit profile-defined value (0xBEDE for RFC 8285 one-byte headers). */
  readonly profile: number;
  /** The extension body, a multiple of 4 bytes. */
  readonly data: Uint8Array;
}

export interface RtpPacket {
  readonly marker: boolean;
  readonly payloadType: number;
  readonly sequenceNumber: number;
  readonly timestamp: number;
  readonly ssrc: number;
  readonly csrcs: readonly number[];
  readonly extension: RtpHeaderExtension | undefined;
  /** Padding bytes that followed the payload (0 when the P bit was clear). */
  readonly paddingBytes: number;
  /** A view into the datagram, not a copy. */
  readonly payload: Uint8Array;
}

export type RtpMalformedReason =
  | 'too-short'
  | 'bad-version'
  | 'csrc-overflow'
  | 'extension-overflow'
  | 'bad-padding';

export type RtpParseResult =
  | { readonly ok: true; readonly packet: RtpPacket }
  | { readonly ok: false; readonly reason: RtpMalformedReason };

export function parseRtpPacket(datagram: Uint8Array): RtpParseResult {
  if (datagram.length < RTP_HEADER_BYTES) return { ok: false, reason: 'too-short' };
  const first = datagram[0] ?? 0;
  if (first >> 6 !== 2) return { ok: false, reason: 'bad-version' };
  const view = new DataView(datagram.buffer, datagram.byteOffset, datagram.byteLength);
  const csrcCount = first & 0x0f;
  let offset = RTP_HEADER_BYTES + csrcCount * 4;
  if (offset > datagram.length) return { ok: false, reason: 'csrc-overflow' };
  const csrcs: number[] = [];
  for (let i = 0; i < csrcCount; i++) csrcs.push(view.getUint32(RTP_HEADER_BYTES + i * 4));

  let extension: RtpHeaderExtension | undefined;
  if (first & 0x10) {
    if (offset + 4 > datagram.length) return { ok: false, reason: 'extension-overflow' };
    const profile = view.getUint16(offset);
    const length = view.getUint16(offset + 2) * 4;
    if (offset + 4 + length > datagram.length) return { ok: false, reason: 'extension-overflow' };
    extension = { profile, data: datagram.subarray(offset + 4, offset + 4 + length) };
    offset += 4 + length;
  }

  let end = datagram.length;
  let paddingBytes = 0;
  if (first & 0x20) {
    // The last byte counts the padding, itself included; it cannot reach into the header.
    paddingBytes = datagram[end - 1] ?? 0;
    if (paddingBytes === 0 || end - paddingBytes < offset) return { ok: false, reason: 'bad-padding' };
    end -= paddingBytes;
  }

  const second = datagram[1] ?? 0;
  return {
    ok: true,
    packet: {
      marker: (second & 0x80) !== 0,
      payloadType: second & 0x7f,
      sequenceNumber: view.getUint16(2),
      timestamp: view.getUint32(4),
      ssrc: view.getUint32(8),
      csrcs,
      extension,
      paddingBytes,
      payload: datagram.subarray(offset, end),
    },
  };
}

export interface RtpPacketInit {
  readonly marker?: boolean;
  readonly payloadType: number;
  readonly sequenceNumber: number;
  readonly timestamp: number;
  readonly ssrc: number;
  readonly csrcs?: readonly number[];
  readonly extension?: RtpHeaderExtension;
  /** Padding to add after the payload (1–255); 0 or absent for none. */
  readonly paddingBytes?: number;
  readonly payload: Uint8Array;
}

export function serializeRtpPacket(packet: RtpPacketInit): Buffer {
  const csrcs = packet.csrcs ?? [];
  if (csrcs.length > 15) throw new RangeError('an RTP packet carries at most 15 CSRCs');
  const extension = packet.extension;
  if (extension && extension.data.length % 4 !== 0) throw new RangeError('an RTP header extension is a multiple of 4 bytes');
  const padding = packet.paddingBytes ?? 0;
  if (padding < 0 || padding > 255) throw new RangeError('RTP padding is 0–255 bytes');

  const headerBytes = RTP_HEADER_BYTES + csrcs.length * 4 + (extension ? 4 + extension.data.length : 0);
  const out = Buffer.alloc(headerBytes + packet.payload.length + padding);
  out[0] = 0x80 | (padding > 0 ? 0x20 : 0) | (extension ? 0x10 : 0) | csrcs.length;
  out[1] = (packet.marker ? 0x80 : 0) | (packet.payloadType & 0x7f);
  out.writeUInt16BE(packet.sequenceNumber & 0xffff, 2);
  out.writeUInt32BE(packet.timestamp >>> 0, 4);
  out.writeUInt32BE(packet.ssrc >>> 0, 8);
  let offset = RTP_HEADER_BYTES;
  for (const csrc of csrcs) {
    out.writeUInt32BE(csrc >>> 0, offset);
    offset += 4;
  }
  if (extension) {
    out.writeUInt16BE(extension.profile & 0xffff, offset);
    out.writeUInt16BE(extension.data.length / 4, offset + 2);
    out.set(extension.data, offset + 4);
    offset += 4 + extension.data.length;
  }
  out.set(packet.payload, offset);
  if (padding > 0) out[out.length - 1] = padding;
  return out;
}
