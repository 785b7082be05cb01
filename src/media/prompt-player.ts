/**
 * Plays prompt segments into a media leg as 20 ms RTP frames in the leg's G.711 law, paced by the
 * Scheduler, with its own SSRC. One playback at a time per player: a new play() ends the previous
 * one as 'stopped'. The caller of play() decides what the leg does meanwhile: a prompt and relayed
 * audio sent into the same leg at once would reach the phone as two interleaved streams.
 */
import type { Logger } from '../log/index.js';
import type { Clock, Scheduler } from '../time/index.js';
import { FramePacer } from './frame-pacer.js';
import { encodeG711, SILENCE_BYTE, type G711Codec } from './g711.js';
import { FRAME_SAMPLES } from './jitter-buffer.js';
import type { MediaLeg } from './media-leg.js';
import type { PromptSegment } from './prompt-catalog.js';
import type { PromptLibrary } from './prompt-library.js';
import { RtpStreamWriter } from './rtp-stream-writer.js';

export type PlaybackEnd = 'finished' | 'stopped';

export interface PlayOptions {
  /** Start over at the end until stop() (hold music). */
  readonly loop?: boolean;
}

export interface PromptPlayerOptions {
  readonly leg: MediaLeg;
  readonly library: PromptLibrary;
  readonly clock: Clock;
  readonly scheduler: Scheduler;
  readonly logger: Logger;
}

interface Playback {
  readonly encoded: Uint8Array;
  readonly codec: G711Codec;
  readonly loop: boolean;
  readonly writer: RtpStreamWriter;
  readonly resolve: (end: PlaybackEnd) => void;
  offset: number;
}

export class PromptPlayer {
  readonly #options: PromptPlayerOptions;
  readonly #logger: Logger;
  readonly #pacer: FramePacer;
  #playback: Playback | undefined;

  constructor(options: PromptPlayerOptions) {
    this.#options = options;
    this.#logger = options.logger.child({ component: 'prompt-player', leg: options.leg.name });
    this.#pacer = new FramePacer(options.clock, options.scheduler, this.#sendFrame);
  }

  get playing(): boolean {
    return this.#playback !== undefined;
  }

  /**
   * Resolves when the last frame has been sent ('finished') or the playback was ended by stop() or
   * another play() ('stopped'). Throws HGW_MEDIA_PROMPT for a segment the library lacks.
   */
  play(segments: readonly PromptSegment[], options: PlayOptions = {}): Promise<PlaybackEnd> {
    let samples: Int16Array;
    try {
      samples = this.#options.library.concatenate(segments);
    } catch (error) {
      return Promise.reject(error);
    }
    const codec = this.#options.leg.codec;
    // Whole frames: the tail is padded with silence rather than sent short.
    const frames = Math.max(1, Math.ceil(samples.length / FRAME_SAMPLES));
    const encoded = new Uint8Array(frames * FRAME_SAMPLES).fill(SILENCE_BYTE[codec]);
    encodeG711(codec, samples, encoded);
    this.#end('stopped');
    return new Promise<PlaybackEnd>((resolve) => {
      this.#playback = { encoded, codec, loop: options.loop ?? false, writer: new RtpStreamWriter(), resolve, offset: 0 };
      this.#logger.debug({ segments: segments.length, frames }, 'prompt started');
      this.#pacer.start();
    });
  }

  /** Ends the current playback, if any, as 'stopped'. */
  stop(): void {
    this.#end('stopped');
  }

  #end(how: PlaybackEnd): void {
    const playback = this.#playback;
    if (!playback) return;
    this.#playback = undefined;
    this.#pacer.stop();
    playback.resolve(how);
  }

  readonly #sendFrame = (): void => {
    const playback = this.#playback;
    if (!playback) return;
    this.#options.leg.send(playback.writer.encoded(playback.codec, playback.encoded.subarray(playback.offset, playback.offset + FRAME_SAMPLES)));
    playback.offset += FRAME_SAMPLES;
    if (playback.offset < playback.encoded.length) return;
    if (playback.loop) playback.offset = 0;
    else this.#end('finished');
  };
}
