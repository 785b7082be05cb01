import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseRtpPacket, serializeRtpPacket, type RtpPacket } from '../../src/media/rtp-packet.js';

function parsed(datagram: Uint8Array): RtpPacket {
  const result = parseRtpPacket(datagram);
  if (!result.ok) throw new Error(`expected a packet, got ${result.reason}`);
  return result.packet;
}

describe('RTP packets (RFC 3550)', () => {
  it('reads every field of a captured PCMA packet', () => {
    const datagram = Buffer.from('8088' + '1234' + 'deadbeef' + '0a0b0c0d' + 'd5d5d5d5', 'hex');
    const packet = parsed(datagram);
    expect(packet).toMatchObject({ marker: true, payloadType: 8, sequenceNumber: 0x1234, timestamp: 0xdeadbeef, ssrc: 0x0a0b0c0d, csrcs: [], extension: undefined, paddingBytes: 0 });
    expect(Buffer.from(packet.payload).toString('hex')).toBe('d5d5d5d5');
  });

  it('reads CSRCs, a header extension and padding, and leaves them out of the payload', () => {
    const datagram = serializeRtpPacket({
      payloadType: 0, sequenceNumber: 65535, timestamp: 4294967295, ssrc: 1,
      csrcs: [7, 8], extension: { profile: 0xbede, data: Uint8Array.of(1, 2, 3, 4) }, paddingBytes: 3, payload: Uint8Array.of(9, 9),
    });
    expect(datagram[0]).toBe(0x80 | 0x20 | 0x10 | 2);
    const packet = parsed(datagram);
    expect(packet.csrcs).toEqual([7, 8]);
    expect(packet.extension?.profile).toBe(0xbede);
    expect(Array.from(packet.extension?.data ?? [])).toEqual([1, 2, 3, 4]);
    expect(packet.paddingBytes).toBe(3);
    expect(Array.from(packet.payload)).toEqual([9, 9]);
  });

  it('parses back whatever it serializes', () => {
    const init = fc.record({
      marker: fc.boolean(),
      payloadType: fc.integer({ min: 0, max: 127 }),
      sequenceNumber: fc.integer({ min: 0, max: 0xffff }),
      timestamp: fc.integer({ min: 0, max: 0xffffffff }),
      ssrc: fc.integer({ min: 0, max: 0xffffffff }),
      csrcs: fc.array(fc.integer({ min: 0, max: 0xffffffff }), { maxLength: 15 }),
      extensionWords: fc.option(fc.integer({ min: 0, max: 4 }), { nil: undefined }),
      paddingBytes: fc.integer({ min: 0, max: 255 }),
      payload: fc.uint8Array({ maxLength: 320 }),
    });
    fc.assert(fc.property(init, ({ extensionWords, ...fields }) => {
      const extension = extensionWords === undefined ? undefined : { profile: 0x1000, data: new Uint8Array(extensionWords * 4).fill(7) };
      const packet = parsed(serializeRtpPacket({ ...fields, ...(extension ? { extension } : {}) }));
      expect(packet.marker).toBe(fields.marker);
      expect(packet.payloadType).toBe(fields.payloadType);
      expect(packet.sequenceNumber).toBe(fields.sequenceNumber);
      expect(packet.timestamp).toBe(fields.timestamp);
      expect(packet.ssrc).toBe(fields.ssrc);
      expect(packet.csrcs).toEqual(fields.csrcs);
      expect(packet.extension?.data.length).toBe(extension?.data.length);
      expect(packet.paddingBytes).toBe(fields.paddingBytes);
      expect(Array.from(packet.payload)).toEqual(Array.from(fields.payload));
    }));
  });

  it('refuses malformed datagrams with a reason instead of throwing', () => {
    const reason = (hex: string): string | undefined => {
      const result = parseRtpPacket(Buffer.from(hex, 'hex'));
      return result.ok ? undefined : result.reason;
    };
    expect(reason('')).toBe('too-short');
    expect(reason('80080001000000000000')).toBe('too-short');
    expect(reason('4008000100000000000000000000')).toBe('bad-version');
    expect(reason('830800010000000000000001' + '00000001')).toBe('csrc-overflow');
    expect(reason('900800010000000000000001' + 'bede')).toBe('extension-overflow');
    expect(reason('900800010000000000000001' + 'bede0002' + '00000000')).toBe('extension-overflow');
    expect(reason('a00800010000000000000001' + 'd5d500')).toBe('bad-padding');
    expect(reason('a00800010000000000000001' + 'd5d5ff')).toBe('bad-padding');
  });

  it('never throws on arbitrary bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
      const result = parseRtpPacket(bytes);
      if (result.ok) expect(result.packet.payload.length).toBeGreaterThanOrEqual(0);
    }), { numRuns: 2000 });
  });

  it('refuses to serialize what RTP cannot carry', () => {
    expect(() => serializeRtpPacket({ payloadType: 0, sequenceNumber: 0, timestamp: 0, ssrc: 0, csrcs: new Array(16).fill(0), payload: new Uint8Array() })).toThrow(RangeError);
    expect(() => serializeRtpPacket({ payloadType: 0, sequenceNumber: 0, timestamp: 0, ssrc: 0, extension: { profile: 0, data: new Uint8Array(3) }, payload: new Uint8Array() })).toThrow(RangeError);
  });
});
