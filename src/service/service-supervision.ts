import type { Logger } from '../log/logger.js';
import type { Scheduler } from '../time/scheduler.js';
import type { NotifySink } from './notify-sink.js';

/** What the running box reports at every watchdog tick. */
export interface RunningState {
  /** One short line for `systemctl status` (no personal data: it lands in the journal). */
  readonly status: () => string;
  /**
   * False while the box is wedged in a way a restart can cure (the store closed under it). The
   * watchdog pings are withheld then, so systemd restarts the box. A line or broker that is down
   * is not such a state: the adapters reconnect by themselves and a restart would not help.
   */
  readonly alive: () => boolean;
}

export interface ServiceSupervisionOptions {
  readonly sink: NotifySink;
  /** How often to ping (half of WatchdogSec); undefined: the unit has no watchdog. */
  readonly watchdogIntervalMs: number | undefined;
  readonly scheduler: Scheduler;
  readonly logger: Logger;
}

const STATUS_MAX_CHARS = 200;

/** One line, no control characters, bounded: a STATUS= that cannot break the datagram's framing. */
export function statusText(text: string): string {
  const line = text.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  return line.length > STATUS_MAX_CHARS ? `${line.slice(0, STATUS_MAX_CHARS - 1)}…` : line;
}

/**
 * The box's side of the sd_notify protocol: STATUS while starting, READY=1 once it serves,
 * WATCHDOG=1 from a timer on the event loop (a loop that is stuck sends nothing, and systemd
 * restarts the box after WatchdogSec), STOPPING=1 on the way down.
 */
export class ServiceSupervision {
  readonly #options: ServiceSupervisionOptions;
  #cancelTick: (() => void) | undefined;
  #lastStatus: string | undefined;
  #withholding = false;
  #stopped = false;

  constructor(options: ServiceSupervisionOptions) {
    this.#options = options;
  }

  /** A STATUS= line while starting (systemd shows it in `systemctl status`). */
  starting(text: string): void {
    this.#sendStatus([], text);
  }

  /** READY=1, then a watchdog tick every interval until stop(). */
  ready(state: RunningState): void {
    if (this.#stopped) return;
    this.#sendStatus(['READY=1'], state.status());
    const interval = this.#options.watchdogIntervalMs;
    if (interval === undefined) return;
    const tick = (): void => {
      this.#cancelTick = this.#options.scheduler.after(interval, tick);
      this.#ping(state);
    };
    this.#cancelTick = this.#options.scheduler.after(interval, tick);
    // The first ping at once: READY=1 arms the watchdog, and the start may have taken a while.
    this.#ping(state);
  }

  /** STOPPING=1 and no more pings; the sink is closed once the message is out. */
  async stop(text = 'stopping'): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#cancelTick?.();
    this.#cancelTick = undefined;
    this.#options.sink.send(['STOPPING=1', `STATUS=${statusText(text)}`]);
    await this.#options.sink.close();
  }

  #ping(state: RunningState): void {
    let alive: boolean;
    try {
      alive = state.alive();
    } catch {
      alive = false;
    }
    if (!alive) {
      if (!this.#withholding) {
        this.#withholding = true;
        this.#options.logger.error({ component: 'service' }, 'health check failing: watchdog pings withheld, systemd will restart the box');
      }
      this.#sendStatus([], 'health check failing: watchdog pings withheld');
      return;
    }
    if (this.#withholding) {
      this.#withholding = false;
      this.#options.logger.info({ component: 'service' }, 'health check passes again: watchdog pings resumed');
    }
    this.#sendStatus(['WATCHDOG=1'], state.status());
  }

  /** The assignments, with STATUS= only when the text changed since it was last sent. */
  #sendStatus(assignments: readonly string[], text: string): void {
    const status = statusText(text);
    const changed = status !== this.#lastStatus;
    this.#lastStatus = status;
    const all = changed ? [...assignments, `STATUS=${status}`] : assignments;
    if (all.length > 0) this.#options.sink.send(all);
  }
}
