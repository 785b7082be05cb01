import { describe, expect, it } from 'vitest';
import { decodeUlaw, encodeG711, encodeUlaw } from '../../src/media/g711.js';
import { FRAME_SAMPLES, JitterBuffer } from '../../src/media/jitter-buffer.js';
import type { RtpPacket } from '../../src/media/rtp-packet.js';

/** A PCMU packet whose samples all have one value, so a pulled frame shows which packet it came from. */
function packet(sequenceNumber: number, timestamp: number, level: number, ssrc = 1, payloadType = 0): RtpPacket {
  return {
    marker: false, payloadType, sequenceNumber, timestamp, ssrc, csrcs: [], extension: undefined, paddingBytes: 0,
    payload: encodeG711('PCMU', new Array(FRAME_SAMPLES).fill(level)),
  };
}

/** What a level becomes after one trip through µ-law. */
const heard = (level: number): number => decodeUlaw(encodeUlaw(level));

function pull(buffer: JitterBuffer): number {
  const frame = new Int32Array(FRAME_SAMPLES);
  buffer.pullInto(frame);
  const first = frame[0] ?? 0;
  expect(frame.every((value) => value === first)).toBe(true);
  return first;
}

describe('jitter buffer', () => {
  it('plays out a few frames behind and puts reordered packets back in order', () => {
    const buffer = new JitterBuffer(2);
    buffer.push(packet(10, 1600, 1000));
    buffer.push(packet(12, 1920, 3000));
    buffer.push(packet(11, 1760, 2000));
    expect([pull(buffer), pull(buffer), pull(buffer), pull(buffer), pull(buffer)]).toEqual([0, 0, heard(1000), heard(2000), heard(3000)]);
  });

  it('drops a packet whose time has already been played out', () => {
    const buffer = new JitterBuffer(1);
    buffer.push(packet(1, 160, 1000));
    pull(buffer);
    pull(buffer);
    buffer.push(packet(0, 0, 5000));
    expect(buffer.counters.late).toBe(1);
    expect(pull(buffer)).toBe(0);
  });

  it('plays silence for a lost packet and adds into the mix instead of overwriting it', () => {
    const buffer = new JitterBuffer(1);
    buffer.push(packet(1, 0, 1000));
    buffer.push(packet(3, 320, 1000));
    pull(buffer);
    const frame = new Int32Array(FRAME_SAMPLES).fill(500);
    buffer.pullInto(frame);
    expect(frame[0]).toBe(500 + heard(1000));
    expect(pull(buffer)).toBe(0);
    expect(pull(buffer)).toBe(heard(1000));
  });

  it('starts over on a new SSRC or a jump in timestamps', () => {
    const buffer = new JitterBuffer(1);
    buffer.push(packet(1, 0, 1000));
    buffer.push(packet(1, 900_000, 2000, 2));
    expect(buffer.counters.resyncs).toBe(1);
    pull(buffer);
    expect(pull(buffer)).toBe(heard(2000));
    buffer.push(packet(2, 9_000_000, 3000, 2));
    expect(buffer.counters.resyncs).toBe(2);
  });

  it('follows a sender whose clock runs behind instead of dropping it as late for ever', () => {
    const buffer = new JitterBuffer(1);
    buffer.push(packet(1, 0, 1000));
    for (let i = 0; i < 4; i++) pull(buffer);
    for (const timestamp of [160, 200, 240]) buffer.push(packet(2, timestamp, 1000));
    expect(buffer.counters.late).toBe(2);
    expect(buffer.counters.resyncs).toBe(1);
  });

  it('ignores packets that are not G.711 (telephone-event)', () => {
    const buffer = new JitterBuffer();
    buffer.push(packet(1, 0, 1000, 1, 101));
    expect(buffer.counters.ignored).toBe(1);
    expect(pull(buffer)).toBe(0);
  });

  it('holds nothing after clear()', () => {
    const buffer = new JitterBuffer(1);
    buffer.push(packet(1, 160, 1000));
    buffer.clear();
    expect(pull(buffer)).toBe(0);
    expect(pull(buffer)).toBe(0);
  });
});
