import { createSocket, type Socket } from 'node:dgram';
import { GatewayError } from '../errors.js';
import type { Logger } from '../log/logger.js';
import type { InviteFloodGuard } from './flood-guard.js';
import { transportIngress, type SipIngress } from './ingress.js';
import type { SipMessage } from './message.js';
import { UDP_PARSE_LIMITS } from './parser.js';
import { serializeSipMessage } from './serializer.js';
import {
  canonicalAddress, emptyTransportCounters, type SipListenAddress, type SipMessageListener, type SipPeer,
  type SipTransport, type SipTransportCounters,
} from './transport.js';

export interface UdpTransportOptions {
  readonly listen: SipListenAddress;
  readonly logger: Logger;
  readonly floodGuard: InviteFloodGuard;
}

/** SIP over UDP: one datagram, one message, at most 16 KiB either way. */
export class UdpSipTransport implements SipTransport {
  readonly protocol = 'udp';
  readonly reliable = false;
  readonly #options: UdpTransportOptions;
  readonly #counters = emptyTransportCounters();
  readonly #listeners = new Set<SipMessageListener>();
  readonly #ingress: SipIngress;
  #socket: Socket | undefined;

  constructor(options: UdpTransportOptions) {
    this.#options = options;
    this.#ingress = transportIngress(UDP_PARSE_LIMITS, this.#counters, options, (response, destination) => this.send(response, destination));
  }

  async start(): Promise<void> {
    if (this.#socket) return;
    const socket = createSocket({ type: this.#options.listen.host.includes(':') ? 'udp6' : 'udp4' });
    socket.on('message', (bytes, remote) => this.#receive(bytes, remote.address, remote.port));
    // ICMP unreachable and the like: the transaction's own timers deal with the silence.
    socket.on('error', (error) => this.#options.logger.debug({ err: error.message }, 'SIP UDP socket error'));
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(this.#options.listen.port, this.#options.listen.host, () => {
        socket.off('error', reject);
        resolve();
      });
    }).catch((error: unknown) => {
      socket.close();
      throw new GatewayError('HGW_SIP_TRANSPORT', 'cannot bind the SIP UDP port', { cause: error });
    });
    this.#socket = socket;
  }

  localAddress(): SipListenAddress {
    if (!this.#socket) throw new GatewayError('HGW_SIP_TRANSPORT', 'SIP UDP transport not started');
    const bound = this.#socket.address();
    return { host: bound.address, port: bound.port };
  }

  send(message: SipMessage, destination: SipPeer): Promise<void> {
    const socket = this.#socket;
    if (!socket) return Promise.reject(new GatewayError('HGW_SIP_TRANSPORT', 'SIP UDP transport not started'));
    const bytes = serializeSipMessage(message);
    if (bytes.length > UDP_PARSE_LIMITS.maxMessageBytes) {
      return Promise.reject(new GatewayError('HGW_SIP_TOO_LARGE', 'SIP message too large for UDP'));
    }
    return new Promise((resolve, reject) => {
      socket.send(bytes, destination.port, destination.address, (error) => {
        if (error) {
          reject(new GatewayError('HGW_SIP_TRANSPORT', 'SIP UDP send failed', { cause: error }));
          return;
        }
        this.#counters.sent++;
        resolve();
      });
    });
  }

  on(_event: 'message', listener: SipMessageListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async close(): Promise<void> {
    const socket = this.#socket;
    this.#socket = undefined;
    this.#listeners.clear();
    if (socket) await new Promise<void>((resolve) => socket.close(() => resolve()));
  }

  counters(): Readonly<SipTransportCounters> {
    return { ...this.#counters };
  }

  #receive(bytes: Buffer, address: string, port: number): void {
    const source: SipPeer = { transport: 'udp', address: canonicalAddress(address), port };
    const message = this.#ingress.accept(bytes, source);
    if (!message) return;
    for (const listener of [...this.#listeners]) {
      try {
        listener(message, source);
      } catch (error) {
        this.#options.logger.error({ err: error instanceof Error ? error.message : 'unknown' }, 'SIP message listener failed');
      }
    }
  }
}
