import type { BindingInterface } from '@serialport/bindings-cpp';
import { SerialPortStream } from '@serialport/stream';
import { SerialPort } from 'serialport';
import { describeError, TypedEmitter } from '../../events/typed-emitter.js';
import type { Logger } from '../../log/logger.js';
import type { SiteCountry } from '../../privacy/normalize.js';
import type { Clock } from '../../time/clock.js';
import { CallerIdFeed, feedOptionsFor } from '../caller-id-feed.js';
import type { LineEvents, LineInterface, LineState } from '../line-interface.js';
import { systemScheduler, type Scheduler, type TimerHandle } from '../scheduler.js';
import { BoundedLineSplitter } from './bounded-line-splitter.js';
import { initializeModem, ModemCommander } from './modem-session.js';

export interface SerialModemLineOptions {
  /** The modem's device, e.g. a udev symlink such as /dev/caller-id-modem. */
  readonly path: string;
  readonly baudRate?: number;
  /** Sent in order before caller ID is enabled. */
  readonly initCommands?: readonly string[];
  /** Tried in order: the first that answers OK wins; ERROR or a timeout tries the next. */
  readonly callerIdCommands?: readonly string[];
  readonly commandTimeoutMs?: number;
  readonly country: SiteCountry;
  readonly clock: Clock;
  readonly logger: Logger;
  /** The serialport binding; the platform's real one unless a test passes MockBinding. */
  readonly binding?: BindingInterface;
  readonly scheduler?: Scheduler;
  readonly reconnectInitialMs?: number;
  readonly reconnectMaxMs?: number;
  readonly ringsBeforeUnknown?: number;
  readonly ringSilenceMs?: number;
  /** How often ring silence is checked while a call rings. */
  readonly tickMs?: number;
  readonly newCallId?: () => string;
  readonly name?: string;
}

export const DEFAULT_INIT_COMMANDS: readonly string[] = ['ATZ'];
export const DEFAULT_CALLER_ID_COMMANDS: readonly string[] = ['AT+VCID=1', 'AT#CID=1'];

/**
 * A caller-ID modem on a serial port. Opens the port, runs the init sequence, turns the modem's
 * lines into call events, and when the port vanishes (USB unplugged, modem power-cycled) keeps
 * reopening it with a doubling backoff.
 */
export class SerialModemLine implements LineInterface {
  readonly name: string;
  readonly #options: SerialModemLineOptions;
  readonly #binding: BindingInterface;
  readonly #scheduler: Scheduler;
  readonly #logger: Logger;
  readonly #emitter: TypedEmitter<LineEvents>;
  readonly #feed: CallerIdFeed;
  readonly #commander: ModemCommander;
  #port: SerialPortStream | undefined;
  /** Bumped whenever a port is given up: events from an older port are ignored. */
  #generation = 0;
  #running = false;
  #stopped = false;
  #everReady = false;
  #backoffAttempt = 0;
  #reconnectTimer: TimerHandle | undefined;
  #dtrWarned = false;
  #reconnects = 0;
  #openFailures = 0;
  #callerIdCommandIndex = -1;

  constructor(options: SerialModemLineOptions) {
    if (typeof options.path !== 'string' || options.path === '') throw new TypeError('SerialModemLine needs a "path"');
    if (!options.clock) throw new TypeError('SerialModemLine needs a "clock"');
    if (!options.logger) throw new TypeError('SerialModemLine needs a "logger"');
    if (options.callerIdCommands && options.callerIdCommands.length === 0) {
      throw new TypeError('SerialModemLine "callerIdCommands" must name at least one command');
    }
    this.name = options.name ?? 'modem';
    this.#options = options;
    this.#binding = options.binding ?? SerialPort.binding;
    this.#scheduler = options.scheduler ?? systemScheduler;
    this.#logger = options.logger.child({ component: 'modem' });
    this.#emitter = new TypedEmitter<LineEvents>(this.#logger);
    this.#feed = new CallerIdFeed(feedOptionsFor(options, { emitter: this.#emitter, scheduler: this.#scheduler, logger: this.#logger }, 'modem'));
    this.#commander = new ModemCommander({
      write: (text) => this.#port?.write(text),
      scheduler: this.#scheduler,
      timeoutMs: options.commandTimeoutMs ?? 3000,
    });
  }

  on<K extends keyof LineEvents>(event: K, listener: (...args: LineEvents[K]) => void): () => void {
    return this.#emitter.on(event, listener);
  }

  /** Resolves after the first attempt: ready, or disconnected with a reconnect scheduled. */
  async start(): Promise<void> {
    if (this.#stopped) throw new TypeError('a stopped SerialModemLine cannot be started again');
    if (this.#running) return;
    this.#running = true;
    await this.#connect();
  }

  async stop(): Promise<void> {
    if (!this.#running) return;
    this.#running = false;
    this.#stopped = true;
    this.#clearReconnect();
    this.#feed.stop();
    await this.#releasePort();
    this.#setState('disconnected', 'stopped');
  }

  counters(): Readonly<Record<string, number>> {
    return {
      ...this.#feed.counters(),
      reconnects: this.#reconnects,
      openFailures: this.#openFailures,
      callerIdCommand: this.#callerIdCommandIndex,
    };
  }

  async #connect(): Promise<void> {
    const generation = ++this.#generation;
    const current = (): boolean => this.#running && generation === this.#generation;
    this.#setState('connecting', 'opening port');
    const port = new SerialPortStream({
      binding: this.#binding,
      path: this.#options.path,
      baudRate: this.#options.baudRate ?? 115200,
      autoOpen: false,
    });
    this.#port = port;
    // A listener stays for the port's whole life: an 'error' with no listener would crash the process.
    port.on('error', (error: Error) => {
      if (current()) this.#lost('port error', error);
    });
    port.on('close', (error: Error | null) => {
      if (current()) this.#lost('port closed', error ?? undefined);
    });
    const openError = await new Promise<Error | null>((resolve) => port.open(resolve));
    if (!current()) {
      // stop() ran while the port was opening: close what just opened.
      if (!openError) port.close();
      return;
    }
    if (openError) {
      this.#openFailures += 1;
      this.#lost('port open failed', openError);
      return;
    }
    const splitter = new BoundedLineSplitter();
    port.on('data', (chunk: Buffer) => {
      if (!current()) return;
      for (const line of splitter.push(chunk)) {
        this.#commander.accept(line);
        this.#feed.accept(line);
      }
    });
    await this.#raiseDtr(port);
    if (!current()) return;
    this.#setState('connecting', 'initializing modem');
    const result = await initializeModem(
      this.#commander,
      this.#options.initCommands ?? DEFAULT_INIT_COMMANDS,
      this.#options.callerIdCommands ?? DEFAULT_CALLER_ID_COMMANDS,
      this.#logger,
    );
    if (result.kind === 'cancelled' || !current()) return;
    this.#callerIdCommandIndex = result.callerIdCommandIndex;
    this.#backoffAttempt = 0;
    if (this.#everReady) this.#reconnects += 1;
    this.#everReady = true;
    this.#setState('ready', result.callerIdCommandIndex >= 0 ? 'caller ID enabled' : 'caller ID not available');
  }

  /** Many modems only answer with DTR up; a pty cannot set it ("Operation not supported"). */
  async #raiseDtr(port: SerialPortStream): Promise<void> {
    const error = await new Promise<Error | null>((resolve) => port.set({ dtr: true }, resolve));
    if (!error || this.#dtrWarned) return;
    this.#dtrWarned = true;
    this.#logger.warn({ err: describeError(error) }, 'could not raise DTR; continuing without it');
  }

  #lost(reason: string, error?: Error): void {
    if (!this.#running) return;
    this.#generation += 1;
    this.#commander.cancel();
    void this.#releasePort();
    const delayMs = Math.min(
      (this.#options.reconnectInitialMs ?? 1000) * 2 ** this.#backoffAttempt,
      this.#options.reconnectMaxMs ?? 30_000,
    );
    this.#backoffAttempt += 1;
    this.#logger.warn({ code: 'HGW_LINE_UNREACHABLE', reason, delayMs, err: error ? describeError(error) : undefined }, 'modem port lost; reconnecting');
    this.#setState('disconnected', reason);
    this.#clearReconnect();
    this.#reconnectTimer = this.#scheduler.setTimeout(() => {
      this.#reconnectTimer = undefined;
      void this.#connect();
    }, delayMs);
  }

  #clearReconnect(): void {
    if (this.#reconnectTimer === undefined) return;
    this.#scheduler.clearTimeout(this.#reconnectTimer);
    this.#reconnectTimer = undefined;
  }

  async #releasePort(): Promise<void> {
    const port = this.#port;
    this.#port = undefined;
    this.#generation += 1;
    this.#commander.cancel();
    if (!port) return;
    port.unpipe();
    if (!port.isOpen) return;
    await new Promise<void>((resolve) => port.close(() => resolve()));
  }

  #setState(state: LineState, reason: string): void {
    this.#logger.info({ state, reason }, 'line state');
    this.#emitter.emit('state', state, reason);
  }
}
