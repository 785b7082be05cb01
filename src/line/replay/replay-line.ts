import { TypedEmitter } from '../../events/typed-emitter.js';
import type { Logger } from '../../log/logger.js';
import type { SiteCountry } from '../../privacy/normalize.js';
import type { Clock } from '../../time/clock.js';
import { CallerIdFeed, feedOptionsFor } from '../caller-id-feed.js';
import type { LineEvents, LineInterface, LineState } from '../line-interface.js';
import { systemScheduler, type Scheduler, type TimerHandle } from '../scheduler.js';
import { parseTranscript, type TranscriptStep } from './transcript.js';

export interface ReplayLineOptions {
  /** A transcript's text or its lines (see transcript.ts for the format). */
  readonly transcript: string | readonly string[];
  readonly country: SiteCountry;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly scheduler?: Scheduler;
  /** Start again from the top after the last line (the demo runs forever). */
  readonly loop?: boolean;
  readonly ringsBeforeUnknown?: number;
  readonly ringSilenceMs?: number;
  readonly tickMs?: number;
  readonly newCallId?: () => string;
  readonly name?: string;
}

/**
 * Plays a modem transcript through the same parser as the serial modem: the demo's phone line,
 * and a way to reproduce a field problem from a captured (and anonymized) transcript.
 */
export class ReplayLine implements LineInterface {
  readonly name: string;
  readonly #steps: readonly TranscriptStep[];
  readonly #loop: boolean;
  readonly #scheduler: Scheduler;
  readonly #logger: Logger;
  readonly #emitter: TypedEmitter<LineEvents>;
  readonly #feed: CallerIdFeed;
  #next = 0;
  #timer: TimerHandle | undefined;
  #running = false;
  #stopped = false;
  #linesPlayed = 0;
  #loops = 0;

  constructor(options: ReplayLineOptions) {
    if (options.transcript === undefined) throw new TypeError('ReplayLine needs a "transcript"');
    if (!options.clock) throw new TypeError('ReplayLine needs a "clock"');
    if (!options.logger) throw new TypeError('ReplayLine needs a "logger"');
    this.#steps = parseTranscript(options.transcript);
    this.#loop = options.loop ?? false;
    if (this.#loop && !this.#steps.some((step) => step.delayMs > 0)) {
      throw new TypeError('a looping ReplayLine needs a transcript with at least one pause');
    }
    this.name = options.name ?? 'replay';
    this.#scheduler = options.scheduler ?? systemScheduler;
    this.#logger = options.logger.child({ component: 'replay-line' });
    this.#emitter = new TypedEmitter<LineEvents>(this.#logger);
    this.#feed = new CallerIdFeed(feedOptionsFor(options, { emitter: this.#emitter, scheduler: this.#scheduler, logger: this.#logger }, 'replay'));
  }

  on<K extends keyof LineEvents>(event: K, listener: (...args: LineEvents[K]) => void): () => void {
    return this.#emitter.on(event, listener);
  }

  async start(): Promise<void> {
    if (this.#stopped) throw new TypeError('a stopped ReplayLine cannot be started again');
    if (this.#running) return;
    this.#running = true;
    this.#setState('ready', 'replaying transcript');
    this.#scheduleNext();
  }

  async stop(): Promise<void> {
    if (!this.#running) return;
    this.#running = false;
    this.#stopped = true;
    if (this.#timer !== undefined) this.#scheduler.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#feed.stop();
    this.#setState('disconnected', 'stopped');
  }

  counters(): Readonly<Record<string, number>> {
    return { ...this.#feed.counters(), linesPlayed: this.#linesPlayed, loops: this.#loops };
  }

  #scheduleNext(): void {
    if (!this.#running) return;
    if (this.#next >= this.#steps.length) {
      if (!this.#loop || this.#steps.length === 0) {
        this.#logger.info('transcript finished');
        return;
      }
      this.#next = 0;
      this.#loops += 1;
    }
    const step = this.#steps[this.#next];
    if (!step) return;
    this.#next += 1;
    this.#timer = this.#scheduler.setTimeout(() => {
      this.#timer = undefined;
      if (step.line !== null) {
        this.#linesPlayed += 1;
        this.#feed.accept(step.line);
      }
      this.#scheduleNext();
    }, step.delayMs);
  }

  #setState(state: LineState, reason: string): void {
    this.#emitter.emit('state', state, reason);
  }
}
