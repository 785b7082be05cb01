import { GatewayError } from '../errors.js';
import { TimerSet, type TransactionContext } from './client-transactions.js';
import type { SipRequest, SipResponse } from './message.js';
import type { SipPeer } from './transport.js';

export interface ServerTransactionUser {
  /** The ACK that confirmed a final response (for a 2xx it may carry the SDP answer). */
  acknowledged(ack: SipRequest): void;
  /** Timer H: the final response was never acknowledged. */
  unacknowledged(error: GatewayError): void;
  terminated(): void;
}

const IGNORING_USER: ServerTransactionUser = { acknowledged: () => undefined, unacknowledged: () => undefined, terminated: () => undefined };

type ServerState = 'trying' | 'proceeding' | 'completed' | 'accepted' | 'confirmed' | 'terminated';

abstract class ServerTransaction {
  readonly request: SipRequest;
  readonly source: SipPeer;
  protected readonly context: TransactionContext;
  protected user: ServerTransactionUser = IGNORING_USER;
  readonly #onTerminated: () => void;
  protected readonly timers: TimerSet;
  protected state: ServerState = 'trying';
  protected lastResponse: SipResponse | undefined;

  /** `onTerminated` is the transaction layer's: it forgets the transaction. */
  constructor(request: SipRequest, source: SipPeer, context: TransactionContext, onTerminated: () => void) {
    this.request = request;
    this.source = source;
    this.context = context;
    this.#onTerminated = onTerminated;
    this.timers = new TimerSet(context.scheduler);
  }

  /** The user (the endpoint's incoming request) is attached after the layer has matched the request. */
  attach(user: ServerTransactionUser): void {
    this.user = user;
  }

  get finalSent(): boolean {
    return this.state !== 'trying' && this.state !== 'proceeding';
  }

  get terminated(): boolean {
    return this.state === 'terminated';
  }

  abstract respond(response: SipResponse): void;
  abstract receiveRetransmission(): void;

  protected transmit(response: SipResponse): void {
    this.context.send(response, this.source).catch(() => undefined);
  }

  terminate(): void {
    if (this.state === 'terminated') return;
    this.state = 'terminated';
    this.timers.clear();
    this.#onTerminated();
    this.user.terminated();
  }
}

/**
 * RFC 3261 §17.2.1 with the RFC 6026 Accepted state: a final response, 2xx included, is resent
 * on timer G over UDP until its ACK arrives or timer H gives up; retransmitted INVITEs are absorbed
 * by resending the last response.
 */
export class InviteServerTransaction extends ServerTransaction {
  protected override state: ServerState = 'proceeding';

  respond(response: SipResponse): void {
    if (this.state !== 'proceeding') throw new GatewayError('HGW_SIP_TRANSPORT', 'INVITE already has a final response');
    this.lastResponse = response;
    this.transmit(response);
    if (response.status < 200) return;
    const { t1 } = this.context.timers;
    this.state = response.status < 300 ? 'accepted' : 'completed';
    if (!this.context.reliable) this.#scheduleRetransmit(response, t1);
    this.timers.start('H', 64 * t1, () => {
      this.user.unacknowledged(new GatewayError('HGW_SIP_TIMEOUT', 'final response to INVITE never acknowledged (timer H)'));
      this.terminate();
    });
  }

  #scheduleRetransmit(response: SipResponse, interval: number): void {
    this.timers.start('G', interval, () => {
      if (this.state !== 'completed' && this.state !== 'accepted') return;
      this.transmit(response);
      this.#scheduleRetransmit(response, Math.min(interval * 2, this.context.timers.t2));
    });
  }

  receiveRetransmission(): void {
    if (this.lastResponse && this.state !== 'confirmed' && this.state !== 'terminated') this.transmit(this.lastResponse);
  }

  /** An ACK: for a non-2xx it matched by branch; for a 2xx the endpoint matched it by dialog. */
  receiveAck(ack: SipRequest): void {
    if (this.state === 'completed') {
      this.state = 'confirmed';
      this.timers.clear();
      this.user.acknowledged(ack);
      this.timers.start('I', this.context.reliable ? 0 : this.context.timers.t4, () => this.terminate());
    } else if (this.state === 'accepted') {
      this.user.acknowledged(ack);
      this.terminate();
    }
  }

  get isAccepted(): boolean {
    return this.state === 'accepted';
  }
}

/** RFC 3261 §17.2.2. */
export class NonInviteServerTransaction extends ServerTransaction {
  respond(response: SipResponse): void {
    if (this.finalSent) throw new GatewayError('HGW_SIP_TRANSPORT', `${this.request.method} already has a final response`);
    this.lastResponse = response;
    this.transmit(response);
    if (response.status < 200) {
      this.state = 'proceeding';
      return;
    }
    this.state = 'completed';
    this.timers.start('J', this.context.reliable ? 0 : 64 * this.context.timers.t1, () => this.terminate());
  }

  receiveRetransmission(): void {
    if (this.lastResponse && (this.state === 'proceeding' || this.state === 'completed')) this.transmit(this.lastResponse);
  }
}
