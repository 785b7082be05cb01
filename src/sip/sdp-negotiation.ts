import type { AddressType, MediaDirection, SdpMedia, SdpRtpMap, SessionDescription } from './sdp.js';

export type G711Codec = 'PCMA' | 'PCMU';

/** The static RTP payload types of RFC 3551. */
export const G711_PAYLOAD_TYPES: Readonly<Record<G711Codec, number>> = { PCMU: 0, PCMA: 8 };
export const TELEPHONE_EVENT_PAYLOAD_TYPE = 101;

export interface LocalMedia {
  readonly addressType?: AddressType;
  readonly address: string;
  readonly port: number;
  /** Fresh per session, e.g. a random decimal string; never derived from a caller. */
  readonly sessionId: string;
  readonly sessionVersion?: number;
  /** Preference order, default PCMA (the European trunks' codec) then PCMU. */
  readonly codecs?: readonly G711Codec[];
  readonly telephoneEvent?: boolean;
  readonly ptime?: number;
}

export interface NegotiatedAudio {
  readonly codec: G711Codec;
  readonly payloadType: number;
  /** The peer's payload type for RFC 4733 events, if both sides offered them. */
  readonly telephoneEventPayloadType?: number;
  readonly remoteAddress: string;
  readonly remotePort: number;
  /** Our direction as answered. */
  readonly direction: MediaDirection;
  readonly ptime?: number;
}

export type AudioAnswer =
  | { readonly ok: true; readonly answer: SessionDescription; readonly audio: NegotiatedAudio }
  | { readonly ok: false; readonly reason: 'no-audio' | 'no-common-codec' };

const ANSWER_DIRECTION: Readonly<Record<MediaDirection, MediaDirection>> = {
  sendrecv: 'sendrecv', sendonly: 'recvonly', recvonly: 'sendonly', inactive: 'inactive',
};

function base(local: LocalMedia): Pick<SessionDescription, 'origin' | 'sessionName' | 'connection' | 'timing'> {
  const addressType = local.addressType ?? 'IP4';
  return {
    origin: { username: '-', sessionId: local.sessionId, sessionVersion: String(local.sessionVersion ?? 1), addressType, address: local.address },
    sessionName: '-',
    connection: { addressType, address: local.address },
    timing: { start: '0', stop: '0' },
  };
}

function audioMedia(local: LocalMedia, codecs: readonly G711Codec[], eventPayloadType: number | undefined, direction: MediaDirection, port = local.port): SdpMedia {
  const formats = codecs.map((codec) => String(G711_PAYLOAD_TYPES[codec]));
  const rtpMaps: SdpRtpMap[] = codecs.map((codec) => ({ payloadType: G711_PAYLOAD_TYPES[codec], encoding: codec, clockRate: 8000 }));
  if (eventPayloadType !== undefined) {
    formats.push(String(eventPayloadType));
    rtpMaps.push({ payloadType: eventPayloadType, encoding: 'telephone-event', clockRate: 8000 });
  }
  return {
    media: 'audio', port, protocol: 'RTP/AVP', formats, rtpMaps,
    fmtps: eventPayloadType === undefined ? [] : [[eventPayloadType, '0-15']],
    ...(local.ptime !== undefined ? { ptime: local.ptime } : {}),
    direction, attributes: [],
  };
}

/** A G.711 offer: PCMA and PCMU (in preference order), telephone-event 101 unless turned off. */
export function createAudioOffer(local: LocalMedia): SessionDescription {
  const codecs = local.codecs ?? ['PCMA', 'PCMU'];
  const events = local.telephoneEvent === false ? undefined : TELEPHONE_EVENT_PAYLOAD_TYPE;
  return { ...base(local), media: [audioMedia(local, codecs, events, 'sendrecv')] };
}

/** The encoding name a payload type carries in `media` (static types need no rtpmap). */
function encodingOf(media: SdpMedia, format: string): string | undefined {
  const payloadType = Number(format);
  const mapped = media.rtpMaps.find((map) => map.payloadType === payloadType);
  if (mapped) return mapped.clockRate === 8000 ? mapped.encoding.toUpperCase() : undefined;
  if (payloadType === 0) return 'PCMU';
  if (payloadType === 8) return 'PCMA';
  return undefined;
}

/**
 * Reads the first audio stream of an offer or answer: the first G.711 codec we accept in the
 * peer's order, telephone-event if present, and the peer's RTP address.
 */
export function readAudio(sdp: SessionDescription, accepted: readonly G711Codec[] = ['PCMA', 'PCMU']): NegotiatedAudio | 'no-audio' | 'no-common-codec' {
  const media = sdp.media.find((item) => item.media === 'audio' && item.port !== 0 && item.protocol === 'RTP/AVP');
  if (!media) return 'no-audio';
  const codecFormat = media.formats.find((format) => accepted.includes(encodingOf(media, format) as G711Codec));
  if (codecFormat === undefined) return 'no-common-codec';
  const events = media.formats.find((format) => encodingOf(media, format) === 'TELEPHONE-EVENT');
  const connection = media.connection ?? sdp.connection;
  return {
    codec: encodingOf(media, codecFormat) as G711Codec,
    payloadType: Number(codecFormat),
    ...(events !== undefined ? { telephoneEventPayloadType: Number(events) } : {}),
    remoteAddress: connection?.address ?? '',
    remotePort: media.port,
    direction: media.direction ?? sdp.direction ?? 'sendrecv',
    ...(media.ptime !== undefined ? { ptime: media.ptime } : {}),
  };
}

/**
 * Answers an offer (RFC 3264): one G.711 codec chosen by our preference among those offered, the
 * peer's telephone-event type echoed, the direction mirrored, other streams rejected with port 0.
 */
export function answerAudioOffer(offer: SessionDescription, local: LocalMedia): AudioAnswer {
  const preferred = local.codecs ?? ['PCMA', 'PCMU'];
  const audioIndex = offer.media.findIndex((item) => item.media === 'audio' && item.port !== 0 && item.protocol === 'RTP/AVP');
  const offered = offer.media[audioIndex];
  if (!offered) return { ok: false, reason: 'no-audio' };
  const offeredCodecs = new Set(offered.formats.map((format) => encodingOf(offered, format)));
  const codec = preferred.find((candidate) => offeredCodecs.has(candidate));
  if (!codec) return { ok: false, reason: 'no-common-codec' };
  const peer = readAudio(offer, [codec]);
  if (typeof peer === 'string') return { ok: false, reason: peer };
  const events = local.telephoneEvent === false ? undefined : peer.telephoneEventPayloadType;
  const direction = ANSWER_DIRECTION[peer.direction];
  const media = offer.media.map((item, index): SdpMedia => index === audioIndex
    ? audioMedia(local, [codec], events, direction)
    : { media: item.media, port: 0, protocol: item.protocol, formats: item.formats, rtpMaps: [], fmtps: [], attributes: [] });
  return {
    ok: true,
    answer: { ...base(local), media },
    audio: {
      codec: peer.codec,
      payloadType: peer.payloadType,
      ...(events === undefined ? {} : { telephoneEventPayloadType: events }),
      remoteAddress: peer.remoteAddress,
      remotePort: peer.remotePort,
      direction,
      ...(peer.ptime !== undefined ? { ptime: peer.ptime } : {}),
    },
  };
}
