import { GatewayError } from '../errors.js';
import type { Scheduler } from '../time/scheduler.js';
import { SipHeaders } from './headers.js';
import { cseqOf, type SipRequest, type SipResponse } from './message.js';
import type { SipPeer } from './transport.js';

/** RFC 3261 §17 timer bases, in milliseconds. */
export interface SipTimerValues {
  readonly t1: number;
  readonly t2: number;
  readonly t4: number;
}

export const DEFAULT_SIP_TIMERS: SipTimerValues = { t1: 500, t2: 4000, t4: 5000 };

/** What a transaction needs from the layer around it. */
export interface TransactionContext {
  readonly scheduler: Scheduler;
  readonly timers: SipTimerValues;
  /** Sends on the peer's transport; a failure is reported back through `failure`. */
  readonly send: (message: SipRequest | SipResponse, peer: SipPeer) => Promise<void>;
  readonly reliable: boolean;
}

export interface ClientTransactionUser {
  /** Every response the transaction user must see: provisional, final, and retransmitted 2xx to an INVITE. */
  response(response: SipResponse): void;
  /** Timer B/F fired, or the transport failed: GatewayError HGW_SIP_TIMEOUT or HGW_SIP_TRANSPORT. */
  failure(error: GatewayError): void;
  terminated(): void;
}

type ClientState = 'calling' | 'proceeding' | 'completed' | 'accepted' | 'terminated';

/** Timers a transaction owns; `clear` cancels them all. */
export class TimerSet {
  readonly #scheduler: Scheduler;
  readonly #cancels = new Map<string, () => void>();

  constructor(scheduler: Scheduler) {
    this.#scheduler = scheduler;
  }

  start(name: string, milliseconds: number, task: () => void): void {
    this.stop(name);
    this.#cancels.set(name, this.#scheduler.after(milliseconds, () => {
      this.#cancels.delete(name);
      task();
    }));
  }

  stop(name: string): void {
    this.#cancels.get(name)?.();
    this.#cancels.delete(name);
  }

  clear(): void {
    for (const cancel of this.#cancels.values()) cancel();
    this.#cancels.clear();
  }
}

/** Shared by INVITE and non-INVITE client transactions. */
abstract class ClientTransaction {
  readonly request: SipRequest;
  readonly peer: SipPeer;
  protected readonly context: TransactionContext;
  protected readonly user: ClientTransactionUser;
  protected readonly timers: TimerSet;
  protected state: ClientState = 'calling';

  constructor(request: SipRequest, peer: SipPeer, context: TransactionContext, user: ClientTransactionUser) {
    this.request = request;
    this.peer = peer;
    this.context = context;
    this.user = user;
    this.timers = new TimerSet(context.scheduler);
  }

  get terminated(): boolean {
    return this.state === 'terminated';
  }

  abstract start(): void;
  abstract receive(response: SipResponse): void;

  protected transmit(message: SipRequest): void {
    this.context.send(message, this.peer).catch((error: unknown) => {
      if (this.state === 'calling' || this.state === 'proceeding') {
        this.fail(error instanceof GatewayError ? error : new GatewayError('HGW_SIP_TRANSPORT', 'SIP send failed'));
      }
    });
  }

  protected fail(error: GatewayError): void {
    this.user.failure(error);
    this.terminate();
  }

  terminate(): void {
    if (this.state === 'terminated') return;
    this.state = 'terminated';
    this.timers.clear();
    this.user.terminated();
  }
}

/** RFC 3261 §17.1.1 with the RFC 6026 Accepted state, so retransmitted 2xx still reach the user. */
export class InviteClientTransaction extends ClientTransaction {
  #ack: SipRequest | undefined;

  start(): void {
    const { t1 } = this.context.timers;
    this.transmit(this.request);
    if (!this.context.reliable) this.#scheduleRetransmit(t1);
    this.timers.start('B', 64 * t1, () => this.fail(new GatewayError('HGW_SIP_TIMEOUT', 'no final response to INVITE (timer B)')));
  }

  #scheduleRetransmit(interval: number): void {
    this.timers.start('A', interval, () => {
      if (this.state !== 'calling') return;
      this.transmit(this.request);
      this.#scheduleRetransmit(interval * 2);
    });
  }

  /** Timer B also bounds how long a cancelled INVITE waits for its final response (§9.1). */
  restartTimeout(): void {
    if (this.state !== 'calling' && this.state !== 'proceeding') return;
    this.timers.start('B', 64 * this.context.timers.t1, () => this.fail(new GatewayError('HGW_SIP_TIMEOUT', 'no final response to cancelled INVITE')));
  }

  get acceptsCancel(): boolean {
    return this.state === 'proceeding';
  }

  get awaitingFinal(): boolean {
    return this.state === 'calling' || this.state === 'proceeding';
  }

  receive(response: SipResponse): void {
    const { t1 } = this.context.timers;
    const status = response.status;
    if (this.state === 'terminated') return;
    if (status < 200) {
      if (this.state === 'calling' || this.state === 'proceeding') {
        this.state = 'proceeding';
        this.timers.stop('A');
        this.timers.stop('B');
        this.user.response(response);
      }
      return;
    }
    if (status < 300) {
      if (this.state === 'calling' || this.state === 'proceeding') {
        this.state = 'accepted';
        this.timers.clear();
        this.timers.start('M', 64 * t1, () => this.terminate());
        this.user.response(response);
      } else if (this.state === 'accepted') {
        this.user.response(response);
      }
      return;
    }
    if (this.state === 'calling' || this.state === 'proceeding') {
      this.state = 'completed';
      this.timers.clear();
      this.#ack = buildNonSuccessAck(this.request, response);
      this.transmit(this.#ack);
      this.timers.start('D', this.context.reliable ? 0 : 32_000, () => this.terminate());
      this.user.response(response);
    } else if (this.state === 'completed' && this.#ack) {
      this.transmit(this.#ack);
    }
  }
}

/** RFC 3261 §17.1.2. */
export class NonInviteClientTransaction extends ClientTransaction {
  start(): void {
    const { t1 } = this.context.timers;
    this.state = 'calling';
    this.transmit(this.request);
    if (!this.context.reliable) this.#scheduleRetransmit(t1);
    this.timers.start('F', 64 * t1, () => {
      this.fail(new GatewayError('HGW_SIP_TIMEOUT', `no final response to ${this.request.method} (timer F)`));
    });
  }

  #scheduleRetransmit(interval: number): void {
    this.timers.start('E', interval, () => {
      if (this.state !== 'calling' && this.state !== 'proceeding') return;
      this.transmit(this.request);
      const { t2 } = this.context.timers;
      this.#scheduleRetransmit(this.state === 'proceeding' ? t2 : Math.min(interval * 2, t2));
    });
  }

  receive(response: SipResponse): void {
    if (this.state !== 'calling' && this.state !== 'proceeding') return;
    if (response.status < 200) {
      this.state = 'proceeding';
      this.user.response(response);
      return;
    }
    this.state = 'completed';
    this.timers.clear();
    this.timers.start('K', this.context.reliable ? 0 : this.context.timers.t4, () => this.terminate());
    this.user.response(response);
  }
}

function copyRoutes(from: SipRequest, to: SipHeaders): void {
  for (const route of from.headers.getAll('Route')) to.append('Route', route);
}

/** RFC 3261 §17.1.1.3: the ACK for a non-2xx final, built by the transaction from the INVITE. */
export function buildNonSuccessAck(invite: SipRequest, response: SipResponse): SipRequest {
  const headers = new SipHeaders();
  headers.append('Via', invite.headers.get('Via') ?? '');
  copyRoutes(invite, headers);
  headers.append('Max-Forwards', '70');
  headers.append('From', invite.headers.get('From') ?? '');
  headers.append('To', response.headers.get('To') ?? '');
  headers.append('Call-ID', invite.headers.get('Call-ID') ?? '');
  headers.append('CSeq', `${cseqOf(invite).sequence} ACK`);
  return { kind: 'request', method: 'ACK', uri: invite.uri, headers, body: new Uint8Array(0) };
}

/** RFC 3261 §9.1: a CANCEL matches the INVITE's branch, URI, Call-ID, From, To and CSeq number. */
export function buildCancel(invite: SipRequest): SipRequest {
  const headers = new SipHeaders();
  headers.append('Via', invite.headers.get('Via') ?? '');
  copyRoutes(invite, headers);
  headers.append('Max-Forwards', '70');
  headers.append('From', invite.headers.get('From') ?? '');
  headers.append('To', invite.headers.get('To') ?? '');
  headers.append('Call-ID', invite.headers.get('Call-ID') ?? '');
  headers.append('CSeq', `${cseqOf(invite).sequence} CANCEL`);
  return { kind: 'request', method: 'CANCEL', uri: invite.uri, headers, body: new Uint8Array(0) };
}
