import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  asG711Codec, codecOfPayloadType, decodeAlaw, decodeG711, decodeUlaw, encodeAlaw, encodeG711, encodeUlaw, SILENCE_BYTE, transcodeG711InPlace,
} from '../../src/media/g711.js';
import { isGatewayError } from '../../src/errors.js';

const sample = fc.integer({ min: -32768, max: 32767 });

describe('G.711 A-law', () => {
  it('matches the reference values of the recommendation (even bits inverted, 0xD5 for zero)', () => {
    expect(encodeAlaw(0)).toBe(0xd5);
    expect(encodeAlaw(-1)).toBe(0x55);
    expect(encodeAlaw(32767)).toBe(0xaa);
    expect(encodeAlaw(-32768)).toBe(0x2a);
    expect(encodeAlaw(1000)).toBe(0xfa);
    expect(encodeAlaw(-1000)).toBe(0x7a);
    expect(decodeAlaw(0xd5)).toBe(8);
    expect(decodeAlaw(0x55)).toBe(-8);
    expect(decodeAlaw(0xaa)).toBe(32256);
    expect(decodeAlaw(0x2a)).toBe(-32256);
    expect(decodeAlaw(0xfa)).toBe(1008);
  });

  it('decodes every byte to a value that encodes back to the same byte', () => {
    for (let byte = 0; byte < 256; byte++) expect(encodeAlaw(decodeAlaw(byte))).toBe(byte);
  });

  it('keeps the round-trip error within the quantization step of the segment (at most 1/32 of the magnitude, 16 near zero)', () => {
    fc.assert(fc.property(sample, (value) => {
      const error = Math.abs(decodeAlaw(encodeAlaw(value)) - value);
      return error <= Math.max(16, Math.abs(value) / 32 + 16);
    }));
  });

  it('is monotonic: a louder sample never decodes quieter', () => {
    fc.assert(fc.property(sample, sample, (a, b) => {
      const [low, high] = a <= b ? [a, b] : [b, a];
      return decodeAlaw(encodeAlaw(low)) <= decodeAlaw(encodeAlaw(high));
    }));
  });
});

describe('G.711 µ-law', () => {
  it('matches the reference values of the recommendation (bits inverted, 0xFF for zero)', () => {
    expect(encodeUlaw(0)).toBe(0xff);
    expect(encodeUlaw(-1)).toBe(0x7f);
    expect(encodeUlaw(32767)).toBe(0x80);
    expect(encodeUlaw(-32768)).toBe(0x00);
    expect(encodeUlaw(1000)).toBe(0xce);
    expect(encodeUlaw(-1000)).toBe(0x4e);
    expect(decodeUlaw(0xff)).toBe(0);
    expect(decodeUlaw(0x7f)).toBe(0);
    expect(decodeUlaw(0x80)).toBe(32124);
    expect(decodeUlaw(0x00)).toBe(-32124);
    expect(decodeUlaw(0xce)).toBe(988);
  });

  it('decodes every byte but negative zero to a value that encodes back to the same byte', () => {
    for (let byte = 0; byte < 256; byte++) {
      if (byte === 0x7f) continue;
      expect(encodeUlaw(decodeUlaw(byte))).toBe(byte);
    }
  });

  it('keeps the round-trip error within the quantization step of the segment', () => {
    fc.assert(fc.property(sample, (value) => {
      const error = Math.abs(decodeUlaw(encodeUlaw(value)) - value);
      return error <= Math.max(8, Math.abs(value) / 16 + 132);
    }));
  });

  it('is monotonic: a louder sample never decodes quieter', () => {
    fc.assert(fc.property(sample, sample, (a, b) => {
      const [low, high] = a <= b ? [a, b] : [b, a];
      return decodeUlaw(encodeUlaw(low)) <= decodeUlaw(encodeUlaw(high));
    }));
  });
});

describe('G.711 frames', () => {
  it('encodes and decodes whole frames the same way as sample by sample, clipping out-of-range sums', () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: -70000, max: 70000 }), { maxLength: 200 }), (values) => {
      const alaw = encodeG711('PCMA', values);
      const ulaw = encodeG711('PCMU', values);
      values.forEach((value, i) => {
        const clipped = Math.max(-32768, Math.min(32767, value));
        expect(alaw[i]).toBe(encodeAlaw(clipped));
        expect(ulaw[i]).toBe(encodeUlaw(clipped));
      });
      expect(Array.from(decodeG711('PCMA', alaw))).toEqual(Array.from(alaw, decodeAlaw));
      expect(Array.from(decodeG711('PCMU', ulaw))).toEqual(Array.from(ulaw, decodeUlaw));
    }));
  });

  it('encodes silence as the law\'s silence byte', () => {
    expect(encodeG711('PCMA', [0])[0]).toBe(SILENCE_BYTE.PCMA);
    expect(encodeG711('PCMU', [0])[0]).toBe(SILENCE_BYTE.PCMU);
  });

  it('transcodes A-law to µ-law like decoding and re-encoding', () => {
    const bytes = Uint8Array.from({ length: 256 }, (_, i) => i);
    transcodeG711InPlace('PCMA', 'PCMU', bytes);
    for (let byte = 0; byte < 256; byte++) expect(bytes[byte]).toBe(encodeUlaw(decodeAlaw(byte)));
  });

  it('knows the static payload types and refuses other codecs with HGW_MEDIA_CODEC', () => {
    expect(codecOfPayloadType(0)).toBe('PCMU');
    expect(codecOfPayloadType(8)).toBe('PCMA');
    expect(codecOfPayloadType(101)).toBeUndefined();
    expect(asG711Codec('pcma')).toBe('PCMA');
    let thrown: unknown;
    try {
      asG711Codec('opus');
    } catch (error) {
      thrown = error;
    }
    expect(isGatewayError(thrown, 'HGW_MEDIA_CODEC')).toBe(true);
  });
});
