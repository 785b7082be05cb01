import { connect, createServer, type Server, type Socket } from 'node:net';
import { GatewayError } from '../errors.js';
import type { Logger } from '../log/logger.js';
import type { InviteFloodGuard } from './flood-guard.js';
import { transportIngress, type SipIngress } from './ingress.js';
import type { SipMessage } from './message.js';
import { TCP_PARSE_LIMITS } from './parser.js';
import { serializeSipMessage } from './serializer.js';
import { SipStreamFramer } from './stream-framer.js';
import {
  canonicalAddress, emptyTransportCounters, type SipListenAddress, type SipMessageListener, type SipPeer,
  type SipTransport, type SipTransportCounters,
} from './transport.js';

export interface TcpTransportOptions {
  readonly listen: SipListenAddress;
  readonly logger: Logger;
  readonly floodGuard: InviteFloodGuard;
  /** Connections beyond this are refused at once (counted in streamsClosed). */
  readonly maxConnections?: number;
  /** A connection with no traffic for this long is closed. */
  readonly idleTimeoutMs?: number;
}

interface Connection {
  readonly socket: Socket;
  readonly ready: Promise<void>;
}

/**
 * SIP over TCP: a listening server plus outbound connections, one per peer address and port and
 * reused both ways, so a response goes back on the connection its request came in on.
 */
export class TcpSipTransport implements SipTransport {
  readonly protocol = 'tcp';
  readonly reliable = true;
  readonly #options: TcpTransportOptions;
  readonly #counters = emptyTransportCounters();
  readonly #listeners = new Set<SipMessageListener>();
  readonly #connections = new Map<string, Connection>();
  readonly #ingress: SipIngress;
  #server: Server | undefined;

  constructor(options: TcpTransportOptions) {
    this.#options = options;
    this.#ingress = transportIngress(TCP_PARSE_LIMITS, this.#counters, options, (response, destination) => this.send(response, destination));
  }

  async start(): Promise<void> {
    if (this.#server) return;
    const server = createServer((socket) => this.#adopt(socket, Promise.resolve()));
    server.on('error', (error) => this.#options.logger.warn({ err: error.message }, 'SIP TCP server error'));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.#options.listen.port, this.#options.listen.host, () => {
        server.off('error', reject);
        resolve();
      });
    }).catch((error: unknown) => {
      server.close();
      throw new GatewayError('HGW_SIP_TRANSPORT', 'cannot listen on the SIP TCP port', { cause: error });
    });
    this.#server = server;
  }

  localAddress(): SipListenAddress {
    const bound = this.#server?.address();
    if (!bound || typeof bound === 'string') throw new GatewayError('HGW_SIP_TRANSPORT', 'SIP TCP transport not started');
    return { host: bound.address, port: bound.port };
  }

  async send(message: SipMessage, destination: SipPeer): Promise<void> {
    if (!this.#server) throw new GatewayError('HGW_SIP_TRANSPORT', 'SIP TCP transport not started');
    const bytes = serializeSipMessage(message);
    if (bytes.length > TCP_PARSE_LIMITS.maxMessageBytes) throw new GatewayError('HGW_SIP_TOO_LARGE', 'SIP message too large for TCP');
    const connection = this.#connections.get(peerKey(destination.address, destination.port)) ?? this.#dial(destination);
    await connection.ready;
    await new Promise<void>((resolve, reject) => {
      connection.socket.write(bytes, (error) => {
        if (error) reject(new GatewayError('HGW_SIP_TRANSPORT', 'SIP TCP send failed', { cause: error }));
        else resolve();
      });
    });
    this.#counters.sent++;
  }

  on(_event: 'message', listener: SipMessageListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async close(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    this.#listeners.clear();
    for (const connection of this.#connections.values()) connection.socket.destroy();
    this.#connections.clear();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  counters(): Readonly<SipTransportCounters> {
    return { ...this.#counters };
  }

  #dial(destination: SipPeer): Connection {
    const socket = connect({ host: destination.address, port: destination.port });
    const ready = new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', (error) => reject(new GatewayError('HGW_SIP_TRANSPORT', 'SIP TCP connect failed', { cause: error })));
    });
    ready.catch(() => undefined);
    return this.#adopt(socket, ready, peerKey(destination.address, destination.port));
  }

  #adopt(socket: Socket, ready: Promise<void>, dialedKey?: string): Connection {
    const connection: Connection = { socket, ready };
    const limit = this.#options.maxConnections ?? 256;
    if (this.#connections.size >= limit) {
      this.#counters.streamsClosed++;
      socket.destroy();
      return connection;
    }
    const key = dialedKey ?? peerKey(socket.remoteAddress ?? '', socket.remotePort ?? 0);
    const source = (): SipPeer => ({ transport: 'tcp', address: canonicalAddress(socket.remoteAddress ?? ''), port: socket.remotePort ?? 0 });
    this.#connections.set(key, connection);
    const framer = new SipStreamFramer(TCP_PARSE_LIMITS.maxMessageBytes);
    socket.setTimeout(this.#options.idleTimeoutMs ?? 300_000, () => socket.destroy());
    socket.on('data', (chunk) => {
      const framed = framer.push(chunk);
      for (const bytes of framed.messages) this.#receive(bytes, source());
      if (framed.fault) {
        if (framed.fault === 'oversized') this.#counters.oversized++;
        else this.#counters.malformed++;
        this.#counters.streamsClosed++;
        this.#options.logger.debug({ fault: framed.fault }, 'SIP TCP stream closed');
        socket.destroy();
      }
    });
    socket.on('error', (error) => this.#options.logger.debug({ err: error.message }, 'SIP TCP connection error'));
    socket.on('close', () => {
      if (this.#connections.get(key) === connection) this.#connections.delete(key);
    });
    return connection;
  }

  #receive(bytes: Buffer, source: SipPeer): void {
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

function peerKey(address: string, port: number): string {
  return `${canonicalAddress(address)}|${port}`;
}
