import type { Scheduler } from '../time/scheduler.js';

/** A press this long toggles maintenance mode. */
export const LONG_PRESS_MS = 3_000;
/** The tamper input must read the same this long before it counts: a chattering switch is one event. */
export const TAMPER_DEBOUNCE_MS = 200;

export interface PanelInputsOptions {
  readonly scheduler: Scheduler;
  readonly onLongPress: () => void;
  readonly onTamper: () => void;
  readonly onTamperCleared: () => void;
  readonly longPressMs?: number;
  readonly tamperDebounceMs?: number;
}

/**
 * The button and the tamper switch as pin levels come in, whatever reads them. Both inputs have
 * pull-ups: the button reads LOW while pressed; the tamper switch is closed to ground while the lid
 * is on, so HIGH (lid open, or the wire cut) is tamper: the fail-safe way round.
 *
 * The long press fires once the button has been held for the long-press time, without waiting for
 * the release, so the ready LED answers while the technician still holds it. The tamper input
 * counts only after it stayed at a level for the debounce time.
 */
export class PanelInputs {
  readonly #options: PanelInputsOptions;
  #cancelHold: (() => void) | undefined;
  #cancelTamperSettle: (() => void) | undefined;
  /** The last debounced tamper reading; undefined before the first. */
  #tampered: boolean | undefined;
  #tamperLevel: number | undefined;

  constructor(options: PanelInputsOptions) {
    this.#options = options;
  }

  /** Inputs whose long press and tamper changes are the panel's own events, as every panel emits them. */
  static emittingTo(events: { emit(event: 'long-press' | 'tamper' | 'tamper-cleared'): void }, timing: Pick<PanelInputsOptions, 'scheduler' | 'longPressMs' | 'tamperDebounceMs'>): PanelInputs {
    return new PanelInputs({
      scheduler: timing.scheduler,
      longPressMs: timing.longPressMs,
      tamperDebounceMs: timing.tamperDebounceMs,
      onLongPress: () => events.emit('long-press'),
      onTamper: () => events.emit('tamper'),
      onTamperCleared: () => events.emit('tamper-cleared'),
    });
  }

  /** A reading of the button pin (0 = pressed). */
  button(level: number): void {
    if (level === 0) {
      if (this.#cancelHold) return;
      this.#cancelHold = this.#options.scheduler.after(this.#options.longPressMs ?? LONG_PRESS_MS, () => {
        // Still held: the release cancels this. Fired once per press.
        this.#cancelHold = () => undefined;
        this.#options.onLongPress();
      });
    } else {
      this.#cancelHold?.();
      this.#cancelHold = undefined;
    }
  }

  /** A reading of the tamper pin (1 = open or cut). */
  tamper(level: number): void {
    const normalized = level === 0 ? 0 : 1;
    if (normalized === this.#tamperLevel) return;
    this.#tamperLevel = normalized;
    this.#cancelTamperSettle?.();
    this.#cancelTamperSettle = this.#options.scheduler.after(this.#options.tamperDebounceMs ?? TAMPER_DEBOUNCE_MS, () => {
      this.#cancelTamperSettle = undefined;
      const tampered = normalized === 1;
      if (tampered === this.#tampered) return;
      const first = this.#tampered === undefined;
      this.#tampered = tampered;
      if (tampered) this.#options.onTamper();
      else if (!first) this.#options.onTamperCleared();
    });
  }

  /** Whether the lid reads open (debounced); undefined before the first settled reading. */
  tampered(): boolean | undefined {
    return this.#tampered;
  }

  /** Forgets the levels (the board went away): the next board's first readings start afresh. */
  reset(): void {
    this.#cancelHold?.();
    this.#cancelHold = undefined;
    this.#cancelTamperSettle?.();
    this.#cancelTamperSettle = undefined;
    this.#tamperLevel = undefined;
  }
}
