/**
 * A fake phone or trunk for the media tests: a UDP socket on loopback that records every datagram
 * (with its source) and sends RTP tones. Tones are paced by real timers: this plays a real
 * endpoint, not the box.
 */
import { createSocket, type Socket } from 'node:dgram';
import { RtpPortPool } from '../../src/media/port-pool.js';
import { decodeG711, encodeG711, PAYLOAD_TYPE, codecOfPayloadType, type G711Codec } from '../../src/media/g711.js';
import { parseRtpPacket, serializeRtpPacket, type RtpPacket } from '../../src/media/rtp-packet.js';

export interface Received {
  readonly datagram: Buffer;
  readonly packet: RtpPacket | undefined;
  readonly from: { readonly address: string; readonly port: number };
  readonly at: number;
}

export class FakeRtpEndpoint {
  readonly received: Received[] = [];
  readonly #socket: Socket;
  readonly address: string;
  readonly port: number;
  #toneTimer: NodeJS.Timeout | undefined;
  #waiters: Array<() => void> = [];

  private constructor(socket: Socket, address: string, port: number) {
    this.#socket = socket;
    this.address = address;
    this.port = port;
    socket.on('message', (datagram, from) => {
      const parsed = parseRtpPacket(datagram);
      this.received.push({ datagram, packet: parsed.ok ? parsed.packet : undefined, from: { address: from.address, port: from.port }, at: performance.now() });
      for (const wake of this.#waiters.splice(0)) wake();
    });
  }

  static async open(address = '127.0.0.1'): Promise<FakeRtpEndpoint> {
    const socket = createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, address, () => resolve());
    });
    return new FakeRtpEndpoint(socket, address, socket.address().port);
  }

  get endpoint(): { address: string; port: number } {
    return { address: this.address, port: this.port };
  }

  send(datagram: Uint8Array, port: number, address = '127.0.0.1'): void {
    this.#socket.send(datagram, port, address);
  }

  /** Sends 20 ms frames of a sine wave (or silence at frequency 0) every 20 ms until stopTone(). */
  startTone(target: { port: number; address?: string }, codec: G711Codec, frequency: number, amplitude = 8000, ssrc = 0x1234): void {
    this.stopTone();
    let sequenceNumber = 0;
    let timestamp = 0;
    const tick = (): void => {
      const samples = Array.from({ length: 160 }, (_, i) => Math.round(amplitude * Math.sin((2 * Math.PI * frequency * (timestamp + i)) / 8000)));
      this.send(serializeRtpPacket({ payloadType: PAYLOAD_TYPE[codec], sequenceNumber, timestamp, ssrc, payload: encodeG711(codec, samples) }), target.port, target.address);
      sequenceNumber = (sequenceNumber + 1) & 0xffff;
      timestamp += 160;
    };
    tick();
    this.#toneTimer = setInterval(tick, 20);
  }

  stopTone(): void {
    clearInterval(this.#toneTimer);
    this.#toneTimer = undefined;
  }

  /** Resolves once `condition` holds for what has been received; rejects after `timeoutMs`. */
  async waitUntil(condition: (received: readonly Received[]) => boolean, timeoutMs = 3000): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    while (!condition(this.received)) {
      const left = deadline - performance.now();
      if (left <= 0) throw new Error(`condition not met after ${timeoutMs} ms (${this.received.length} datagrams received)`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** The decoded audio of the received RTP packets of one SSRC (default: every G.711 packet), in sequence order. */
  audio(filter: (packet: RtpPacket) => boolean = () => true): Int16Array {
    const packets = this.received
      .map((entry) => entry.packet)
      .filter((packet): packet is RtpPacket => packet !== undefined && codecOfPayloadType(packet.payloadType) !== undefined && filter(packet))
      .sort((a, b) => a.timestamp - b.timestamp);
    const out = new Int16Array(packets.reduce((total, packet) => total + packet.payload.length, 0));
    let offset = 0;
    for (const packet of packets) {
      out.set(decodeG711(codecOfPayloadType(packet.payloadType) as G711Codec, packet.payload), offset);
      offset += packet.payload.length;
    }
    return out;
  }

  async close(): Promise<void> {
    this.stopTone();
    await new Promise<void>((resolve) => this.#socket.close(() => resolve()));
  }
}

/** Goertzel: the power of one frequency in the samples, normalized by their count. */
export function tonePower(samples: ArrayLike<number>, frequency: number, sampleRate = 8000): number {
  const coefficient = 2 * Math.cos((2 * Math.PI * frequency) / sampleRate);
  let previous = 0;
  let beforePrevious = 0;
  for (let i = 0; i < samples.length; i++) {
    const current = (samples[i] ?? 0) + coefficient * previous - beforePrevious;
    beforePrevious = previous;
    previous = current;
  }
  const power = previous * previous + beforePrevious * beforePrevious - coefficient * previous * beforePrevious;
  return power / (samples.length * samples.length);
}

/** A pool on a random stretch of ports, so parallel test files do not meet; busy ports are skipped by the legs. */
export function randomPortPool(pairs = 40): RtpPortPool {
  const first = 20000 + 2 * Math.floor(Math.random() * 5000);
  return new RtpPortPool({ first, last: first + pairs * 2 - 1 });
}
