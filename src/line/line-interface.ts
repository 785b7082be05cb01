import type { RawPhoneNumber } from '../privacy/raw-identifier.js';

/**
 * What a line tells about who is calling. Normalization happens in the adapter, so the number is
 * already a RawPhoneNumber when it leaves the line folder.
 */
export type CallerPresentation =
  | { readonly kind: 'number'; readonly number: RawPhoneNumber }
  | { readonly kind: 'withheld' }
  | { readonly kind: 'unavailable' }
  /** Caller ID that could not be read as a phone number: treated like unavailable, counted apart. */
  | { readonly kind: 'invalid' }
  /** No caller ID arrived by the configured ring. */
  | { readonly kind: 'unknown' };

export interface OfferedCall {
  /** The line's own id for this call, unique within the process; never derived from the number. */
  readonly lineCallId: string;
  readonly caller: CallerPresentation;
  /** From the injected clock. */
  readonly offeredAt: number;
}

export type LineState = 'connecting' | 'ready' | 'disconnected';

export interface LineEvents {
  'call-offered': [call: OfferedCall];
  'call-ended': [lineCallId: string, endedAt: number];
  'state': [state: LineState, reason: string];
}

/** Every line adapter (serial modem, SIP, replay) looks like this to the core. */
export interface LineInterface {
  readonly name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  on<K extends keyof LineEvents>(event: K, listener: (...args: LineEvents[K]) => void): () => void;
  /** Counters for doctor/health: calls, junk lines, reconnects. Never content. */
  counters(): Readonly<Record<string, number>>;
}
