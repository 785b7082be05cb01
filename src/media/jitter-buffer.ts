/**
 * A small jitter buffer for one direction of a call: decoded samples are placed by RTP timestamp
 * (so reordered packets land where they belong), played out a few frames behind the newest
 * stream start, and zeroed as they are read. Late packets are dropped; a new SSRC, a jump in
 * timestamps or a run of late packets starts over. It is the only place audio is held, and it
 * holds at most `ringFrames` × 20 ms.
 */
import { codecOfPayloadType, decodeG711 } from './g711.js';
import type { RtpPacket } from './rtp-packet.js';

/** 20 ms at 8 kHz. */
export const FRAME_SAMPLES = 160;

export interface JitterBufferCounters {
  late: number;
  resyncs: number;
  /** Packets that are not G.711 (telephone-event, comfort noise, …). */
  ignored: number;
}

export class JitterBuffer {
  readonly depthFrames: number;
  readonly counters: JitterBufferCounters = { late: 0, resyncs: 0, ignored: 0 };
  readonly #ring: Int16Array;
  readonly #scratch = new Int16Array(FRAME_SAMPLES * 4);
  #started = false;
  #ssrc = 0;
  /** RTP timestamp of the next sample to play out, and its index in the ring. */
  #playout = 0;
  #readIndex = 0;
  #lateRun = 0;

  constructor(depthFrames = 3) {
    if (!Number.isInteger(depthFrames) || depthFrames < 1 || depthFrames > 10) throw new RangeError('jitter buffer depth is 1–10 frames');
    this.depthFrames = depthFrames;
    this.#ring = new Int16Array(Math.max(depthFrames * 2, depthFrames + 4) * FRAME_SAMPLES);
  }

  push(packet: RtpPacket): void {
    const codec = codecOfPayloadType(packet.payloadType);
    if (!codec || packet.payload.length === 0) {
      this.counters.ignored++;
      return;
    }
    const length = Math.min(packet.payload.length, this.#ring.length);
    if (!this.#started || packet.ssrc !== this.#ssrc) this.#resync(packet.ssrc, packet.timestamp);
    let offset = (packet.timestamp - this.#playout) | 0;
    if (offset < 0 && offset > -this.#ring.length && this.#lateRun < this.depthFrames * 2) {
      this.counters.late++;
      this.#lateRun++;
      return;
    }
    if (offset < 0 || offset + length > this.#ring.length) {
      this.#resync(packet.ssrc, packet.timestamp);
      offset = (packet.timestamp - this.#playout) | 0;
    }
    this.#lateRun = 0;
    const samples = decodeG711(codec, packet.payload.subarray(0, length), length <= this.#scratch.length ? this.#scratch.subarray(0, length) : undefined);
    const ring = this.#ring;
    let index = (this.#readIndex + offset) % ring.length;
    for (let i = 0; i < length; i++) {
      ring[index] = samples[i] ?? 0;
      index = index + 1 === ring.length ? 0 : index + 1;
    }
  }

  /** Adds the next 20 ms (silence where nothing arrived) to `mix`, then forgets it. */
  pullInto(mix: Int32Array): void {
    if (!this.#started) return;
    const ring = this.#ring;
    let index = this.#readIndex;
    for (let i = 0; i < FRAME_SAMPLES; i++) {
      mix[i] = (mix[i] ?? 0) + (ring[index] ?? 0);
      ring[index] = 0;
      index = index + 1 === ring.length ? 0 : index + 1;
    }
    this.#readIndex = index;
    this.#playout = (this.#playout + FRAME_SAMPLES) >>> 0;
  }

  /** Forgets everything held. */
  clear(): void {
    this.#ring.fill(0);
    this.#scratch.fill(0);
    this.#started = false;
  }

  #resync(ssrc: number, timestamp: number): void {
    if (this.#started) this.counters.resyncs++;
    this.#ring.fill(0);
    this.#started = true;
    this.#ssrc = ssrc;
    this.#playout = (timestamp - this.depthFrames * FRAME_SAMPLES) >>> 0;
    this.#readIndex = 0;
    this.#lateRun = 0;
  }
}
