import { normalizePhoneNumber, type SiteCountry } from '../privacy/normalize.js';
import type { Clock } from '../time/clock.js';
import type { CallerPresentation, OfferedCall } from './line-interface.js';

/** Why a line did not change the call: counted by the adapters, never logged with its content. */
export type IgnoredLineReason =
  /** Control characters or binary junk (line noise, a modem reset mid-line). */
  | 'control'
  /** Printable but not something a caller-ID modem says. */
  | 'garbled'
  /** OK, ERROR, NO CARRIER, the echo of an AT command, ... */
  | 'modem-response'
  /** DATE, TIME, NAME, MESG: consumed and dropped (a name is personal data). */
  | 'caller-id-field'
  /** A second NMBR in the same call: the first one wins (telcos mask with a later `NMBR = O`). */
  | 'later-caller-id';

export type ParserEvent =
  | { readonly type: 'call-offered'; readonly call: OfferedCall }
  | { readonly type: 'call-ended'; readonly lineCallId: string; readonly endedAt: number }
  /** Rings stopped before caller ID or ring N: never offered, so there is nothing to end. */
  | { readonly type: 'call-abandoned'; readonly rings: number }
  | { readonly type: 'ignored'; readonly reason: IgnoredLineReason };

export interface CallerIdParserOptions {
  readonly country: SiteCountry;
  readonly clock: Clock;
  /** Offer the call as unknown when this ring passes without caller ID. */
  readonly ringsBeforeUnknown?: number;
  /** No RING for this long ends the call (the caller hung up or someone answered). */
  readonly ringSilenceMs?: number;
  readonly newCallId: () => string;
}

interface ActiveCall {
  readonly lineCallId: string;
  offered: boolean;
  rings: number;
  lastActivityAt: number;
}

export const DEFAULT_RINGS_BEFORE_UNKNOWN = 2;
export const DEFAULT_RING_SILENCE_MS = 8000;

/** Longer than any real modem line; longer ones are noise, and need no regex run over them. */
const MAX_LINE_LENGTH = 200;
/** C0 controls (tab aside), DEL, C1 controls and the UTF-8 replacement character. */
const CONTROL_CHARACTERS = /[\x00-\x08\x0a-\x1f\x7f-\x9f\ufffd]/;
const CALLER_ID_FIELD = /^(DATE|TIME|NMBR|DDN_NMBR|NAME|MESG)\s*=\s*(.*)$/i;
/** Dutch DTMF caller ID: `D0612345678C` or `A0612345678C` (some exchanges end with `#`). */
const DTMF_NUMBER_FRAME = /^[AD](\d{1,20})[C#]$/i;
/** DTMF information codes instead of a number: `B00C` unavailable, `B10C` withheld. */
const DTMF_CODE_FRAME = /^B(\d\d)C?$/i;
const MODEM_RESPONSES = new Set([
  'OK', 'ERROR', 'NO CARRIER', 'NO DIALTONE', 'NO DIAL TONE', 'NO ANSWER', 'BUSY', 'CONNECT', 'VCON',
]);

/**
 * Turns the lines a caller-ID modem prints into call events. Pure: no I/O, no timers; time comes
 * from the injected clock and `tick()` is called by the adapter to notice ring silence.
 *
 * The number text is normalized the moment it is read and only the resulting RawPhoneNumber is
 * kept; NAME and MESG are dropped unread.
 */
export class CallerIdParser {
  readonly #country: SiteCountry;
  readonly #clock: Clock;
  readonly #ringsBeforeUnknown: number;
  readonly #ringSilenceMs: number;
  readonly #newCallId: () => string;
  #call: ActiveCall | undefined;

  constructor(options: CallerIdParserOptions) {
    const ringsBeforeUnknown = options.ringsBeforeUnknown ?? DEFAULT_RINGS_BEFORE_UNKNOWN;
    const ringSilenceMs = options.ringSilenceMs ?? DEFAULT_RING_SILENCE_MS;
    if (!Number.isInteger(ringsBeforeUnknown) || ringsBeforeUnknown < 1) {
      throw new TypeError('ringsBeforeUnknown must be a whole number of at least 1');
    }
    if (!(ringSilenceMs > 0)) throw new TypeError('ringSilenceMs must be a positive number');
    this.#country = options.country;
    this.#clock = options.clock;
    this.#ringsBeforeUnknown = ringsBeforeUnknown;
    this.#ringSilenceMs = ringSilenceMs;
    this.#newCallId = options.newCallId;
  }

  /** True while a call is ringing (offered or not): the adapter keeps ticking until it ends. */
  get callActive(): boolean {
    return this.#call !== undefined;
  }

  /** One line from the modem, without its line ending. Never throws on any input. */
  accept(line: string): ParserEvent[] {
    const events = this.tick();
    const text = line.replace(/[\r\n]+$/, '').trim();
    if (text === '') return events;
    if (text.length > MAX_LINE_LENGTH) return [...events, ignored('garbled')];
    if (CONTROL_CHARACTERS.test(text)) return [...events, ignored('control')];
    return [...events, ...this.#acceptText(text)];
  }

  /**
   * Ends the call when the rings have stopped for ringSilenceMs. The end is dated at the moment the
   * silence ran out, not when it was noticed, so it does not depend on how often tick() runs.
   */
  tick(): ParserEvent[] {
    const call = this.#call;
    if (!call) return [];
    const endedAt = call.lastActivityAt + this.#ringSilenceMs;
    if (this.#clock.now() < endedAt) return [];
    this.#call = undefined;
    if (!call.offered) return [{ type: 'call-abandoned', rings: call.rings }];
    return [{ type: 'call-ended', lineCallId: call.lineCallId, endedAt }];
  }

  #acceptText(text: string): ParserEvent[] {
    const upper = text.toUpperCase();
    if (upper === 'RING' || upper.startsWith('RING ')) return this.#ring();
    if (MODEM_RESPONSES.has(upper) || upper.startsWith('CONNECT ') || upper.startsWith('AT')) {
      return [ignored('modem-response')];
    }
    const field = CALLER_ID_FIELD.exec(text);
    if (field) {
      const key = (field[1] ?? '').toUpperCase();
      if (key !== 'NMBR' && key !== 'DDN_NMBR') return [ignored('caller-id-field')];
      return this.#callerId(presentationOf(field[2] ?? '', this.#country));
    }
    if (DTMF_NUMBER_FRAME.test(text) || DTMF_CODE_FRAME.test(text)) {
      return this.#callerId(presentationOf(text, this.#country));
    }
    return [ignored('garbled')];
  }

  #ring(): ParserEvent[] {
    const now = this.#clock.now();
    const call = this.#call ?? this.#startCall(now);
    call.rings += 1;
    call.lastActivityAt = now;
    if (call.offered || call.rings < this.#ringsBeforeUnknown) return [];
    return [this.#offer(call, { kind: 'unknown' }, now)];
  }

  #callerId(caller: CallerPresentation): ParserEvent[] {
    const now = this.#clock.now();
    const call = this.#call ?? this.#startCall(now);
    if (call.offered) return [ignored('later-caller-id')];
    call.lastActivityAt = now;
    return [this.#offer(call, caller, now)];
  }

  #startCall(now: number): ActiveCall {
    const call: ActiveCall = { lineCallId: this.#newCallId(), offered: false, rings: 0, lastActivityAt: now };
    this.#call = call;
    return call;
  }

  #offer(call: ActiveCall, caller: CallerPresentation, now: number): ParserEvent {
    call.offered = true;
    return { type: 'call-offered', call: { lineCallId: call.lineCallId, caller, offeredAt: now } };
  }
}

function ignored(reason: IgnoredLineReason): ParserEvent {
  return { type: 'ignored', reason };
}

/**
 * A caller-ID value (an NMBR value or a whole DTMF frame) as a presentation. DTMF frames may also
 * arrive inside NMBR, so both shapes are unwrapped here.
 */
function presentationOf(value: string, country: SiteCountry): CallerPresentation {
  const trimmed = value.trim();
  const code = DTMF_CODE_FRAME.exec(trimmed);
  if (code) return code[1] === '10' ? { kind: 'withheld' } : { kind: 'unavailable' };
  const frame = DTMF_NUMBER_FRAME.exec(trimmed);
  return normalizePhoneNumber(frame ? (frame[1] ?? '') : trimmed, country);
}
