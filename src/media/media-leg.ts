/**
 * One media leg: a UDP socket on the box, bound on a port pair from the pool, talking RTP with one
 * remote endpoint. The remote address comes from SDP but is latched to the source of the first
 * valid packet (symmetric RTP: a phone behind NAT is reached where its packets come from), and
 * only a source on the SDP's host may be latched unless the leg is configured for any host.
 * Everything arriving on the socket is checked, counted and never thrown past the handler.
 */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { isIP } from 'node:net';
import { GatewayError, isGatewayError } from '../errors.js';
import type { Logger } from '../log/index.js';
import type { Clock, Scheduler } from '../time/index.js';
import type { G711Codec } from './g711.js';
import type { RtpPortPool } from './port-pool.js';
import { parseRtpPacket, type RtpPacket } from './rtp-packet.js';

export interface RtpEndpoint {
  readonly address: string;
  readonly port: number;
}

/** `expected-host` (default): only a source on the SDP's host may be latched; `any-host` lifts that restriction. */
export type LatchPolicy = 'expected-host' | 'any-host';

export interface LegCounters {
  packetsIn: number;
  bytesIn: number;
  packetsOut: number;
  bytesOut: number;
  /** Inbound packets from a source that is not (or not allowed to become) the latched remote, and outbound ones with nowhere to go. */
  dropped: number;
  /** Datagrams that are not RTP. */
  malformed: number;
  /** Socket send/receive errors. */
  errors: number;
}

export interface MediaLegOptions {
  /** Names the leg in logs and callbacks: `outside`, `inside`, `supervisor`. */
  readonly name: string;
  readonly pool: RtpPortPool;
  /** The box's address to bind on (`0.0.0.0`, `::` or one interface). */
  readonly bindAddress: string;
  /** The G.711 law negotiated on this leg; prompts and mixed audio sent into it use it. */
  readonly codec: G711Codec;
  /** From SDP; may also be given later with setRemote(). */
  readonly remote?: RtpEndpoint;
  readonly latch?: LatchPolicy;
  /** Report the leg after this long without a valid packet (0 or absent: never). */
  readonly mediaTimeoutMs?: number;
  readonly onMediaTimeout?: (leg: MediaLeg) => void;
  readonly clock: Clock;
  readonly scheduler: Scheduler;
  readonly logger: Logger;
}

export type RtpPacketListener = (packet: RtpPacket, datagram: Buffer) => void;

const BIND_ATTEMPTS = 16;

/** IPv4-mapped IPv6 and IPv4 are the same host; IPv6 compared in lower case. */
function canonicalHost(address: string): string {
  const lower = address.toLowerCase();
  return lower.startsWith('::ffff:') && isIP(lower.slice(7)) === 4 ? lower.slice(7) : lower;
}

function isUnspecified(address: string): boolean {
  return address === '0.0.0.0' || address === '::';
}

export class MediaLeg {
  readonly name: string;
  readonly counters: LegCounters = { packetsIn: 0, bytesIn: 0, packetsOut: 0, bytesOut: 0, dropped: 0, malformed: 0, errors: 0 };
  readonly #options: MediaLegOptions;
  readonly #logger: Logger;
  readonly #listeners = new Set<RtpPacketListener>();
  #codec: G711Codec;
  #expected: RtpEndpoint | undefined;
  #latched: RtpEndpoint | undefined;
  #socket: Socket | undefined;
  #port = 0;
  #lastPacketAt = 0;
  #timeoutReported = false;
  #cancelTimeoutCheck: (() => void) | undefined;
  #stopped = false;

  constructor(options: MediaLegOptions) {
    this.#options = options;
    this.name = options.name;
    this.#codec = options.codec;
    this.#expected = options.remote ? { address: canonicalHost(options.remote.address), port: options.remote.port } : undefined;
    this.#logger = options.logger.child({ component: 'media', leg: options.name });
  }

  get codec(): G711Codec {
    return this.#codec;
  }

  /** The RTP port to put in SDP; 0 before start(). RTCP (port + 1) is reserved but not relayed. */
  get localPort(): number {
    return this.#port;
  }

  /** Where packets sent into this leg go: the latched source, else the SDP address. */
  get remote(): RtpEndpoint | undefined {
    return this.#latched ?? this.#expected;
  }

  get latched(): boolean {
    return this.#latched !== undefined;
  }

  async start(): Promise<void> {
    if (this.#socket) return;
    if (this.#stopped) throw new Error(`media leg ${this.name} was stopped; make a new one`);
    const { pool, bindAddress } = this.#options;
    let lastError: unknown;
    for (let attempt = 0; attempt < Math.min(BIND_ATTEMPTS, pool.capacity); attempt++) {
      const port = pool.allocate();
      const socket = createSocket({ type: isIP(bindAddress) === 6 ? 'udp6' : 'udp4' });
      try {
        await new Promise<void>((resolve, reject) => {
          socket.once('error', reject);
          socket.bind(port, bindAddress, () => {
            socket.off('error', reject);
            resolve();
          });
        });
      } catch (error) {
        // Someone else on the box holds this port: give it back (to the end of the queue) and try the next.
        lastError = error;
        socket.close();
        pool.release(port);
        continue;
      }
      if (this.#stopped) {
        // stop() ran while the bind was pending: nothing may stay open behind it.
        socket.close();
        pool.release(port);
        return;
      }
      this.#socket = socket;
      this.#port = port;
      socket.on('message', this.#onMessage);
      socket.on('error', this.#onSocketError);
      this.#lastPacketAt = this.#options.clock.now();
      this.#armTimeoutCheck(this.#options.mediaTimeoutMs ?? 0);
      this.#logger.debug({ port }, 'media leg bound');
      return;
    }
    if (isGatewayError(lastError)) throw lastError;
    throw new GatewayError('HGW_MEDIA_PORTS_EXHAUSTED', `no bindable RTP port for leg ${this.name} after ${BIND_ATTEMPTS} attempts`, { cause: lastError });
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#cancelTimeoutCheck?.();
    this.#cancelTimeoutCheck = undefined;
    this.#listeners.clear();
    const socket = this.#socket;
    this.#socket = undefined;
    if (!socket) return;
    socket.off('message', this.#onMessage);
    await new Promise<void>((resolve) => socket.close(() => resolve()));
    socket.off('error', this.#onSocketError);
    this.#options.pool.release(this.#port);
    this.#logger.debug({ port: this.#port, counters: { ...this.counters } }, 'media leg closed');
  }

  /** A new SDP address (answer or re-INVITE): the latch starts over. */
  setRemote(remote: RtpEndpoint | undefined): void {
    this.#expected = remote ? { address: canonicalHost(remote.address), port: remote.port } : undefined;
    this.#latched = undefined;
  }

  setCodec(codec: G711Codec): void {
    this.#codec = codec;
  }

  /** Every valid RTP packet from the remote; returns the function that removes the listener. */
  onPacket(listener: RtpPacketListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Sends one datagram to the remote; false (and counted as dropped) when there is none yet. */
  send(datagram: Uint8Array): boolean {
    const target = this.#latched ?? this.#expected;
    const socket = this.#socket;
    if (!socket || !target || target.port === 0 || isUnspecified(target.address)) {
      this.counters.dropped++;
      return false;
    }
    socket.send(datagram, target.port, target.address);
    this.counters.packetsOut++;
    this.counters.bytesOut += datagram.length;
    return true;
  }

  readonly #onMessage = (datagram: Buffer, source: RemoteInfo): void => {
    const counters = this.counters;
    const parsed = parseRtpPacket(datagram);
    if (!parsed.ok) {
      counters.malformed++;
      return;
    }
    if (!this.#acceptSource(source)) {
      counters.dropped++;
      return;
    }
    counters.packetsIn++;
    counters.bytesIn += datagram.length;
    this.#lastPacketAt = this.#options.clock.now();
    if (this.#timeoutReported) {
      this.#timeoutReported = false;
      this.#armTimeoutCheck(this.#options.mediaTimeoutMs ?? 0);
    }
    for (const listener of this.#listeners) {
      try {
        listener(parsed.packet, datagram);
      } catch (error) {
        counters.errors++;
        this.#logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'media packet listener failed');
      }
    }
  };

  readonly #onSocketError = (error: Error): void => {
    this.counters.errors++;
    this.#logger.debug({ err: (error as NodeJS.ErrnoException).code ?? error.name }, 'media socket error');
  };

  #acceptSource(source: RemoteInfo): boolean {
    const host = canonicalHost(source.address);
    const latched = this.#latched;
    if (latched) return latched.port === source.port && latched.address === host;
    if ((this.#options.latch ?? 'expected-host') === 'expected-host') {
      const expected = this.#expected;
      if (!expected || expected.address !== host) return false;
    }
    this.#latched = { address: host, port: source.port };
    // The port moved (NAT) or stayed; either way the address itself is never logged.
    this.#logger.debug({ sdpPortKept: this.#expected?.port === source.port }, 'media leg latched');
    return true;
  }

  #armTimeoutCheck(delayMs: number): void {
    const timeoutMs = this.#options.mediaTimeoutMs ?? 0;
    if (timeoutMs <= 0 || this.#stopped) return;
    this.#cancelTimeoutCheck = this.#options.scheduler.after(delayMs, () => {
      this.#cancelTimeoutCheck = undefined;
      const silentFor = this.#options.clock.now() - this.#lastPacketAt;
      if (silentFor < timeoutMs) {
        this.#armTimeoutCheck(timeoutMs - silentFor);
        return;
      }
      this.#timeoutReported = true;
      this.#logger.info({ silentMs: silentFor }, 'media timeout');
      try {
        this.#options.onMediaTimeout?.(this);
      } catch (error) {
        this.#logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'media timeout callback failed');
      }
    });
  }
}
