import type { GatewayError } from '../errors.js';
import type { Logger } from '../log/logger.js';
import { createResponse, type ResponseOptions, type SipRequest, type SipResponse } from './message.js';
import type { ServerTransaction } from './transaction-layer.js';
import type { SipPeer } from './transport.js';
import { newTag } from './identifiers.js';

export interface IncomingRequestEvents {
  /** The ACK for our final response to an INVITE (for a 2xx it may carry the SDP answer). */
  ack: [ack: SipRequest];
  /** The caller sent CANCEL; the endpoint has already answered 200 to it and 487 to the INVITE. */
  cancel: [];
  /** Timer H: our final response to the INVITE was never acknowledged. */
  unacknowledged: [error: GatewayError];
}

/** The endpoint's bookkeeping: 2xx/ACK matching by dialog. */
export interface IncomingRequestHooks {
  final(response: SipResponse): void;
  terminated(): void;
}

type Listeners = { [K in keyof IncomingRequestEvents]: Set<(...args: IncomingRequestEvents[K]) => void> };

/** A received request and the server transaction to answer it on. */
export class IncomingRequest {
  readonly request: SipRequest;
  readonly source: SipPeer;
  /** The To-tag every response to this request carries (unless the request already had one). */
  readonly toTag = newTag();
  readonly #transaction: ServerTransaction;
  readonly #logger: Logger;
  readonly #hooks: IncomingRequestHooks;
  readonly #listeners: Listeners = { ack: new Set(), cancel: new Set(), unacknowledged: new Set() };

  constructor(transaction: ServerTransaction, logger: Logger, hooks: IncomingRequestHooks) {
    this.request = transaction.request;
    this.source = transaction.source;
    this.#transaction = transaction;
    this.#logger = logger;
    this.#hooks = hooks;
    transaction.attach({
      acknowledged: (ack) => this.emit('ack', ack),
      unacknowledged: (error) => this.emit('unacknowledged', error),
      terminated: () => hooks.terminated(),
    });
  }

  get finalSent(): boolean {
    return this.#transaction.finalSent;
  }

  /** Builds (createResponse with this request's To-tag) and sends a response. */
  respond(status: number, options: ResponseOptions = {}): SipResponse {
    const response = createResponse(this.request, status, { toTag: this.toTag, ...options });
    this.send(response);
    return response;
  }

  /** Sends a response built elsewhere; throws if a final response was already sent. */
  send(response: SipResponse): void {
    this.#transaction.respond(response);
    if (response.status >= 200) this.#hooks.final(response);
  }

  on<K extends keyof IncomingRequestEvents>(event: K, listener: (...args: IncomingRequestEvents[K]) => void): () => void {
    const set = this.#listeners[event] as Set<(...args: IncomingRequestEvents[K]) => void>;
    set.add(listener);
    return () => set.delete(listener);
  }

  /** For the endpoint: delivers an event to this request's listeners. */
  emit<K extends keyof IncomingRequestEvents>(event: K, ...args: IncomingRequestEvents[K]): void {
    const set = this.#listeners[event] as Set<(...args: IncomingRequestEvents[K]) => void>;
    for (const listener of [...set]) {
      try {
        listener(...args);
      } catch (error) {
        this.#logger.error({ event, err: error instanceof Error ? error.message : 'unknown' }, 'SIP request listener failed');
      }
    }
  }
}
