/**
 * Listen-along: a supervisor leg that hears both directions of a live call mixed into one G.711
 * stream. Each direction is decoded into its own small jitter buffer; every 20 ms one frame of
 * each is summed (clipped at encoding) and sent in the supervisor's law with the box's own
 * SSRC, sequence and timestamp. Listen-only by default: what the supervisor's phone sends is
 * thrown away. With whisper on, the supervisor is mixed into what the volunteer (inside leg)
 * hears, never into what the caller hears; the caller-to-volunteer direction then goes through the
 * mixer (a few frames later) instead of being forwarded packet by packet.
 */
import type { Logger } from '../log/index.js';
import type { Clock, Scheduler } from '../time/index.js';
import { FramePacer } from './frame-pacer.js';
import type { G711Codec } from './g711.js';
import { FRAME_SAMPLES, JitterBuffer, type JitterBufferCounters } from './jitter-buffer.js';
import { MediaLeg, type LatchPolicy, type LegCounters, type RtpEndpoint } from './media-leg.js';
import type { RtpPortPool } from './port-pool.js';
import type { RtpRelay } from './rtp-relay.js';
import { RtpStreamWriter } from './rtp-stream-writer.js';

export interface SupervisorLegSetup {
  readonly codec: G711Codec;
  /** From the supervisor phone's SDP; may come later through `supervisorLeg.setRemote()`. */
  readonly remote?: RtpEndpoint;
  readonly bindAddress?: string;
}

export interface ListenAlongOptions {
  /** The live call; started before this and stopped after (or with) it. */
  readonly relay: RtpRelay;
  readonly supervisor: SupervisorLegSetup;
  readonly pool: RtpPortPool;
  readonly bindAddress: string;
  /** Start with whisper on (default off: listen-only). */
  readonly whisper?: boolean;
  /** Jitter buffer depth per direction, in 20 ms frames (default 3). */
  readonly jitterFrames?: number;
  readonly latch?: LatchPolicy;
  readonly clock: Clock;
  readonly scheduler: Scheduler;
  readonly logger: Logger;
}

export interface ListenAlongCounters {
  readonly supervisor: LegCounters;
  readonly framesMixed: number;
  readonly whisperFrames: number;
  readonly caller: JitterBufferCounters;
  readonly volunteer: JitterBufferCounters;
  readonly whisper: JitterBufferCounters;
}

export class ListenAlong {
  readonly supervisorLeg: MediaLeg;
  readonly #relay: RtpRelay;
  readonly #logger: Logger;
  readonly #caller: JitterBuffer;
  readonly #volunteer: JitterBuffer;
  readonly #whisperIn: JitterBuffer;
  readonly #pacer: FramePacer;
  readonly #toSupervisor = new RtpStreamWriter();
  readonly #toVolunteer = new RtpStreamWriter();
  readonly #callerFrame = new Int32Array(FRAME_SAMPLES);
  readonly #volunteerFrame = new Int32Array(FRAME_SAMPLES);
  readonly #mix = new Int32Array(FRAME_SAMPLES);
  readonly #removers: Array<() => void> = [];
  #whisper: boolean;
  #framesMixed = 0;
  #whisperFrames = 0;
  #started = false;

  constructor(options: ListenAlongOptions) {
    this.#relay = options.relay;
    this.#logger = options.logger.child({ component: 'listen-along' });
    this.#whisper = options.whisper ?? false;
    const depth = options.jitterFrames ?? 3;
    this.#caller = new JitterBuffer(depth);
    this.#volunteer = new JitterBuffer(depth);
    this.#whisperIn = new JitterBuffer(depth);
    this.supervisorLeg = new MediaLeg({
      name: 'supervisor',
      pool: options.pool,
      bindAddress: options.supervisor.bindAddress ?? options.bindAddress,
      codec: options.supervisor.codec,
      ...(options.supervisor.remote ? { remote: options.supervisor.remote } : {}),
      latch: options.latch ?? 'expected-host',
      clock: options.clock,
      scheduler: options.scheduler,
      logger: options.logger,
    });
    this.#pacer = new FramePacer(options.clock, options.scheduler, this.#mixFrame);
  }

  get whispering(): boolean {
    return this.#whisper;
  }

  /** Binds the supervisor leg (its `localPort` goes into the supervisor's SDP) and starts mixing. */
  async start(): Promise<void> {
    if (this.#started) return;
    this.#started = true;
    await this.supervisorLeg.start();
    this.#removers.push(
      this.#relay.outside.onPacket((packet) => this.#caller.push(packet)),
      this.#relay.inside.onPacket((packet) => this.#volunteer.push(packet)),
      this.supervisorLeg.onPacket((packet) => {
        if (this.#whisper) this.#whisperIn.push(packet);
      }),
    );
    if (this.#whisper) this.#divertCaller(true);
    this.#pacer.start();
    this.#logger.info({ whisper: this.#whisper }, 'listen-along started');
  }

  /** Stops mixing, gives the caller's audio back to plain forwarding, forgets every buffered sample. */
  async stop(): Promise<void> {
    this.#pacer.stop();
    for (const remove of this.#removers.splice(0)) remove();
    if (this.#whisper) this.#divertCaller(false);
    this.#caller.clear();
    this.#volunteer.clear();
    this.#whisperIn.clear();
    this.#callerFrame.fill(0);
    this.#volunteerFrame.fill(0);
    this.#mix.fill(0);
    if (this.#started) this.#logger.info({ framesMixed: this.#framesMixed, whisperFrames: this.#whisperFrames }, 'listen-along stopped');
    this.#started = false;
    await this.supervisorLeg.stop();
  }

  setWhisper(on: boolean): void {
    if (on === this.#whisper) return;
    this.#whisper = on;
    if (!on) this.#whisperIn.clear();
    if (this.#started) this.#divertCaller(on);
    this.#logger.info({ whisper: on }, 'listen-along whisper changed');
  }

  counters(): ListenAlongCounters {
    return {
      supervisor: { ...this.supervisorLeg.counters },
      framesMixed: this.#framesMixed,
      whisperFrames: this.#whisperFrames,
      caller: { ...this.#caller.counters },
      volunteer: { ...this.#volunteer.counters },
      whisper: { ...this.#whisperIn.counters },
    };
  }

  #divertCaller(on: boolean): void {
    // The caller's packets already reach #caller through the tap; diverting only stops the relay
    // from also forwarding them, so the volunteer hears one stream: caller + supervisor.
    this.#relay.divert('outside', on ? () => undefined : undefined);
  }

  readonly #mixFrame = (): void => {
    const caller = this.#callerFrame;
    const volunteer = this.#volunteerFrame;
    const mix = this.#mix;
    caller.fill(0);
    volunteer.fill(0);
    this.#caller.pullInto(caller);
    this.#volunteer.pullInto(volunteer);
    for (let i = 0; i < FRAME_SAMPLES; i++) mix[i] = (caller[i] ?? 0) + (volunteer[i] ?? 0);
    this.supervisorLeg.send(this.#toSupervisor.frame(this.supervisorLeg.codec, mix));
    this.#framesMixed++;

    if (!this.#whisper) return;
    mix.set(caller);
    this.#whisperIn.pullInto(mix);
    const inside = this.#relay.inside;
    inside.send(this.#toVolunteer.frame(inside.codec, mix));
    this.#whisperFrames++;
  };
}
