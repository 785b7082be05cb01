import five from 'johnny-five';
import { describeError, TypedEmitter } from '../events/typed-emitter.js';
import type { Logger } from '../log/logger.js';
import type { Scheduler } from '../time/scheduler.js';
import { LedBlinker } from './led-blinker.js';
import { LED_NAMES, type LedMode, type LedModes, type LedName, type Panel, type PanelConnection, type PanelEvents } from './panel.js';
import { PanelInputs } from './panel-inputs.js';

/** Arduino pin numbers (the contract's wiring, hardware/pinout.md). */
export interface PanelPins {
  readonly button: number;
  readonly tamper: number;
  readonly leds: Readonly<Record<LedName, number>>;
}

export const DEFAULT_PANEL_PINS: PanelPins = {
  button: 2,
  tamper: 3,
  leds: { ready: 5, line: 6, upstream: 9, fault: 10 },
};

/**
 * The part of a johnny-five io plugin (firmata-io's Firmata, mock-firmata, raspi-io, linux-io …)
 * the panel touches itself: its events. Johnny-five's Board does the rest.
 */
export interface PanelIo {
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  readonly MODES?: Readonly<Record<string, number>>;
}

/** One connection to the board: a fresh io, and how to let go of it (close the serial port). */
export interface PanelIoHandle {
  readonly io: PanelIo;
  close(): void;
}

export interface FirmataPanelOptions {
  /** Opens the board anew; called at start and at every reconnect. */
  readonly open: () => PanelIoHandle;
  readonly scheduler: Scheduler;
  readonly logger: Logger;
  readonly pins?: PanelPins;
  /** A board that has not said ready this long after opening is given up and tried again. */
  readonly readyTimeoutMs?: number;
  readonly reconnectInitialMs?: number;
  readonly reconnectMaxMs?: number;
  readonly longPressMs?: number;
  readonly tamperDebounceMs?: number;
}

const HIGH = 1;
const LOW = 0;
/** Firmata's pin modes, where an io does not say (mock-firmata has no PULLUP). */
const INPUT_MODE = 0;
const OUTPUT_MODE = 1;

interface Connection {
  readonly handle: PanelIoHandle;
  readonly board: five.Board;
  ready: boolean;
  cancelReadyTimer: () => void;
}

/**
 * The front panel on an I/O board through johnny-five with an explicit io: an Arduino running
 * StandardFirmata on USB serial in production (firmata-io over a serialport SerialPort), a
 * mock-firmata in the tests. When the board goes away (unplugged, port error, no answer) the panel
 * says 'lost' once and reopens it with backoff; 'found' when it answers again. Blinking runs on
 * the injected scheduler, never on johnny-five's own timers.
 */
export class FirmataPanel implements Panel {
  readonly kind = 'firmata';
  readonly #options: FirmataPanelOptions;
  readonly #pins: PanelPins;
  readonly #logger: Logger;
  readonly #events: TypedEmitter<PanelEvents>;
  readonly #blinker: LedBlinker;
  readonly #inputs: PanelInputs;
  #connection: Connection | undefined;
  #state: PanelConnection = 'connecting';
  #failedAttempts = 0;
  #cancelReconnect: (() => void) | undefined;
  #running = false;

  constructor(options: FirmataPanelOptions) {
    if (typeof options?.open !== 'function') throw new TypeError('FirmataPanel: options.open is required');
    if (!options.scheduler || !options.logger) throw new TypeError('FirmataPanel: options.scheduler and options.logger are required');
    this.#options = options;
    this.#pins = options.pins ?? DEFAULT_PANEL_PINS;
    this.#logger = options.logger.child({ component: 'panel' });
    this.#events = new TypedEmitter<PanelEvents>(this.#logger);
    this.#blinker = new LedBlinker({ scheduler: options.scheduler, write: (led, lit) => this.#write(this.#pins.leds[led], lit ? HIGH : LOW) });
    this.#inputs = PanelInputs.emittingTo(this.#events, options);
  }

  start(): Promise<void> {
    if (this.#running) return Promise.resolve();
    this.#running = true;
    this.#open();
    return Promise.resolve();
  }

  async stop(): Promise<void> {
    if (!this.#running) return;
    this.#running = false;
    this.#cancelReconnect?.();
    this.#cancelReconnect = undefined;
    // Dark LEDs on a box whose process stopped: "ready off = not running".
    for (const led of LED_NAMES) this.#write(this.#pins.leds[led], LOW);
    this.#blinker.stop();
    this.#inputs.reset();
    const connection = this.#connection;
    this.#connection = undefined;
    if (connection) this.#release(connection);
    this.#events.removeAllListeners();
  }

  setLed(led: LedName, mode: LedMode): void {
    this.#blinker.set(led, mode);
  }

  leds(): LedModes {
    return this.#blinker.modes();
  }

  connection(): PanelConnection {
    return this.#state;
  }

  on<K extends keyof PanelEvents>(event: K, listener: (...args: PanelEvents[K]) => void): () => void {
    return this.#events.on(event, listener);
  }

  #open(): void {
    let handle: PanelIoHandle;
    try {
      handle = this.#options.open();
    } catch (error) {
      this.#lost(undefined, `the panel board could not be opened (${describeError(error).code ?? 'error'})`);
      return;
    }
    const { io } = handle;
    // Before 'ready' johnny-five does not listen for these; an 'error' nobody hears would throw.
    io.on('error', (error: unknown) => this.#lost(connection, `panel board error (${describeError(error).code ?? 'error'})`));
    io.on('close', () => this.#lost(connection, 'the panel board closed'));
    io.on('disconnect', () => this.#lost(connection, 'the panel board was unplugged'));
    const board = new five.Board({ io, repl: false, debug: false, sigint: false } as five.BoardOption);
    board.on('error', (error: Error) => this.#lost(connection, `panel board error (${describeError(error).code ?? 'error'})`));
    const connection: Connection = {
      handle,
      board,
      ready: false,
      cancelReadyTimer: this.#options.scheduler.after(this.#options.readyTimeoutMs ?? 10_000, () =>
        this.#lost(connection, 'the panel board did not answer (is StandardFirmata on it?)'),
      ),
    };
    this.#connection = connection;
    board.on('ready', () => this.#ready(connection));
  }

  #ready(connection: Connection): void {
    if (this.#connection !== connection || connection.ready) return;
    connection.cancelReadyTimer();
    connection.ready = true;
    const { board, handle } = connection;
    for (const led of LED_NAMES) board.pinMode(this.#pins.leds[led], OUTPUT_MODE as five.PinMode);
    for (const [pin, read] of [
      [this.#pins.button, (level: number) => this.#inputs.button(level)],
      [this.#pins.tamper, (level: number) => this.#inputs.tamper(level)],
    ] as const) {
      const pullUp = handle.io.MODES?.['PULLUP'];
      if (pullUp === undefined) {
        // The classic way: a HIGH written to an input pin turns its pull-up on.
        board.pinMode(pin, INPUT_MODE as five.PinMode);
        board.digitalWrite(pin, HIGH);
      } else {
        board.pinMode(pin, pullUp as five.PinMode);
      }
      board.digitalRead(pin, (level) => {
        if (this.#connection === connection) read(level);
      });
    }
    this.#failedAttempts = 0;
    this.#blinker.rewrite();
    const wasLost = this.#state === 'lost';
    this.#state = 'connected';
    this.#logger.info({ again: wasLost }, 'panel board ready');
    this.#events.emit('found');
  }

  /** Once per connection: lets go of it, says 'lost' if it was not lost already, and tries again later. */
  #lost(connection: Connection | undefined, reason: string): void {
    if (connection !== undefined && this.#connection !== connection) return;
    if (connection) {
      this.#connection = undefined;
      this.#release(connection);
    }
    this.#inputs.reset();
    if (!this.#running) return;
    if (this.#state !== 'lost') {
      this.#state = 'lost';
      this.#logger.warn({ reason }, 'panel board lost');
      this.#events.emit('lost', reason);
    } else {
      this.#logger.debug({ reason }, 'panel board still not reachable');
    }
    this.#scheduleReconnect();
  }

  #release(connection: Connection): void {
    connection.cancelReadyTimer();
    try {
      connection.handle.close();
    } catch (error) {
      this.#logger.debug({ err: describeError(error) }, 'closing the panel board failed');
    }
  }

  #scheduleReconnect(): void {
    if (this.#cancelReconnect) return;
    const initial = this.#options.reconnectInitialMs ?? 1_000;
    const max = this.#options.reconnectMaxMs ?? 30_000;
    const delay = Math.min(max, initial * 2 ** Math.min(this.#failedAttempts, 16));
    this.#failedAttempts += 1;
    this.#cancelReconnect = this.#options.scheduler.after(delay, () => {
      this.#cancelReconnect = undefined;
      if (this.#running) this.#open();
    });
  }

  #write(pin: number, level: number): void {
    const connection = this.#connection;
    if (!connection?.ready) return;
    try {
      connection.board.digitalWrite(pin, level);
    } catch (error) {
      this.#lost(connection, `writing to the panel board failed (${describeError(error).code ?? 'error'})`);
    }
  }
}
