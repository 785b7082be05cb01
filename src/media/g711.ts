/**
 * G.711 A-law and µ-law (ITU-T G.711), table-driven: decoding is one lookup per byte, encoding one
 * lookup per sample on the law's own resolution (13 bits for A-law, 14 bits for µ-law), so the
 * relay and the mixer never branch per sample. The tables are built once from the reference
 * algorithm (the segment/quantization form of the recommendation, as in ITU-T G.191's g711.c).
 */
import { GatewayError } from '../errors.js';

export type G711Codec = 'PCMU' | 'PCMA';

/** RFC 3551 static payload types. */
export const PAYLOAD_TYPE: Readonly<Record<G711Codec, number>> = { PCMU: 0, PCMA: 8 };

/** The byte each law encodes digital silence (0) as. */
export const SILENCE_BYTE: Readonly<Record<G711Codec, number>> = { PCMU: 0xff, PCMA: 0xd5 };

const ALAW_SEGMENT_ENDS = [0x1f, 0x3f, 0x7f, 0xff, 0x1ff, 0x3ff, 0x7ff, 0xfff];
const ULAW_SEGMENT_ENDS = [0x3f, 0x7f, 0xff, 0x1ff, 0x3ff, 0x7ff, 0xfff, 0x1fff];
const ULAW_BIAS = 0x84;
const ULAW_CLIP = 8159;

function segmentOf(value: number, ends: readonly number[]): number {
  for (let segment = 0; segment < ends.length; segment++) if (value <= (ends[segment] ?? 0)) return segment;
  return ends.length;
}

/** Reference A-law encoder on a 16-bit sample. */
function alawFromLinear(sample: number): number {
  let value = sample >> 3;
  let mask: number;
  if (value >= 0) {
    mask = 0xd5;
  } else {
    mask = 0x55;
    value = -value - 1;
  }
  const segment = segmentOf(value, ALAW_SEGMENT_ENDS);
  if (segment >= 8) return 0x7f ^ mask;
  const quantized = segment < 2 ? (value >> 1) & 0x0f : (value >> segment) & 0x0f;
  return ((segment << 4) | quantized) ^ mask;
}

function linearFromAlaw(byte: number): number {
  const value = byte ^ 0x55;
  let magnitude = (value & 0x0f) << 4;
  const segment = (value & 0x70) >> 4;
  if (segment === 0) magnitude += 8;
  else if (segment === 1) magnitude += 0x108;
  else magnitude = (magnitude + 0x108) << (segment - 1);
  return value & 0x80 ? magnitude : -magnitude;
}

/** Reference µ-law encoder on a 16-bit sample; negatives in one's complement, as in ITU-T G.191. */
function ulawFromLinear(sample: number): number {
  let value = sample >> 2;
  let mask: number;
  if (value < 0) {
    value = -value - 1;
    mask = 0x7f;
  } else {
    mask = 0xff;
  }
  if (value > ULAW_CLIP) value = ULAW_CLIP;
  value += ULAW_BIAS >> 2;
  const segment = segmentOf(value, ULAW_SEGMENT_ENDS);
  if (segment >= 8) return 0x7f ^ mask;
  return ((segment << 4) | ((value >> (segment + 1)) & 0x0f)) ^ mask;
}

function linearFromUlaw(byte: number): number {
  const value = ~byte & 0xff;
  const magnitude = (((value & 0x0f) << 3) + ULAW_BIAS) << ((value & 0x70) >> 4);
  return value & 0x80 ? ULAW_BIAS - magnitude : magnitude - ULAW_BIAS;
}

const ALAW_DECODE = Int16Array.from({ length: 256 }, (_, byte) => linearFromAlaw(byte));
const ULAW_DECODE = Int16Array.from({ length: 256 }, (_, byte) => linearFromUlaw(byte));
// A-law only looks at the top 13 bits of a sample and µ-law at the top 14; index by those.
const ALAW_ENCODE = Uint8Array.from({ length: 1 << 13 }, (_, index) => alawFromLinear(((index << 19) >> 16)));
const ULAW_ENCODE = Uint8Array.from({ length: 1 << 14 }, (_, index) => ulawFromLinear(((index << 18) >> 16)));
const ALAW_TO_ULAW = Uint8Array.from(ALAW_DECODE, (sample) => ULAW_ENCODE[(sample >> 2) & 0x3fff] ?? 0);
const ULAW_TO_ALAW = Uint8Array.from(ULAW_DECODE, (sample) => ALAW_ENCODE[(sample >> 3) & 0x1fff] ?? 0);

function clampToInt16(sample: number): number {
  return sample > 32767 ? 32767 : sample < -32768 ? -32768 : sample | 0;
}

export function encodeAlaw(sample: number): number {
  return ALAW_ENCODE[(clampToInt16(sample) >> 3) & 0x1fff] ?? 0;
}

export function decodeAlaw(byte: number): number {
  return ALAW_DECODE[byte & 0xff] ?? 0;
}

export function encodeUlaw(sample: number): number {
  return ULAW_ENCODE[(clampToInt16(sample) >> 2) & 0x3fff] ?? 0;
}

export function decodeUlaw(byte: number): number {
  return ULAW_DECODE[byte & 0xff] ?? 0;
}

/** The codec a static payload type stands for, or undefined for anything that is not G.711. */
export function codecOfPayloadType(payloadType: number): G711Codec | undefined {
  return payloadType === 0 ? 'PCMU' : payloadType === 8 ? 'PCMA' : undefined;
}

/** Parses a codec name as SDP writes it (`PCMA`, `pcmu`), refusing anything else. */
export function asG711Codec(name: string): G711Codec {
  const upper = name.toUpperCase();
  if (upper === 'PCMA' || upper === 'PCMU') return upper;
  throw new GatewayError('HGW_MEDIA_CODEC', `unsupported codec ${JSON.stringify(name.slice(0, 16))}: only PCMA and PCMU`);
}

/** Encodes 16-bit samples; `into` (at least `samples.length` bytes) avoids an allocation per frame. */
export function encodeG711(codec: G711Codec, samples: ArrayLike<number>, into?: Uint8Array): Uint8Array {
  const out = into ?? new Uint8Array(samples.length);
  const count = samples.length;
  if (codec === 'PCMA') {
    for (let i = 0; i < count; i++) out[i] = ALAW_ENCODE[(clampToInt16(samples[i] ?? 0) >> 3) & 0x1fff] ?? 0;
  } else {
    for (let i = 0; i < count; i++) out[i] = ULAW_ENCODE[(clampToInt16(samples[i] ?? 0) >> 2) & 0x3fff] ?? 0;
  }
  return out;
}

/** Decodes G.711 bytes to 16-bit samples; `into` avoids an allocation per frame. */
export function decodeG711(codec: G711Codec, payload: Uint8Array, into?: Int16Array): Int16Array {
  const out = into ?? new Int16Array(payload.length);
  const table = codec === 'PCMA' ? ALAW_DECODE : ULAW_DECODE;
  const count = Math.min(payload.length, out.length);
  for (let i = 0; i < count; i++) out[i] = table[payload[i] ?? 0] ?? 0;
  return out;
}

/** Rewrites A-law bytes as µ-law or back in place, for a relay whose legs negotiated different laws. */
export function transcodeG711InPlace(from: G711Codec, to: G711Codec, payload: Uint8Array): void {
  if (from === to) return;
  const table = from === 'PCMA' ? ALAW_TO_ULAW : ULAW_TO_ALAW;
  for (let i = 0; i < payload.length; i++) payload[i] = table[payload[i] ?? 0] ?? 0;
}
