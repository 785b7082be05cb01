import { randomUUID } from 'node:crypto';
import type { TypedEmitter } from '../events/typed-emitter.js';
import type { Logger } from '../log/logger.js';
import type { Clock } from '../time/clock.js';
import { CallerIdParser, type CallerIdParserOptions, type ParserEvent } from './caller-id-parser.js';
import type { LineEvents } from './line-interface.js';
import type { Scheduler, TimerHandle } from './scheduler.js';

export interface CallerIdFeedOptions extends CallerIdParserOptions {
  readonly emitter: TypedEmitter<LineEvents>;
  readonly scheduler: Scheduler;
  /** component-scoped logger */
  readonly logger: Logger;
  /** How often ring silence is checked while a call is ringing. */
  readonly tickMs?: number;
}

/** What a line adapter's own options say about caller ID; both adapters take these. */
export type CallerIdSettings = Pick<CallerIdFeedOptions, 'country' | 'clock' | 'ringsBeforeUnknown' | 'ringSilenceMs' | 'tickMs'> & {
  readonly newCallId?: () => string;
};

/** The feed options of a line adapter: its caller-ID settings, its own parts, call ids with its prefix. */
export function feedOptionsFor(
  settings: CallerIdSettings,
  parts: Pick<CallerIdFeedOptions, 'emitter' | 'scheduler' | 'logger'>,
  callIdPrefix: string,
): CallerIdFeedOptions {
  return {
    country: settings.country,
    clock: settings.clock,
    ringsBeforeUnknown: settings.ringsBeforeUnknown,
    ringSilenceMs: settings.ringSilenceMs,
    tickMs: settings.tickMs,
    newCallId: settings.newCallId ?? (() => `${callIdPrefix}-${randomUUID()}`),
    ...parts,
  };
}

export interface CallerIdFeedCounters {
  calls: number;
  callsEnded: number;
  abandonedCalls: number;
  junkLines: number;
  garbledLines: number;
  modemResponses: number;
  laterCallerIds: number;
}

/** At most one junk/garbled log line per reason per minute: a noisy line must not flood the log. */
const JUNK_LOG_INTERVAL_MS = 60_000;
const DEFAULT_TICK_MS = 1000;

/**
 * The part both line adapters share: modem lines in, LineEvents out. Owns the parser, the
 * ring-silence timer and the content-free counters; the adapters only bring the lines.
 */
export class CallerIdFeed {
  readonly #parser: CallerIdParser;
  readonly #emitter: TypedEmitter<LineEvents>;
  readonly #scheduler: Scheduler;
  readonly #logger: Logger;
  readonly #clock: Clock;
  readonly #tickMs: number;
  readonly #counters: CallerIdFeedCounters = {
    calls: 0, callsEnded: 0, abandonedCalls: 0, junkLines: 0, garbledLines: 0, modemResponses: 0, laterCallerIds: 0,
  };
  readonly #junkLog = new Map<string, { loggedAt: number; unlogged: number }>();
  #tickTimer: TimerHandle | undefined;
  #stopped = false;

  constructor(options: CallerIdFeedOptions) {
    this.#parser = new CallerIdParser(options);
    this.#emitter = options.emitter;
    this.#scheduler = options.scheduler;
    this.#logger = options.logger;
    this.#clock = options.clock;
    this.#tickMs = options.tickMs ?? DEFAULT_TICK_MS;
  }

  accept(line: string): void {
    if (this.#stopped) return;
    this.#dispatch(this.#parser.accept(line));
    this.#armTick();
  }

  counters(): Readonly<CallerIdFeedCounters> {
    return { ...this.#counters };
  }

  stop(): void {
    this.#stopped = true;
    this.#clearTick();
  }

  #armTick(): void {
    if (!this.#parser.callActive || this.#tickTimer !== undefined || this.#stopped) return;
    this.#tickTimer = this.#scheduler.setTimeout(() => {
      this.#tickTimer = undefined;
      this.#dispatch(this.#parser.tick());
      this.#armTick();
    }, this.#tickMs);
  }

  #clearTick(): void {
    if (this.#tickTimer === undefined) return;
    this.#scheduler.clearTimeout(this.#tickTimer);
    this.#tickTimer = undefined;
  }

  #dispatch(events: ParserEvent[]): void {
    for (const event of events) {
      switch (event.type) {
        case 'call-offered':
          this.#counters.calls += 1;
          this.#logger.info({ lineCallId: event.call.lineCallId, presentation: event.call.caller.kind }, 'call offered');
          this.#emitter.emit('call-offered', event.call);
          break;
        case 'call-ended':
          this.#counters.callsEnded += 1;
          this.#logger.info({ lineCallId: event.lineCallId }, 'call ended');
          this.#emitter.emit('call-ended', event.lineCallId, event.endedAt);
          break;
        case 'call-abandoned':
          this.#counters.abandonedCalls += 1;
          this.#logger.info({ rings: event.rings }, 'rings stopped before the call was offered');
          break;
        case 'ignored':
          this.#countIgnored(event.reason);
          break;
      }
    }
  }

  #countIgnored(reason: Extract<ParserEvent, { type: 'ignored' }>['reason']): void {
    switch (reason) {
      case 'control':
        this.#counters.junkLines += 1;
        this.#logJunk(reason);
        break;
      case 'garbled':
        this.#counters.garbledLines += 1;
        this.#logJunk(reason);
        break;
      case 'modem-response':
        this.#counters.modemResponses += 1;
        break;
      case 'later-caller-id':
        this.#counters.laterCallerIds += 1;
        this.#logger.info('later caller ID in the same call ignored: the first one wins');
        break;
      case 'caller-id-field':
        break;
    }
  }

  /** The reason and counts only: the line itself may hold a number, so not even its length. */
  #logJunk(reason: 'control' | 'garbled'): void {
    const now = this.#clock.now();
    const entry = this.#junkLog.get(reason);
    if (entry && now - entry.loggedAt < JUNK_LOG_INTERVAL_MS) {
      entry.unlogged += 1;
      return;
    }
    const total = reason === 'control' ? this.#counters.junkLines : this.#counters.garbledLines;
    this.#logger.warn({ reason, total, sinceLastLog: (entry?.unlogged ?? 0) + 1 }, 'unreadable modem line ignored');
    this.#junkLog.set(reason, { loggedAt: now, unlogged: 0 });
  }
}
