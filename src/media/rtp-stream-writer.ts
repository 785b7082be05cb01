/**
 * An RTP stream the box originates (mixed audio, whisper, prompts): its own random SSRC, sequence
 * number and timestamp (RFC 3550 §5.1 asks for random starts), the marker bit on the first packet,
 * the payload encoded in the receiving leg's G.711 law.
 */
import { randomBytes } from 'node:crypto';
import { encodeG711, PAYLOAD_TYPE, type G711Codec } from './g711.js';
import { serializeRtpPacket } from './rtp-packet.js';

export class RtpStreamWriter {
  readonly ssrc: number;
  #sequenceNumber: number;
  #timestamp: number;
  #first = true;
  #payload = new Uint8Array(160);

  constructor() {
    const seed = randomBytes(10);
    this.ssrc = seed.readUInt32BE(0);
    this.#sequenceNumber = seed.readUInt16BE(4);
    this.#timestamp = seed.readUInt32BE(6);
  }

  /** One packet carrying `samples` (16-bit PCM, clipped here); the timestamp advances by their count. */
  frame(codec: G711Codec, samples: ArrayLike<number>): Buffer {
    if (this.#payload.length !== samples.length) this.#payload = new Uint8Array(samples.length);
    return this.encoded(codec, encodeG711(codec, samples, this.#payload));
  }

  /** One packet whose payload is already G.711 in `codec`. */
  encoded(codec: G711Codec, payload: Uint8Array): Buffer {
    const packet = serializeRtpPacket({
      marker: this.#first,
      payloadType: PAYLOAD_TYPE[codec],
      sequenceNumber: this.#sequenceNumber,
      timestamp: this.#timestamp,
      ssrc: this.ssrc,
      payload,
    });
    this.#first = false;
    this.#sequenceNumber = (this.#sequenceNumber + 1) & 0xffff;
    this.#timestamp = (this.#timestamp + payload.length) >>> 0;
    return packet;
  }
}
