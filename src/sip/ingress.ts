import type { Logger } from '../log/logger.js';
import { SipHeaders } from './headers.js';
import type { InviteFloodGuard } from './flood-guard.js';
import { parseNameAddress } from './header-values.js';
import { tagOf, type SipMessage, type SipResponse } from './message.js';
import { parseSipMessageSafely, type AnswerableRequest, type SipParseLimits } from './parser.js';
import type { SipPeer, SipTransportCounters } from './transport.js';
import { randomHex } from './identifiers.js';

export interface IngressOptions {
  readonly limits: SipParseLimits;
  readonly counters: SipTransportCounters;
  readonly floodGuard: InviteFloodGuard;
  readonly logger: Logger;
  /** Sends a stateless answer (400, 503) straight back to the source. */
  readonly reply: (response: SipResponse, destination: SipPeer) => void;
}

/**
 * The ingress of one transport: its limits and counters, the endpoint's flood guard, and stateless
 * answers (400, 503) sent back on that transport, whose failures are the transaction timers' business.
 */
export function transportIngress(
  limits: SipParseLimits,
  counters: SipTransportCounters,
  options: { readonly floodGuard: InviteFloodGuard; readonly logger: Logger },
  send: (response: SipResponse, destination: SipPeer) => Promise<void>,
): SipIngress {
  return new SipIngress({
    limits,
    counters,
    floodGuard: options.floodGuard,
    logger: options.logger,
    reply: (response, destination) => {
      send(response, destination).catch(() => undefined);
    },
  });
}

/**
 * The gate every received message passes, whatever the transport: parse within limits, answer a
 * malformed but answerable request with a generic 400, hold INVITE floods back, count everything.
 * Never throws, so a hostile packet cannot reach the socket's error path.
 */
export class SipIngress {
  readonly #options: IngressOptions;

  constructor(options: IngressOptions) {
    this.#options = options;
  }

  accept(bytes: Uint8Array, source: SipPeer): SipMessage | undefined {
    const { counters, logger } = this.#options;
    counters.received++;
    try {
      const result = parseSipMessageSafely(bytes, this.#options.limits);
      if (!result.ok) {
        if (result.error.code === 'HGW_SIP_TOO_LARGE') counters.oversized++;
        else counters.malformed++;
        logger.debug({ code: result.error.code, reason: result.error.message, answered: result.answerable !== undefined }, 'SIP message refused');
        if (result.answerable) this.#answer(result.answerable, 400, source);
        return undefined;
      }
      const message = result.message;
      if (message.kind === 'request' && message.method === 'INVITE' && !this.#admitInvite(message.headers, source)) return undefined;
      return message;
    } catch (error) {
      counters.malformed++;
      logger.warn({ err: error instanceof Error ? error.name : 'unknown' }, 'SIP parser failed unexpectedly');
      return undefined;
    }
  }

  #admitInvite(headers: SipHeaders, source: SipPeer): boolean {
    const { floodGuard, counters } = this.#options;
    const decision = floodGuard.check(source.address);
    if (decision === 'allow') return true;
    counters.floodDropped++;
    if (decision === 'reject') {
      this.#answer({ method: 'INVITE', headers }, 503, source, [['Retry-After', String(floodGuard.retryAfterSeconds)]]);
    }
    return false;
  }

  #answer(request: AnswerableRequest, status: 400 | 503, source: SipPeer, extra: ReadonlyArray<readonly [string, string]> = []): void {
    const headers = new SipHeaders();
    for (const via of request.headers.getAll('Via')) headers.append('Via', via);
    headers.append('From', request.headers.get('From') ?? '');
    const to = request.headers.get('To') ?? '';
    headers.append('To', tagOf(parseNameAddress(to)) === undefined ? `${to};tag=${randomHex(8)}` : to);
    headers.append('Call-ID', request.headers.get('Call-ID') ?? '');
    headers.append('CSeq', request.headers.get('CSeq') ?? '');
    for (const [name, value] of extra) headers.append(name, value);
    const reason = status === 400 ? 'Bad Request' : 'Service Unavailable';
    this.#options.reply({ kind: 'response', status, reason, headers, body: new Uint8Array(0) }, source);
  }
}
