import type { SipMessage } from './message.js';

export type SipTransportProtocol = 'udp' | 'tcp';

/** Where a message came from or goes to. Addresses are phones' and trunks' IPs: debug logs only. */
export interface SipPeer {
  readonly transport: SipTransportProtocol;
  readonly address: string;
  readonly port: number;
}

export interface SipListenAddress {
  readonly host: string;
  /** 0 picks a free port; `localAddress()` tells which. */
  readonly port: number;
}

/** Health counters; never content, never addresses. */
export interface SipTransportCounters {
  received: number;
  sent: number;
  malformed: number;
  oversized: number;
  floodDropped: number;
  /** TCP streams closed for exceeding the limit or losing framing, or refused at the connection cap. */
  streamsClosed: number;
}

export function emptyTransportCounters(): SipTransportCounters {
  return { received: 0, sent: 0, malformed: 0, oversized: 0, floodDropped: 0, streamsClosed: 0 };
}

export type SipMessageListener = (message: SipMessage, source: SipPeer) => void;

/** UDP and TCP look alike to the transaction layer. */
export interface SipTransport {
  readonly protocol: SipTransportProtocol;
  /** TCP: no retransmission timers. */
  readonly reliable: boolean;
  start(): Promise<void>;
  /** The bound address and port (after start). */
  localAddress(): SipListenAddress;
  /** Rejects with GatewayError HGW_SIP_TRANSPORT (unreachable, closed) or HGW_SIP_TOO_LARGE. */
  send(message: SipMessage, destination: SipPeer): Promise<void>;
  on(event: 'message', listener: SipMessageListener): () => void;
  close(): Promise<void>;
  counters(): Readonly<SipTransportCounters>;
}

/** `::ffff:192.0.2.1` and `192.0.2.1` are the same peer. */
export function canonicalAddress(address: string): string {
  return address.toLowerCase().startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}
