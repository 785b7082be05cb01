import { TypedEmitter } from '../events/typed-emitter.js';
import type { Scheduler } from '../time/scheduler.js';
import { LedBlinker } from './led-blinker.js';
import type { LedMode, LedModes, LedName, Panel, PanelConnection, PanelEvents } from './panel.js';
import { PanelInputs } from './panel-inputs.js';

export interface FakePanelOptions {
  readonly scheduler: Scheduler;
  /** Told of every mode change (the demo prints a line each). */
  readonly onLedChange?: (led: LedName, mode: LedMode) => void;
  readonly longPressMs?: number;
  readonly tamperDebounceMs?: number;
}

/**
 * A panel without hardware, for tests and the demo: the LEDs are modes in memory (and their
 * levels, blinking on the scheduler), the button and the lid are methods. The inputs go through
 * the same long-press and debounce logic as the real board's.
 */
export class FakePanel implements Panel {
  readonly kind = 'fake';
  readonly #events = new TypedEmitter<PanelEvents>();
  readonly #blinker: LedBlinker;
  readonly #inputs: PanelInputs;
  readonly #lit = new Map<LedName, boolean>();
  readonly #onLedChange: FakePanelOptions['onLedChange'];
  #state: PanelConnection = 'connecting';
  #buttonHeld = false;
  #lidOpen = false;

  constructor(options: FakePanelOptions) {
    this.#onLedChange = options.onLedChange;
    this.#blinker = new LedBlinker({ scheduler: options.scheduler, write: (led, lit) => this.#lit.set(led, lit) });
    this.#inputs = PanelInputs.emittingTo(this.#events, options);
  }

  start(): Promise<void> {
    if (this.#state === 'connecting') this.plugIn();
    return Promise.resolve();
  }

  stop(): Promise<void> {
    this.#blinker.stop();
    this.#inputs.reset();
    this.#events.removeAllListeners();
    return Promise.resolve();
  }

  setLed(led: LedName, mode: LedMode): void {
    const before = this.#blinker.modes()[led];
    this.#blinker.set(led, mode);
    if (before !== mode) this.#onLedChange?.(led, mode);
  }

  leds(): LedModes {
    return this.#blinker.modes();
  }

  /** Whether an LED is lit right now (a blinking one changes with the scheduler). */
  lit(led: LedName): boolean {
    return this.#lit.get(led) ?? false;
  }

  connection(): PanelConnection {
    return this.#state;
  }

  on<K extends keyof PanelEvents>(event: K, listener: (...args: PanelEvents[K]) => void): () => void {
    return this.#events.on(event, listener);
  }

  pressButton(): void {
    this.#buttonHeld = true;
    this.#inputs.button(0);
  }

  releaseButton(): void {
    this.#buttonHeld = false;
    this.#inputs.button(1);
  }

  /** The lid comes off (or the tamper wire is cut): the input reads HIGH. */
  openLid(): void {
    this.#lidOpen = true;
    this.#inputs.tamper(1);
  }

  closeLid(): void {
    this.#lidOpen = false;
    this.#inputs.tamper(0);
  }

  unplug(): void {
    if (this.#state === 'lost') return;
    this.#inputs.reset();
    this.#state = 'lost';
    this.#events.emit('lost', 'the fake panel was unplugged');
  }

  /** The board (back) on the bus: its inputs are read afresh, as the real board's are. */
  plugIn(): void {
    if (this.#state === 'connected') return;
    this.#state = 'connected';
    this.#blinker.rewrite();
    this.#events.emit('found');
    this.#inputs.tamper(this.#lidOpen ? 1 : 0);
    this.#inputs.button(this.#buttonHeld ? 0 : 1);
  }
}
