/**
 * One call from the trunk: the outside leg (answered by the box), the desk legs the router rings,
 * the RTP relay between them, the queue prompt and hold music, and the teardown when either side
 * hangs up. The caller's number never reaches this class: it has the intake's reference and count.
 */
import type { ContactReference } from '../../contacts/contact-view.js';
import { describeError } from '../../events/typed-emitter.js';
import {
  HOLD_MUSIC_SEGMENT, MediaLeg, PromptPlayer, RtpRelay, blockedMessage, queueMessage, timeOutMessage,
  type G711Codec, type PromptSegment,
} from '../../media/index.js';
import { SipDialog, serializeSdp, type IncomingRequest, type NegotiatedAudio, type SessionDescription } from '../../sip/index.js';
import { deskDisplayText } from './desk-presentation.js';
import { answerInDialog, contactHeader, type DialogMedia } from './in-dialog.js';
import { OutboundLeg, type RingFailure } from './outbound-leg.js';
import { LocalSdp, codecsPreferring } from './session-sdp.js';
import type { CallContext } from './call-context.js';
import type { SipCallSnapshot, SipCallState, SipIntakeResult } from './sip-line-types.js';

/** What the box does with a call once the intake has answered. */
export type CallPlan =
  | { readonly kind: 'route' }
  | { readonly kind: 'refuse' }
  | { readonly kind: 'prompt'; readonly moderation: 'time-out' | 'blocked'; readonly until: number };

export type EndCause = 'trunk-bye' | 'trunk-cancel' | 'desk-bye' | 'rejected' | 'refused' | 'media-timeout' | 'prompt-done' | 'failed' | 'stopping';

export interface TrunkCallSetup {
  readonly incoming: IncomingRequest;
  readonly offer: SessionDescription;
  readonly lineCallId: string;
  readonly intake: SipIntakeResult;
  readonly callerKnown: boolean;
  readonly plan: CallPlan;
}

export class TrunkCall {
  readonly reference: ContactReference;
  readonly lineCallId: string;
  readonly #context: CallContext;
  readonly #setup: TrunkCallSetup;
  readonly #incoming: IncomingRequest;
  readonly #outsideSdp: LocalSdp;
  readonly #insideSdp: LocalSdp;
  readonly #desks = new Map<string, OutboundLeg>();
  readonly #cleanups: Array<() => void> = [];
  #state: SipCallState = 'setup';
  #since: number;
  readonly #arrivedAt: number;
  #codec: G711Codec = 'PCMA';
  #relay: RtpRelay | undefined;
  #promptLeg: MediaLeg | undefined;
  #player: PromptPlayer | undefined;
  #dialog: SipDialog | undefined;
  #stationId: string | null = null;
  #ringingSent = false;
  #holding = false;
  #routed = false;

  constructor(context: CallContext, setup: TrunkCallSetup) {
    this.#context = context;
    this.#setup = setup;
    this.#incoming = setup.incoming;
    this.reference = setup.intake.reference;
    this.lineCallId = setup.lineCallId;
    this.#since = context.clock.now();
    this.#arrivedAt = this.#since;
    this.#outsideSdp = new LocalSdp(context.mediaAddress);
    this.#insideSdp = new LocalSdp(context.mediaAddress);
    this.#cleanups.push(this.#incoming.on('cancel', () => void this.end('trunk-cancel')));
  }

  get state(): SipCallState {
    return this.#state;
  }

  /** The relay of a connected call (for listen-along); undefined otherwise. */
  get relay(): RtpRelay | undefined {
    return this.#state === 'connected' ? this.#relay : undefined;
  }

  get stationId(): string | null {
    return this.#stationId;
  }

  snapshot(): SipCallSnapshot {
    return {
      reference: this.reference,
      state: this.#state,
      since: this.#since,
      stationId: this.#stationId,
      ringing: [...this.#desks.entries()].filter(([, leg]) => leg.state === 'inviting').map(([id]) => id),
      listenAlong: this.#context.listenAlongCount(this.reference),
    };
  }

  /** Binds the media and carries out the plan: route, refuse, or the moderation prompt. */
  async setUp(): Promise<void> {
    const { plan, offer } = this.#setup;
    if (plan.kind === 'refuse') {
      await this.end('refused');
      return;
    }
    const probe = this.#outsideSdp.answer(offer, 9);
    if (!probe.ok) {
      await this.end('failed');
      return;
    }
    this.#codec = probe.audio.codec;
    const remote = { address: probe.audio.remoteAddress, port: probe.audio.remotePort };
    const common = { pool: this.#context.rtpPool, clock: this.#context.clock, scheduler: this.#context.scheduler, logger: this.#context.logger };
    try {
      if (plan.kind === 'prompt') {
        this.#promptLeg = new MediaLeg({ ...common, name: 'outside', bindAddress: this.#context.rtpBindAddress, codec: this.#codec, remote, latch: this.#context.latch });
        await this.#promptLeg.start();
      } else {
        this.#relay = new RtpRelay({
          ...common,
          bindAddress: this.#context.rtpBindAddress,
          outside: { codec: this.#codec, remote },
          inside: { codec: this.#codec },
          latch: this.#context.latch,
          mediaTimeoutMs: this.#context.mediaTimeoutMs,
          onMediaTimeout: (leg) => {
            // The inside leg is silent by nature until a desk answers; only a live call times out.
            if (this.#state === 'connected' || leg === 'outside') void this.end('media-timeout');
          },
        });
        await this.#relay.start();
      }
    } catch (error) {
      this.#context.logger.error({ err: describeError(error) }, 'media for a call could not be set up');
      await this.end('failed');
      return;
    }
    if (this.#state === 'ended') {
      await this.#stopMedia();
      return;
    }
    if (plan.kind === 'prompt') {
      this.#playModerationPrompt(plan.moderation, plan.until);
      return;
    }
    this.#routed = true;
    this.#state = 'ringing';
    this.#changed();
    this.#context.router.offer({ reference: this.reference, arrivedAt: this.#arrivedAt });
  }

  // Router events

  ring(stationId: string): void {
    if (this.#state === 'ended' || !this.#relay) return;
    const relay = this.#relay;
    let target: string;
    try {
      target = this.#context.router.station(stationId).deskTarget;
    } catch {
      this.#context.router.unreachable(stationId, this.reference);
      return;
    }
    const leg = new OutboundLeg(this.#context.legs, {
      target,
      displayName: deskDisplayText({ priorContacts: this.#setup.intake.priorContacts, callerKnown: this.#setup.callerKnown, recorded: this.#setup.intake.recorded }),
      user: this.reference,
      sdp: this.#insideSdp,
      sdpBody: this.#insideSdp.offer(relay.inside.localPort, codecsPreferring(this.#codec)),
      mediaLeg: () => this.#relay?.inside,
    }, {
      ringing: () => this.#trunkRinging(),
      answered: (audio) => this.#deskAnswered(stationId, leg, audio),
      failed: (failure) => this.#deskFailed(stationId, leg, failure),
      hungUp: () => {
        if (this.#stationId === stationId) void this.end('desk-bye');
      },
    });
    this.#desks.set(stationId, leg);
    leg.start();
    this.#changed();
  }

  stopRinging(stationId: string): void {
    const leg = this.#desks.get(stationId);
    if (!leg || this.#stationId === stationId) return;
    this.#desks.delete(stationId);
    leg.hangUp();
    this.#changed();
  }

  /** All volunteers are busy: answer the caller and play the estimate, then hold music. */
  queued(estimatedWaitMs: number | null): void {
    if (this.#state === 'ended' || !this.#relay) return;
    this.#state = 'queued';
    this.#holding = true;
    this.#answerTrunk();
    this.#playQueueMessage(estimatedWaitMs);
    this.#changed();
  }

  announce(estimatedWaitMs: number | null): void {
    if (this.#holding && this.#state !== 'ended') this.#playQueueMessage(estimatedWaitMs);
  }

  dequeued(): void {
    if (this.#state === 'queued') {
      this.#state = 'ringing';
      this.#changed();
    }
  }

  /** Nobody answered within the ring time: keep the caller waiting in the queue. */
  overflowExhausted(): void {
    if (this.#state === 'ended') return;
    this.#context.router.offer({ reference: this.reference, arrivedAt: this.#arrivedAt });
  }

  // Teardown

  /** Ends every leg, the media and the contact; safe to call more than once. */
  async end(cause: EndCause): Promise<void> {
    if (this.#state === 'ended') return;
    this.#state = 'ended';
    this.#holding = false;
    this.#player?.stop();
    if (this.#routed) {
      if (cause === 'desk-bye') this.#context.router.ended(this.reference);
      else this.#context.router.callerHungUp(this.reference);
    }
    for (const leg of this.#desks.values()) leg.hangUp();
    this.#desks.clear();
    await this.#context.endListenAlong(this.reference);
    this.#releaseTrunk(cause);
    for (const cleanup of this.#cleanups.splice(0)) cleanup();
    await this.#stopMedia();
    this.#context.finished(this, cause);
  }

  #releaseTrunk(cause: EndCause): void {
    if (cause === 'trunk-bye' || cause === 'trunk-cancel') return;
    if (this.#dialog) {
      const dialog = this.#dialog;
      try {
        const request = dialog.createRequest('BYE');
        this.#context.legs.endpoint.request(request, dialog.destination(this.#incoming.source.transport)).final.catch(() => undefined);
      } catch (error) {
        this.#context.logger.info({ err: describeError(error) }, 'BYE to the trunk could not be sent');
      }
      return;
    }
    if (this.#incoming.finalSent) return;
    const status = cause === 'rejected' ? 486 : cause === 'stopping' ? 503 : 480;
    try {
      this.#incoming.respond(status);
    } catch (error) {
      this.#context.logger.debug({ err: describeError(error) }, 'final response to the trunk not sent');
    }
  }

  async #stopMedia(): Promise<void> {
    this.#player?.stop();
    await Promise.all([this.#relay?.stop(), this.#promptLeg?.stop()]);
  }

  // Inside legs

  #deskAnswered(stationId: string, leg: OutboundLeg, audio: NegotiatedAudio): void {
    const relay = this.#relay;
    if (this.#state === 'ended' || !relay || !this.#context.router.answered(stationId, this.reference)) {
      this.#desks.delete(stationId);
      leg.hangUp();
      return;
    }
    this.#stationId = stationId;
    this.#holding = false;
    this.#player?.stop();
    relay.inside.setCodec(audio.codec);
    relay.inside.setRemote({ address: audio.remoteAddress, port: audio.remotePort });
    this.#answerTrunk();
    this.#state = 'connected';
    this.#since = this.#context.clock.now();
    this.#changed();
  }

  #deskFailed(stationId: string, leg: OutboundLeg, failure: RingFailure): void {
    if (this.#desks.get(stationId) !== leg) return;
    this.#desks.delete(stationId);
    this.#changed();
    if (this.#state !== 'ended') this.#context.router[failure](stationId, this.reference);
  }

  // Outside leg

  #trunkRinging(): void {
    if (this.#ringingSent || this.#dialog || this.#incoming.finalSent) return;
    this.#ringingSent = true;
    this.#incoming.respond(180);
  }

  /** 200 with the outside leg's SDP; the dialog with the trunk starts here. */
  #answerTrunk(): void {
    const leg = this.#outsideLeg();
    if (this.#dialog || !leg || this.#incoming.finalSent) return;
    const { endpoint } = this.#context.legs;
    const answer = this.#outsideSdp.answer(this.#setup.offer, leg.localPort, [this.#codec]);
    if (!answer.ok) return;
    const dialog = SipDialog.fromUasRequest(this.#incoming.request, this.#incoming.toTag);
    this.#incoming.respond(200, {
      headers: [['Contact', contactHeader(endpoint, this.#incoming)], ['Content-Type', 'application/sdp']],
      body: Buffer.from(serializeSdp(answer.answer)),
    });
    this.#dialog = dialog;
    this.#cleanups.push(this.#context.legs.dialogs.register(dialog.callId, dialog.localTag, (incoming) => this.#fromTrunk(incoming)));
    this.#cleanups.push(this.#incoming.on('unacknowledged', () => void this.end('failed')));
  }

  #outsideLeg(): MediaLeg | undefined {
    return this.#relay?.outside ?? this.#promptLeg;
  }

  #fromTrunk(incoming: IncomingRequest): void {
    const dialog = this.#dialog;
    if (!dialog) return;
    const media: DialogMedia = { dialog, sdp: this.#outsideSdp, leg: () => this.#outsideLeg() };
    answerInDialog(this.#context.legs.endpoint, incoming, media, { bye: () => void this.end('trunk-bye') });
  }

  // Prompts

  #playerFor(leg: MediaLeg): PromptPlayer {
    this.#player ??= new PromptPlayer({ leg, library: this.#context.prompts, clock: this.#context.clock, scheduler: this.#context.scheduler, logger: this.#context.logger });
    return this.#player;
  }

  #playQueueMessage(estimatedWaitMs: number | null): void {
    const leg = this.#relay?.outside;
    if (!leg) return;
    const minutes = estimatedWaitMs === null ? undefined : estimatedWaitMs / 60_000;
    void this.#play(leg, queueMessage(minutes)).then((end) => {
      if (end === 'finished' && this.#holding && this.#state !== 'ended') void this.#play(leg, [HOLD_MUSIC_SEGMENT], true);
    });
  }

  #playModerationPrompt(moderation: 'time-out' | 'blocked', until: number): void {
    const leg = this.#promptLeg;
    if (!leg) return;
    this.#state = 'prompt';
    this.#answerTrunk();
    this.#changed();
    const message = moderation === 'blocked' ? blockedMessage(until, this.#context.timeZone) : timeOutMessage(until, this.#context.timeZone);
    void this.#play(leg, message).then(() => this.end('prompt-done'));
  }

  async #play(leg: MediaLeg, segments: PromptSegment[], loop = false): Promise<'finished' | 'stopped'> {
    try {
      return await this.#playerFor(leg).play(segments, { loop });
    } catch (error) {
      this.#context.logger.error({ err: describeError(error) }, 'prompt could not be played');
      return 'stopped';
    }
  }

  #changed(): void {
    this.#context.changed(this);
  }
}
