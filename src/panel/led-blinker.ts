import type { Scheduler } from '../time/scheduler.js';
import { allLeds, LED_NAMES, type LedMode, type LedModes, type LedName } from './panel.js';

/** Half a period of the fast blink (4 Hz); the slow blink (1 Hz) changes every fourth tick. */
export const BLINK_TICK_MS = 125;
const SLOW_TICKS = 4;

export interface LedBlinkerOptions {
  /** Lights or darkens one LED; called only when its level changes (or on `rewrite`). */
  readonly write: (led: LedName, lit: boolean) => void;
  readonly scheduler: Scheduler;
}

/**
 * Turns LED modes into levels over time, on the injected scheduler so a test moves time by hand.
 * One tick drives every blinking LED, so LEDs blinking at the same rate blink together. The tick
 * runs only while an LED blinks.
 */
export class LedBlinker {
  readonly #write: LedBlinkerOptions['write'];
  readonly #scheduler: Scheduler;
  readonly #modes: Record<LedName, LedMode> = allLeds('off');
  readonly #lit = new Map<LedName, boolean>();
  #tick = 0;
  #cancelTick: (() => void) | undefined;
  #stopped = false;

  constructor(options: LedBlinkerOptions) {
    this.#write = options.write;
    this.#scheduler = options.scheduler;
  }

  modes(): LedModes {
    return { ...this.#modes };
  }

  set(led: LedName, mode: LedMode): void {
    if (this.#stopped || this.#modes[led] === mode) return;
    this.#modes[led] = mode;
    this.#show(led, true);
    this.#armTick();
  }

  /** Writes every LED's level again, changed or not: after the board came back. */
  rewrite(): void {
    this.#lit.clear();
    for (const led of LED_NAMES) this.#show(led, false);
  }

  /** Stops the tick; the LEDs keep the level they last had (the caller turns them off first). */
  stop(): void {
    this.#stopped = true;
    this.#cancelTick?.();
    this.#cancelTick = undefined;
  }

  /** A mode just set starts lit, so a change is seen at once; a blinking LED follows the tick. */
  #show(led: LedName, fresh: boolean): void {
    const mode = this.#modes[led];
    const lit = mode === 'on' || ((mode === 'blink-slow' || mode === 'blink-fast') && (fresh || this.#phaseLit(mode)));
    if (this.#lit.get(led) === lit) return;
    this.#lit.set(led, lit);
    this.#write(led, lit);
  }

  #phaseLit(mode: 'blink-slow' | 'blink-fast'): boolean {
    const step = mode === 'blink-fast' ? this.#tick : Math.floor(this.#tick / SLOW_TICKS);
    return step % 2 === 0;
  }

  #armTick(): void {
    const blinking = LED_NAMES.some((led) => this.#modes[led].startsWith('blink'));
    if (!blinking) {
      this.#cancelTick?.();
      this.#cancelTick = undefined;
      return;
    }
    if (this.#cancelTick) return;
    this.#cancelTick = this.#scheduler.after(BLINK_TICK_MS, () => {
      this.#cancelTick = undefined;
      this.#tick = (this.#tick + 1) % (2 * SLOW_TICKS);
      for (const led of LED_NAMES) {
        const mode = this.#modes[led];
        if (mode === 'blink-slow' || mode === 'blink-fast') this.#show(led, false);
      }
      this.#armTick();
    });
  }
}
