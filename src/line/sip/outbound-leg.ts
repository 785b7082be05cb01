/**
 * A call the box places itself: to a desk phone (the inside leg) or a supervisor's phone. The
 * INVITE is built from scratch (fresh Call-ID, tag and branch; From and P-Asserted-Identity carry
 * only the display text and the per-contact reference at the box's host; `Privacy: id`; the box's
 * Contact and SDP), so not a byte of the trunk's INVITE can reach the phone.
 */
import { describeError } from '../../events/typed-emitter.js';
import type { Logger } from '../../log/logger.js';
import type { MediaLeg } from '../../media/index.js';
import {
  SipDialog, createRequest, formatNameAddress, newCallId, newTag, parseSdp, parseUri, peerFromUri, readAudio,
  type IncomingRequest, type NameAddress, type NegotiatedAudio, type OutgoingRequest, type SipEndpoint, type SipPeer,
  type SipResponse, type SipUri,
} from '../../sip/index.js';
import { ALLOWED_METHODS, answerInDialog } from './in-dialog.js';
import type { LocalSdp } from './session-sdp.js';

export type RingFailure = 'busy' | 'declined' | 'unreachable';

/** In-dialog requests reach the leg that holds the dialog through this registry (Call-ID + our tag). */
export interface DialogRegistry {
  register(callId: string, localTag: string, handler: (incoming: IncomingRequest) => void): () => void;
}

export interface OutboundLegSpec {
  /** The phone's SIP URI (a station's deskTarget, a supervisor's phone). */
  readonly target: string;
  readonly displayName: string;
  /** The From user part: the per-contact reference. */
  readonly user: string;
  readonly sdp: LocalSdp;
  readonly sdpBody: string;
  /** The leg the SDP describes, for re-INVITEs from the phone. */
  readonly mediaLeg: () => MediaLeg | undefined;
  readonly direction?: 'sendrecv' | 'sendonly';
}

export interface OutboundLegHandlers {
  /** 180/183 from the phone. */
  ringing?(): void;
  /** The phone answered; the ACK is sent. */
  answered(audio: NegotiatedAudio): void;
  /** The phone refused or could not be reached (not called after cancel()). */
  failed(failure: RingFailure): void;
  /** The phone hung up after answering. */
  hungUp(): void;
}

export interface OutboundLegContext {
  readonly endpoint: SipEndpoint;
  readonly dialogs: DialogRegistry;
  readonly boxHost: string;
  readonly logger: Logger;
}

type LegState = 'idle' | 'inviting' | 'answered' | 'cancelled' | 'ended';

function failureOf(status: number): RingFailure {
  if (status === 486 || status === 600) return 'busy';
  if (status === 603) return 'declined';
  return 'unreachable';
}

export class OutboundLeg {
  readonly #context: OutboundLegContext;
  readonly #spec: OutboundLegSpec;
  readonly #handlers: OutboundLegHandlers;
  #state: LegState = 'idle';
  #peer: SipPeer | undefined;
  #outgoing: OutgoingRequest | undefined;
  #dialog: SipDialog | undefined;
  #unregister: (() => void) | undefined;
  #ringingReported = false;

  constructor(context: OutboundLegContext, spec: OutboundLegSpec, handlers: OutboundLegHandlers) {
    this.#context = context;
    this.#spec = spec;
    this.#handlers = handlers;
  }

  get state(): LegState {
    return this.#state;
  }

  /** Sends the INVITE. A target that cannot be read or reached is reported as `unreachable`. */
  start(): void {
    if (this.#state !== 'idle') return;
    this.#state = 'inviting';
    const { endpoint, boxHost } = this.#context;
    let invite;
    try {
      const uri = parseUri(this.#spec.target);
      this.#peer = peerFromUri(uri);
      const identity: SipUri = { scheme: 'sip', user: this.#spec.user, host: boxHost, params: [], headers: [] };
      const from: NameAddress = { displayName: this.#spec.displayName, uri: identity, params: [['tag', newTag()]] };
      invite = createRequest({
        method: 'INVITE',
        uri,
        from,
        to: { uri, params: [] },
        callId: newCallId(),
        cseq: 1,
        contact: { uri: endpoint.contactUri(this.#peer.transport), params: [] },
        headers: [
          ['P-Asserted-Identity', formatNameAddress({ displayName: this.#spec.displayName, uri: identity, params: [] })],
          ['Privacy', 'id'],
          ['Allow', ALLOWED_METHODS],
        ],
        body: this.#spec.sdpBody,
        contentType: 'application/sdp',
      });
      this.#outgoing = endpoint.request(invite, this.#peer);
    } catch (error) {
      this.#context.logger.warn({ err: describeError(error) }, 'outbound INVITE could not be sent');
      this.#fail('unreachable');
      return;
    }
    this.#outgoing.onResponse((response) => {
      if (response.status > 100 && response.status < 200 && !this.#ringingReported && this.#state === 'inviting') {
        this.#ringingReported = true;
        this.#handlers.ringing?.();
      }
    });
    this.#outgoing.final.then(
      (response) => this.#final(response),
      (error: unknown) => {
        this.#context.logger.info({ err: describeError(error) }, 'outbound INVITE got no final response');
        if (this.#state === 'inviting') this.#fail('unreachable');
        else if (this.#state === 'cancelled') this.#state = 'ended';
      },
    );
  }

  /** Stops ringing (CANCEL) or, once answered, hangs up (BYE). No handler is called afterwards. */
  hangUp(): void {
    if (this.#state === 'inviting' || this.#state === 'idle') {
      this.#state = 'cancelled';
      this.#outgoing?.cancel();
      return;
    }
    if (this.#state === 'answered') this.#sendBye();
  }

  /** A new offer on the answered leg (listen-along whisper on/off); the answer's address is taken. */
  reinvite(sdpBody: string): void {
    const dialog = this.#dialog;
    if (this.#state !== 'answered' || !dialog || !this.#peer) return;
    const request = dialog.createRequest('INVITE', {
      contact: { uri: this.#context.endpoint.contactUri(this.#peer.transport), params: [] },
      body: sdpBody,
      contentType: 'application/sdp',
    });
    const outgoing = this.#context.endpoint.request(request, dialog.destination(this.#peer.transport));
    outgoing.final.then(
      (response) => {
        if (response.status >= 200 && response.status < 300) void this.#ack(dialog, request.headers.get('CSeq'));
      },
      () => undefined,
    );
  }

  #final(response: SipResponse): void {
    if (response.status >= 300) {
      const wasInviting = this.#state === 'inviting';
      this.#state = 'ended';
      if (wasInviting) this.#fail(failureOf(response.status));
      return;
    }
    const outgoing = this.#outgoing;
    const peer = this.#peer;
    if (!outgoing || !peer) return;
    let dialog: SipDialog;
    try {
      dialog = SipDialog.fromUacResponse(outgoing.request, response);
    } catch (error) {
      // Without a dialog there is nothing to ACK or BYE: the phone gives up after timer H.
      this.#context.logger.warn({ err: describeError(error) }, 'a phone answered without a usable dialog');
      const wasInviting = this.#state === 'inviting';
      this.#state = 'ended';
      if (wasInviting) this.#fail('unreachable');
      return;
    }
    this.#dialog = dialog;
    void this.#ack(dialog, `1 INVITE`);
    this.#unregister = this.#context.dialogs.register(dialog.callId, dialog.localTag, (incoming) => this.#inDialog(incoming));
    const audio = this.#audioOf(response);
    if (this.#state !== 'inviting' || audio === undefined) {
      // Answered after we cancelled (the 200 crossed the CANCEL) or with no usable media: hang up.
      const wasInviting = this.#state === 'inviting';
      this.#state = 'answered';
      this.#sendBye();
      if (wasInviting) this.#fail('unreachable');
      return;
    }
    this.#state = 'answered';
    this.#handlers.answered(audio);
  }

  #audioOf(response: SipResponse): NegotiatedAudio | undefined {
    try {
      const audio = readAudio(parseSdp(response.body));
      return typeof audio === 'string' ? undefined : audio;
    } catch {
      return undefined;
    }
  }

  async #ack(dialog: SipDialog, cseq: string | undefined): Promise<void> {
    const sequence = Number((cseq ?? '1').split(/\s+/)[0]);
    try {
      await this.#context.endpoint.sendAck(dialog.createAck(sequence), dialog.destination(this.#peer?.transport));
    } catch (error) {
      this.#context.logger.info({ err: describeError(error) }, 'ACK could not be sent');
    }
  }

  #sendBye(): void {
    const dialog = this.#dialog;
    this.#state = 'ended';
    this.#unregister?.();
    if (!dialog) return;
    const { endpoint } = this.#context;
    try {
      endpoint.request(dialog.createRequest('BYE'), dialog.destination(this.#peer?.transport)).final.catch(() => undefined);
    } catch (error) {
      this.#context.logger.info({ err: describeError(error) }, 'BYE could not be sent');
    }
  }

  #inDialog(incoming: IncomingRequest): void {
    const dialog = this.#dialog;
    if (!dialog) return;
    answerInDialog(this.#context.endpoint, incoming, {
      dialog,
      sdp: this.#spec.sdp,
      leg: this.#spec.mediaLeg,
      ...(this.#spec.direction ? { direction: this.#spec.direction } : {}),
    }, {
      bye: () => {
        const wasAnswered = this.#state === 'answered';
        this.#state = 'ended';
        this.#unregister?.();
        if (wasAnswered) this.#handlers.hungUp();
      },
    });
  }

  #fail(failure: RingFailure): void {
    this.#state = 'ended';
    this.#handlers.failed(failure);
  }
}
