import { GatewayError } from '../errors.js';
import type { Logger } from '../log/logger.js';
import type { Clock } from '../time/clock.js';
import type { Scheduler } from '../time/scheduler.js';
import {
  buildCancel, DEFAULT_SIP_TIMERS, InviteClientTransaction, type ClientTransactionUser, type SipTimerValues,
} from './client-transactions.js';
import { DEFAULT_FLOOD_LIMITS, InviteFloodGuard, type FloodLimits } from './flood-guard.js';
import { formatVia, parseVia } from './header-values.js';
import { newBranch, newTag } from './identifiers.js';
import { IncomingRequest } from './incoming-request.js';
import { callIdOf, createResponse, cseqOf, type SipMessage, type SipRequest, type SipResponse } from './message.js';
import { InviteServerTransaction, type NonInviteServerTransaction } from './server-transactions.js';
import { TcpSipTransport } from './tcp-transport.js';
import { TransactionLayer, type ClientTransaction, type ServerTransaction } from './transaction-layer.js';
import {
  emptyTransportCounters, type SipListenAddress, type SipPeer, type SipTransport, type SipTransportCounters,
  type SipTransportProtocol,
} from './transport.js';
import { UdpSipTransport } from './udp-transport.js';
import { paramValue, withParam, type SipUri } from './uri.js';

export interface SipEndpointOptions {
  readonly udp?: SipListenAddress;
  readonly tcp?: SipListenAddress;
  /** Host written into our Via and Contact; needed when listening on a wildcard address. */
  readonly advertisedHost?: string;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly scheduler: Scheduler;
  readonly flood?: Partial<FloodLimits>;
  /** Sources the INVITE flood guard never holds back (the trunk: a burst of calls is callers). */
  readonly floodExempt?: (sourceAddress: string) => boolean;
  readonly timers?: Partial<SipTimerValues>;
}

export interface OutgoingRequest {
  /** The request as sent, with our Via. */
  readonly request: SipRequest;
  readonly destination: SipPeer;
  /** The first final response; rejects with GatewayError HGW_SIP_TIMEOUT or HGW_SIP_TRANSPORT. */
  readonly final: Promise<SipResponse>;
  /** Every response: provisional, final, and 2xx retransmissions (already re-ACKed if sendAck was used). */
  onResponse(listener: (response: SipResponse) => void): () => void;
  /** INVITE only: sends CANCEL once a provisional response has arrived (at once if one has). */
  cancel(): void;
}

export type SipEndpointCounters = SipTransportCounters & { clientTransactions: number; serverTransactions: number };

const WILDCARDS = new Set(['0.0.0.0', '::', '']);

/**
 * The UA core: UDP and TCP transports, the transaction layer and the bits of RFC 3261 a
 * back-to-back agent needs around them (100 Trying, CANCEL, 2xx/ACK matching, statelessly
 * answering what cannot be matched). It builds nothing on its own: every request and response
 * content comes from the caller, except the Via this endpoint owns.
 */
export class SipEndpoint {
  readonly #options: SipEndpointOptions;
  readonly #timers: SipTimerValues;
  readonly #transports = new Map<SipTransportProtocol, SipTransport>();
  readonly #requestListeners = new Set<(incoming: IncomingRequest) => void>();
  /** INVITE server transactions whose 2xx awaits its ACK, by Call-ID and CSeq number. */
  readonly #accepted = new Map<string, InviteServerTransaction>();
  /** ACKs we sent for 2xx responses, to resend when the 2xx is retransmitted. */
  readonly #sentAcks = new Map<string, { ack: SipRequest; destination: SipPeer; forget: () => void }>();
  /** The incoming request a CANCEL's INVITE transaction belongs to. */
  readonly #incoming = new WeakMap<ServerTransaction, IncomingRequest>();
  readonly #layer: TransactionLayer;
  #started = false;

  constructor(options: SipEndpointOptions) {
    if (!options.udp && !options.tcp) throw new TypeError('SipEndpoint: configure a udp or tcp listen address');
    for (const listen of [options.udp, options.tcp]) {
      if (listen && WILDCARDS.has(listen.host) && !options.advertisedHost) {
        throw new TypeError('SipEndpoint: advertisedHost is required when listening on a wildcard address');
      }
    }
    this.#options = options;
    this.#timers = { ...DEFAULT_SIP_TIMERS, ...options.timers };
    this.#layer = new TransactionLayer({
      scheduler: options.scheduler,
      timers: this.#timers,
      logger: options.logger,
      transports: this.#transports,
      user: {
        request: (transaction) => this.#receiveRequest(transaction),
        cancel: (cancel, invite) => this.#receiveCancel(cancel, invite),
        ack: (ack) => this.#receiveDialogAck(ack),
        strayResponse: (response) => this.#receiveStrayResponse(response),
        unmatchable: (request, source) => this.#answerStatelessly(createResponse(request, 400), source),
      },
    });
  }

  async start(): Promise<void> {
    if (this.#started) return;
    const floodGuard = new InviteFloodGuard({ ...DEFAULT_FLOOD_LIMITS, ...this.#options.flood }, this.#options.clock, this.#options.logger, this.#options.floodExempt);
    const { udp, tcp, logger } = this.#options;
    if (udp) this.#transports.set('udp', new UdpSipTransport({ listen: udp, logger, floodGuard }));
    if (tcp) this.#transports.set('tcp', new TcpSipTransport({ listen: tcp, logger, floodGuard }));
    try {
      for (const transport of this.#transports.values()) {
        await transport.start();
        transport.on('message', (message, source) => this.#receive(message, source));
      }
    } catch (error) {
      await this.stop();
      throw error;
    }
    this.#started = true;
    logger.info({ udpPort: udp ? this.localAddress('udp').port : undefined, tcpPort: tcp ? this.localAddress('tcp').port : undefined }, 'SIP endpoint listening');
  }

  async stop(): Promise<void> {
    this.#started = false;
    this.#layer.clear();
    for (const entry of this.#sentAcks.values()) entry.forget();
    this.#sentAcks.clear();
    this.#accepted.clear();
    const transports = [...this.#transports.values()];
    this.#transports.clear();
    await Promise.all(transports.map((transport) => transport.close()));
  }

  localAddress(protocol: SipTransportProtocol): SipListenAddress {
    const transport = this.#transports.get(protocol);
    if (!transport) throw new GatewayError('HGW_SIP_TRANSPORT', `no ${protocol} transport configured`);
    return transport.localAddress();
  }

  /** A Contact URI for this endpoint on `protocol`, with an optional user part. */
  contactUri(protocol: SipTransportProtocol, user?: string): SipUri {
    const { port } = this.localAddress(protocol);
    return {
      scheme: 'sip',
      ...(user !== undefined ? { user } : {}),
      host: this.#advertisedHost(protocol),
      port,
      params: protocol === 'tcp' ? [['transport', 'tcp']] : [],
      headers: [],
    };
  }

  onRequest(listener: (incoming: IncomingRequest) => void): () => void {
    this.#requestListeners.add(listener);
    return () => this.#requestListeners.delete(listener);
  }

  /** Sends a request (not ACK, not CANCEL) in a new client transaction with a fresh branch. */
  request(request: SipRequest, destination: SipPeer): OutgoingRequest {
    if (request.method === 'ACK' || request.method === 'CANCEL') throw new TypeError(`use ${request.method === 'ACK' ? 'sendAck' : 'cancel'} for ${request.method}`);
    const sent = this.#withOwnVia(request, destination.transport);
    const listeners = new Set<(response: SipResponse) => void>();
    let settle: { resolve: (response: SipResponse) => void; reject: (error: GatewayError) => void } | undefined;
    const final = new Promise<SipResponse>((resolve, reject) => {
      settle = { resolve, reject };
    });
    final.catch(() => undefined);
    let cancelWanted = false;
    let transaction: ClientTransaction | undefined;
    const sendCancel = (): void => {
      if (!(transaction instanceof InviteClientTransaction)) return;
      transaction.restartTimeout();
      this.#layer.sendRequest(buildCancel(sent), destination, { response: () => undefined, failure: () => undefined, terminated: () => undefined });
    };
    const user: ClientTransactionUser = {
      response: (response) => {
        if (response.status >= 200 && response.status < 300) this.#resendAckFor(response);
        if (response.status >= 200) settle?.resolve(response);
        else if (cancelWanted && transaction instanceof InviteClientTransaction && transaction.acceptsCancel) {
          cancelWanted = false;
          sendCancel();
        }
        for (const listener of [...listeners]) this.#safely(() => listener(response));
      },
      failure: (error) => settle?.reject(error),
      terminated: () => undefined,
    };
    transaction = this.#layer.sendRequest(sent, destination, user);
    return {
      request: sent,
      destination,
      final,
      onResponse: (listener) => {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
      cancel: () => {
        if (!(transaction instanceof InviteClientTransaction) || !transaction.awaitingFinal) return;
        if (transaction.acceptsCancel) sendCancel();
        else cancelWanted = true;
      },
    };
  }

  /** Sends the ACK for a 2xx (no transaction, fresh branch); it is resent if the 2xx comes again. */
  async sendAck(ack: SipRequest, destination: SipPeer): Promise<void> {
    if (ack.method !== 'ACK') throw new TypeError('sendAck sends ACK requests only');
    const sent = this.#withOwnVia(ack, destination.transport);
    const key = dialogKey(sent);
    this.#sentAcks.get(key)?.forget();
    const forget = this.#options.scheduler.after(64 * this.#timers.t1, () => this.#sentAcks.delete(key));
    this.#sentAcks.set(key, { ack: sent, destination, forget: () => { forget(); this.#sentAcks.delete(key); } });
    await this.#send(sent, destination);
  }

  counters(): SipEndpointCounters {
    const total = emptyTransportCounters();
    for (const transport of this.#transports.values()) {
      const counters = transport.counters();
      for (const name of Object.keys(total) as Array<keyof SipTransportCounters>) total[name] += counters[name];
    }
    const { clients, servers } = this.#layer.size;
    return { ...total, clientTransactions: clients, serverTransactions: servers };
  }

  #advertisedHost(protocol: SipTransportProtocol): string {
    if (this.#options.advertisedHost) return this.#options.advertisedHost;
    const host = this.localAddress(protocol).host;
    return host.includes(':') ? `[${host}]` : host;
  }

  #withOwnVia(request: SipRequest, protocol: SipTransportProtocol): SipRequest {
    const headers = request.headers.clone();
    headers.delete('Via');
    headers.prepend('Via', formatVia({
      transport: protocol.toUpperCase(),
      host: this.#advertisedHost(protocol),
      port: this.localAddress(protocol).port,
      params: [['branch', newBranch()], ['rport', undefined]],
    }));
    return { ...request, headers };
  }

  #send(message: SipMessage, destination: SipPeer): Promise<void> {
    const transport = this.#transports.get(destination.transport);
    if (!transport) return Promise.reject(new GatewayError('HGW_SIP_TRANSPORT', `no ${destination.transport} transport configured`));
    return transport.send(message, destination);
  }

  #answerStatelessly(response: SipResponse, destination: SipPeer): void {
    this.#send(response, destination).catch(() => undefined);
  }

  #receive(message: SipMessage, source: SipPeer): void {
    this.#safely(() => {
      if (message.kind === 'request') markReceived(message, source);
      this.#layer.receive(message, source);
    });
  }

  #receiveRequest(transaction: ServerTransaction): void {
    const key = dialogKey(transaction.request);
    const incoming = new IncomingRequest(transaction, this.#options.logger, {
      final: (response) => {
        if (transaction instanceof InviteServerTransaction && response.status < 300) this.#accepted.set(key, transaction);
      },
      terminated: () => {
        if (this.#accepted.get(key) === transaction) this.#accepted.delete(key);
      },
    });
    this.#incoming.set(transaction, incoming);
    if (transaction instanceof InviteServerTransaction) incoming.respond(100);
    if (this.#requestListeners.size === 0) {
      incoming.respond(501);
      return;
    }
    for (const listener of [...this.#requestListeners]) this.#safely(() => listener(incoming));
  }

  #receiveCancel(cancel: NonInviteServerTransaction, invite: InviteServerTransaction | undefined): void {
    if (!invite || invite.finalSent) {
      cancel.respond(createResponse(cancel.request, invite ? 200 : 481, { toTag: newTag() }));
      return;
    }
    const incoming = this.#incoming.get(invite);
    cancel.respond(createResponse(cancel.request, 200, { toTag: incoming?.toTag }));
    if (incoming) incoming.respond(487);
    else invite.respond(createResponse(invite.request, 487));
    incoming?.emit('cancel');
  }

  #receiveDialogAck(ack: SipRequest): void {
    const transaction = this.#accepted.get(dialogKey(ack));
    if (transaction) transaction.receiveAck(ack);
    else this.#options.logger.debug('SIP ACK matched no transaction');
  }

  #receiveStrayResponse(response: SipResponse): void {
    if (response.status >= 200 && response.status < 300 && cseqOf(response).method === 'INVITE') this.#resendAckFor(response);
  }

  #resendAckFor(response: SipResponse): void {
    const sent = this.#sentAcks.get(dialogKey(response));
    if (sent) this.#send(sent.ack, sent.destination).catch(() => undefined);
  }

  #safely(task: () => void): void {
    try {
      task();
    } catch (error) {
      this.#options.logger.error({ err: error instanceof Error ? error.message : 'unknown' }, 'SIP listener failed');
    }
  }
}

function dialogKey(message: SipMessage): string {
  return `${callIdOf(message)}|${cseqOf(message).sequence}`;
}

/** RFC 3581 / §18.2.1: note where the request really came from, in its top Via. */
function markReceived(request: SipRequest, source: SipPeer): void {
  const top = request.headers.get('Via');
  if (top === undefined) return;
  const via = parseVia(top);
  let params = via.params;
  if (paramValue(params, 'rport') !== undefined) params = withParam(params, 'rport', String(source.port));
  if (via.host.replace(/^\[|\]$/g, '') !== source.address || params !== via.params) params = withParam(params, 'received', source.address);
  if (params === via.params) return;
  request.headers.shift('Via');
  request.headers.prepend('Via', formatVia({ ...via, params }));
}
