/**
 * The RTP anchor of one call: an outside leg (trunk) and an inside leg (desk phone), each a socket
 * on the box. Packets from one leg go to the other leg's remote, so each side only ever sees the
 * box's address and port. Datagrams are forwarded unchanged, except that the G.711 payload is
 * rewritten when the two legs negotiated different laws.
 */
import type { Logger } from '../log/index.js';
import type { Clock, Scheduler } from '../time/index.js';
import { PAYLOAD_TYPE, transcodeG711InPlace, type G711Codec } from './g711.js';
import { MediaLeg, type LatchPolicy, type LegCounters, type RtpEndpoint, type RtpPacketListener } from './media-leg.js';
import type { RtpPortPool } from './port-pool.js';
import type { RtpPacket } from './rtp-packet.js';

export type RelayLegName = 'outside' | 'inside';

export interface RelayLegSetup {
  readonly codec: G711Codec;
  /** From SDP; the inside one usually arrives later, through `relay.inside.setRemote()`. */
  readonly remote?: RtpEndpoint;
  /** Overrides the relay's bind address, for a box with a trunk-side and a phone-side interface. */
  readonly bindAddress?: string;
}

export interface RtpRelayOptions {
  readonly outside: RelayLegSetup;
  readonly inside: RelayLegSetup;
  readonly pool: RtpPortPool;
  readonly bindAddress: string;
  readonly latch?: LatchPolicy;
  /** A leg silent this long is reported through onMediaTimeout (0 or absent: never). */
  readonly mediaTimeoutMs?: number;
  readonly onMediaTimeout?: (leg: RelayLegName) => void;
  readonly clock: Clock;
  readonly scheduler: Scheduler;
  readonly logger: Logger;
}

export class RtpRelay {
  readonly outside: MediaLeg;
  readonly inside: MediaLeg;
  readonly #diversions: Record<RelayLegName, RtpPacketListener | undefined> = { outside: undefined, inside: undefined };
  readonly #removers: Array<() => void> = [];
  #started = false;

  constructor(options: RtpRelayOptions) {
    const leg = (name: RelayLegName): MediaLeg =>
      new MediaLeg({
        name,
        pool: options.pool,
        bindAddress: options[name].bindAddress ?? options.bindAddress,
        codec: options[name].codec,
        ...(options[name].remote ? { remote: options[name].remote } : {}),
        latch: options.latch ?? 'expected-host',
        mediaTimeoutMs: options.mediaTimeoutMs ?? 0,
        onMediaTimeout: () => options.onMediaTimeout?.(name),
        clock: options.clock,
        scheduler: options.scheduler,
        logger: options.logger,
      });
    this.outside = leg('outside');
    this.inside = leg('inside');
  }

  /** Binds both legs; afterwards `outside.localPort` and `inside.localPort` go into the SDP. */
  async start(): Promise<void> {
    if (this.#started) return;
    this.#started = true;
    try {
      await this.outside.start();
      await this.inside.start();
    } catch (error) {
      await this.stop();
      throw error;
    }
    this.#removers.push(this.outside.onPacket((packet, datagram) => this.#forward('outside', packet, datagram)));
    this.#removers.push(this.inside.onPacket((packet, datagram) => this.#forward('inside', packet, datagram)));
  }

  /** Closes both sockets and gives their ports back; safe to call twice. */
  async stop(): Promise<void> {
    for (const remove of this.#removers.splice(0)) remove();
    this.#diversions.outside = undefined;
    this.#diversions.inside = undefined;
    await Promise.all([this.outside.stop(), this.inside.stop()]);
  }

  /**
   * Sends what arrives on `from` to `sink` instead of the other leg (a whisper mixer takes over the
   * caller-to-volunteer direction); `undefined` restores plain forwarding.
   */
  divert(from: RelayLegName, sink: RtpPacketListener | undefined): void {
    this.#diversions[from] = sink;
  }

  counters(): Record<RelayLegName, LegCounters> {
    return { outside: { ...this.outside.counters }, inside: { ...this.inside.counters } };
  }

  #forward(from: RelayLegName, packet: RtpPacket, datagram: Buffer): void {
    const diversion = this.#diversions[from];
    if (diversion) {
      diversion(packet, datagram);
      return;
    }
    const source = from === 'outside' ? this.outside : this.inside;
    const target = from === 'outside' ? this.inside : this.outside;
    if (source.codec !== target.codec && packet.payloadType === PAYLOAD_TYPE[source.codec]) {
      // A copy: other listeners on this leg (listen-along) still read the original payload.
      const copy = Buffer.from(datagram);
      const payloadStart = packet.payload.byteOffset - datagram.byteOffset;
      transcodeG711InPlace(source.codec, target.codec, copy.subarray(payloadStart, payloadStart + packet.payload.length));
      copy[1] = ((copy[1] ?? 0) & 0x80) | PAYLOAD_TYPE[target.codec];
      target.send(copy);
      return;
    }
    target.send(datagram);
  }
}
