/**
 * Listen-along signalling: the box calls a supervisor's phone and, once it answers, sends it both
 * directions of a live call mixed into one stream (src/media/listen-along.ts). The offer is
 * sendonly unless whispering; turning whisper on or off re-INVITEs the phone. Nothing is recorded.
 */
import { randomBytes } from 'node:crypto';
import type { ContactReference } from '../../contacts/contact-view.js';
import { GatewayError } from '../../errors.js';
import type { Logger } from '../../log/logger.js';
import { ListenAlong, type G711Codec, type RtpPortPool, type RtpRelay, type LatchPolicy } from '../../media/index.js';
import type { Clock } from '../../time/clock.js';
import type { Scheduler } from '../../time/scheduler.js';
import { listenAlongDisplayText } from './desk-presentation.js';
import { OutboundLeg, type OutboundLegContext } from './outbound-leg.js';
import { LocalSdp, codecsPreferring } from './session-sdp.js';
import type { ListenAlongEvent, ListenAlongEventKind } from './sip-line-types.js';

export interface ListenAlongSessionContext {
  readonly legs: OutboundLegContext;
  readonly rtpPool: RtpPortPool;
  readonly rtpBindAddress: string;
  readonly mediaAddress: string;
  readonly latch: LatchPolicy;
  readonly clock: Clock;
  readonly scheduler: Scheduler;
  readonly logger: Logger;
  report(event: ListenAlongEvent): void;
  /** The session is over (whatever the reason): the line forgets it. */
  closed(session: ListenAlongSession): void;
}

export interface ListenAlongSessionSpec {
  readonly reference: ContactReference;
  readonly stationId: string | null;
  readonly supervisorTarget: string;
  readonly whisper: boolean;
  readonly relay: RtpRelay;
  readonly codec: G711Codec;
}

export class ListenAlongSession {
  readonly id = randomBytes(8).toString('hex');
  readonly reference: ContactReference;
  readonly #context: ListenAlongSessionContext;
  readonly #spec: ListenAlongSessionSpec;
  readonly #media: ListenAlong;
  readonly #sdp: LocalSdp;
  #leg: OutboundLeg | undefined;
  #whisper: boolean;
  #abandonStart: (() => void) | undefined;
  #closed = false;

  constructor(context: ListenAlongSessionContext, spec: ListenAlongSessionSpec) {
    this.#context = context;
    this.#spec = spec;
    this.reference = spec.reference;
    this.#whisper = spec.whisper;
    this.#sdp = new LocalSdp(context.mediaAddress);
    this.#media = new ListenAlong({
      relay: spec.relay,
      supervisor: { codec: spec.codec },
      pool: context.rtpPool,
      bindAddress: context.rtpBindAddress,
      whisper: spec.whisper,
      latch: context.latch,
      clock: context.clock,
      scheduler: context.scheduler,
      logger: context.logger,
    });
  }

  get whisper(): boolean {
    return this.#whisper;
  }

  /** Resolves when the supervisor's phone answered; rejects when it refused or could not be reached. */
  async start(): Promise<void> {
    await this.#media.start();
    await new Promise<void>((resolve, reject) => {
      // A call that ends while the supervisor's phone still rings closes the session: start() must settle then too.
      this.#abandonStart = () => reject(new GatewayError('HGW_SIP_TRANSPORT', 'the call ended before the supervisor\'s phone answered'));
      this.#leg = new OutboundLeg(this.#context.legs, {
        target: this.#spec.supervisorTarget,
        displayName: listenAlongDisplayText(this.#spec.stationId),
        user: this.reference,
        sdp: this.#sdp,
        sdpBody: this.#offer(),
        mediaLeg: () => this.#media.supervisorLeg,
        direction: this.#whisper ? 'sendrecv' : 'sendonly',
      }, {
        answered: (audio) => {
          if (this.#closed) return;
          this.#media.supervisorLeg.setCodec(audio.codec);
          this.#media.supervisorLeg.setRemote({ address: audio.remoteAddress, port: audio.remotePort });
          this.#abandonStart = undefined;
          this.#report('started');
          resolve();
        },
        failed: (failure) => {
          this.#abandonStart = undefined;
          void this.#close('failed', failure);
          reject(new GatewayError('HGW_SIP_TRANSPORT', `the supervisor's phone did not answer (${failure})`));
        },
        hungUp: () => void this.#close('stopped', 'supervisor-hung-up'),
      });
      this.#leg.start();
    });
  }

  setWhisper(on: boolean): void {
    if (this.#closed || on === this.#whisper) return;
    this.#whisper = on;
    this.#media.setWhisper(on);
    this.#leg?.reinvite(this.#offer());
  }

  /** Hangs the supervisor's phone up and stops mixing. */
  stop(reason: 'stopped' | 'call-ended' = 'stopped'): Promise<void> {
    return this.#close('stopped', reason);
  }

  #offer(): string {
    return this.#sdp.offer(this.#media.supervisorLeg.localPort, codecsPreferring(this.#spec.codec), this.#whisper ? 'sendrecv' : 'sendonly');
  }

  async #close(kind: ListenAlongEventKind, reason: string): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#abandonStart?.();
    this.#abandonStart = undefined;
    this.#leg?.hangUp();
    await this.#media.stop();
    this.#report(kind, reason);
    this.#context.closed(this);
  }

  #report(kind: ListenAlongEventKind, reason?: string): void {
    this.#context.report({
      kind,
      sessionId: this.id,
      reference: this.reference,
      stationId: this.#spec.stationId,
      supervisorTarget: this.#spec.supervisorTarget,
      whisper: this.#whisper,
      at: this.#context.clock.now(),
      ...(reason !== undefined ? { reason } : {}),
    });
  }
}
