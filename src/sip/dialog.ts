import { GatewayError } from '../errors.js';
import { parseNameAddress, type NameAddress } from './header-values.js';
import { callIdOf, cseqOf, fromOf, tagOf, toOf, type SipRequest, type SipResponse } from './message.js';
import { createRequest } from './request-builder.js';
import type { SipPeer, SipTransportProtocol } from './transport.js';
import { paramValue, withParam, type AnyUri } from './uri.js';

export interface InDialogRequestOptions {
  readonly contact?: NameAddress | string;
  readonly headers?: ReadonlyArray<readonly [string, string]>;
  readonly body?: Uint8Array | string;
  readonly contentType?: string;
}

/**
 * A dialog (RFC 3261 §12) seen from our side: who we are (local URI and tag), who they are, where
 * in-dialog requests go (remote target, route set) and both CSeq counters. Only loose routing is
 * supported: a route set whose first entry lacks `;lr` is refused.
 */
export class SipDialog {
  readonly callId: string;
  readonly localTag: string;
  readonly remoteTag: string;
  readonly local: NameAddress;
  readonly remote: NameAddress;
  #remoteTarget: AnyUri;
  readonly routeSet: readonly string[];
  #localSequence: number;
  #remoteSequence: number | undefined;

  private constructor(fields: {
    callId: string; local: NameAddress; remote: NameAddress; remoteTarget: AnyUri; routeSet: string[];
    localSequence: number; remoteSequence: number | undefined;
  }) {
    const localTag = tagOf(fields.local);
    const remoteTag = tagOf(fields.remote);
    if (localTag === undefined || remoteTag === undefined) throw new GatewayError('HGW_SIP_MALFORMED', 'dialog needs both tags');
    this.callId = fields.callId;
    this.local = fields.local;
    this.remote = fields.remote;
    this.localTag = localTag;
    this.remoteTag = remoteTag;
    this.#remoteTarget = fields.remoteTarget;
    this.routeSet = fields.routeSet;
    this.#localSequence = fields.localSequence;
    this.#remoteSequence = fields.remoteSequence;
    const firstRoute = this.routeSet[0];
    if (firstRoute !== undefined) {
      const route = parseNameAddress(firstRoute).uri;
      if (route.scheme === 'tel' || paramValue(route.params, 'lr') === undefined) {
        throw new GatewayError('HGW_SIP_MALFORMED', 'strict routing is not supported');
      }
    }
  }

  /** The caller's side: from our INVITE and the 2xx (or 1xx with To-tag) that answered it. */
  static fromUacResponse(invite: SipRequest, response: SipResponse): SipDialog {
    return new SipDialog({
      callId: callIdOf(invite),
      local: fromOf(invite),
      remote: toOf(response),
      remoteTarget: contactUri(response),
      routeSet: response.headers.getAll('Record-Route').reverse(),
      localSequence: cseqOf(invite).sequence,
      remoteSequence: undefined,
    });
  }

  /** The answering side: from the received INVITE and the To-tag we chose (newTag()). */
  static fromUasRequest(invite: SipRequest, localTag: string): SipDialog {
    const to = toOf(invite);
    return new SipDialog({
      callId: callIdOf(invite),
      local: { ...to, params: withParam(to.params, 'tag', localTag) },
      remote: fromOf(invite),
      remoteTarget: contactUri(invite),
      routeSet: invite.headers.getAll('Record-Route'),
      localSequence: 0,
      remoteSequence: cseqOf(invite).sequence,
    });
  }

  get remoteTarget(): AnyUri {
    return this.#remoteTarget;
  }

  get localSequence(): number {
    return this.#localSequence;
  }

  /** True when `message` belongs to this dialog (Call-ID and both tags). */
  matches(message: SipRequest | SipResponse): boolean {
    if (callIdOf(message) !== this.callId) return false;
    const from = tagOf(fromOf(message));
    const to = tagOf(toOf(message));
    return message.kind === 'request'
      ? from === this.remoteTag && to === this.localTag
      : from === this.localTag && to === this.remoteTag;
  }

  /**
   * Checks an in-dialog request's CSeq (it must grow, §12.2.2) and takes a new remote target from
   * its Contact. False means: answer 500 and ignore it.
   */
  acceptRemoteRequest(request: SipRequest): boolean {
    if (request.method === 'ACK' || request.method === 'CANCEL') return true;
    const sequence = cseqOf(request).sequence;
    if (this.#remoteSequence !== undefined && sequence <= this.#remoteSequence) return false;
    this.#remoteSequence = sequence;
    if (request.method === 'INVITE' && request.headers.has('Contact')) this.#remoteTarget = contactUri(request);
    return true;
  }

  /** BYE, re-INVITE, INFO...: the next local CSeq, our tag, theirs, the route set. */
  createRequest(method: string, options: InDialogRequestOptions = {}): SipRequest {
    if (method === 'ACK' || method === 'CANCEL') throw new TypeError(`${method} is not built with createRequest`);
    this.#localSequence++;
    return this.#build(method, this.#localSequence, options);
  }

  /** The ACK for a 2xx to the INVITE with CSeq `inviteSequence` (§13.2.2.4): same number, its own branch. */
  createAck(inviteSequence: number, options: InDialogRequestOptions = {}): SipRequest {
    return this.#build('ACK', inviteSequence, options);
  }

  /** Where in-dialog requests go: the first route if any, else the remote target. */
  destination(defaultTransport: SipTransportProtocol = 'udp'): SipPeer {
    const first = this.routeSet[0];
    return peerFromUri(first === undefined ? this.#remoteTarget : parseNameAddress(first).uri, defaultTransport);
  }

  #build(method: string, sequence: number, options: InDialogRequestOptions): SipRequest {
    return createRequest({
      method,
      uri: this.#remoteTarget,
      from: this.local,
      to: this.remote,
      callId: this.callId,
      cseq: sequence,
      routes: this.routeSet,
      ...options,
    });
  }
}

function contactUri(message: SipRequest | SipResponse): AnyUri {
  const contact = message.headers.get('Contact');
  if (contact === undefined || contact === '*') throw new GatewayError('HGW_SIP_MALFORMED', 'dialog-creating message without Contact');
  return parseNameAddress(contact).uri;
}

/** A URI's host, port (default 5060) and `;transport=` as a peer. Host names are left to the OS resolver. */
export function peerFromUri(uri: AnyUri, defaultTransport: SipTransportProtocol = 'udp'): SipPeer {
  if (uri.scheme === 'tel') throw new GatewayError('HGW_SIP_TRANSPORT', 'a tel: URI has no address to send to');
  const transport = paramValue(uri.params, 'transport')?.toLowerCase();
  return {
    transport: transport === 'tcp' ? 'tcp' : transport === 'udp' ? 'udp' : defaultTransport,
    address: uri.host.replace(/^\[|\]$/g, ''),
    port: uri.port ?? 5060,
  };
}
