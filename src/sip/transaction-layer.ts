import { GatewayError } from '../errors.js';
import type { Logger } from '../log/logger.js';
import type { Scheduler } from '../time/scheduler.js';
import {
  InviteClientTransaction, NonInviteClientTransaction, type ClientTransactionUser, type SipTimerValues,
  type TransactionContext,
} from './client-transactions.js';
import { BRANCH_MAGIC_COOKIE, branchOf, cseqOf, topViaOf, type SipMessage, type SipRequest, type SipResponse } from './message.js';
import { InviteServerTransaction, NonInviteServerTransaction } from './server-transactions.js';
import type { SipPeer, SipTransport, SipTransportProtocol } from './transport.js';

export type ServerTransaction = InviteServerTransaction | NonInviteServerTransaction;
export type ClientTransaction = InviteClientTransaction | NonInviteClientTransaction;

/** What the layer hands up to the endpoint. */
export interface TransactionLayerUser {
  /** A new request (not a retransmission, not an ACK, not a CANCEL) with its server transaction. */
  request(transaction: ServerTransaction): void;
  /** A CANCEL with its own transaction, and the INVITE transaction it cancels, if one matched. */
  cancel(cancel: NonInviteServerTransaction, invite: InviteServerTransaction | undefined): void;
  /** An ACK that matched no transaction by branch: the ACK for a 2xx, matched by dialog. */
  ack(ack: SipRequest, source: SipPeer): void;
  /** A response that matched no client transaction (a 2xx retransmitted after the transaction ended). */
  strayResponse(response: SipResponse, source: SipPeer): void;
  /** A request without an RFC 3261 branch: answered 400 by the endpoint. */
  unmatchable(request: SipRequest, source: SipPeer): void;
}

export interface TransactionLayerOptions {
  readonly scheduler: Scheduler;
  readonly timers: SipTimerValues;
  readonly logger: Logger;
  readonly transports: ReadonlyMap<SipTransportProtocol, SipTransport>;
  readonly user: TransactionLayerUser;
}

/** Matches messages to transactions by branch (RFC 3261 §17.1.3, §17.2.3) and keeps them until they end. */
export class TransactionLayer {
  readonly #options: TransactionLayerOptions;
  readonly #clients = new Map<string, ClientTransaction>();
  readonly #servers = new Map<string, ServerTransaction>();

  constructor(options: TransactionLayerOptions) {
    this.#options = options;
  }

  get size(): { clients: number; servers: number } {
    return { clients: this.#clients.size, servers: this.#servers.size };
  }

  context(peer: SipPeer): TransactionContext {
    const transport = this.#options.transports.get(peer.transport);
    return {
      scheduler: this.#options.scheduler,
      timers: this.#options.timers,
      reliable: transport?.reliable ?? false,
      send: (message, destination) => transport
        ? transport.send(message, destination)
        : Promise.reject(new GatewayError('HGW_SIP_TRANSPORT', `no ${peer.transport} transport configured`)),
    };
  }

  /** Starts a client transaction for `request`, whose top Via must carry a fresh branch. */
  sendRequest(request: SipRequest, peer: SipPeer, user: ClientTransactionUser): ClientTransaction {
    const key = clientKey(request);
    if (this.#clients.has(key)) throw new GatewayError('HGW_SIP_TRANSPORT', 'branch already in use');
    const tracked: ClientTransactionUser = {
      response: (response) => user.response(response),
      failure: (error) => user.failure(error),
      terminated: () => {
        if (this.#clients.get(key) === transaction) this.#clients.delete(key);
        user.terminated();
      },
    };
    const context = this.context(peer);
    const transaction = request.method === 'INVITE'
      ? new InviteClientTransaction(request, peer, context, tracked)
      : new NonInviteClientTransaction(request, peer, context, tracked);
    this.#clients.set(key, transaction);
    transaction.start();
    return transaction;
  }

  receive(message: SipMessage, source: SipPeer): void {
    if (message.kind === 'response') this.#receiveResponse(message, source);
    else this.#receiveRequest(message, source);
  }

  /** Ends every transaction and its timers, without sending anything. */
  clear(): void {
    for (const transaction of [...this.#clients.values()]) transaction.terminate();
    for (const transaction of [...this.#servers.values()]) transaction.terminate();
    this.#clients.clear();
    this.#servers.clear();
  }

  #receiveResponse(response: SipResponse, source: SipPeer): void {
    const transaction = this.#clients.get(clientKey(response));
    if (transaction) transaction.receive(response);
    else this.#options.user.strayResponse(response, source);
  }

  #receiveRequest(request: SipRequest, source: SipPeer): void {
    const via = topViaOf(request);
    const branch = branchOf(via);
    if (!branch?.startsWith(BRANCH_MAGIC_COOKIE)) {
      if (request.method !== 'ACK') this.#options.user.unmatchable(request, source);
      return;
    }
    const sentBy = `${via.host.toLowerCase()}:${via.port ?? ''}`;
    if (request.method === 'ACK') {
      const invite = this.#servers.get(`${branch}|${sentBy}|INVITE`);
      if (invite instanceof InviteServerTransaction && !invite.isAccepted) invite.receiveAck(request);
      else this.#options.user.ack(request, source);
      return;
    }
    const key = `${branch}|${sentBy}|${request.method}`;
    const existing = this.#servers.get(key);
    if (existing) {
      existing.receiveRetransmission();
      return;
    }
    const context = this.context(source);
    const forget = (): void => {
      if (this.#servers.get(key) === transaction) this.#servers.delete(key);
    };
    const transaction: ServerTransaction = request.method === 'INVITE'
      ? new InviteServerTransaction(request, source, context, forget)
      : new NonInviteServerTransaction(request, source, context, forget);
    this.#servers.set(key, transaction);
    if (request.method === 'CANCEL') {
      const invite = this.#servers.get(`${branch}|${sentBy}|INVITE`);
      this.#options.user.cancel(transaction as NonInviteServerTransaction, invite instanceof InviteServerTransaction ? invite : undefined);
      return;
    }
    this.#options.user.request(transaction);
  }
}

function clientKey(message: SipMessage): string {
  return `${branchOf(topViaOf(message)) ?? ''}|${cseqOf(message).method}`;
}
