import { describeError } from '../events/typed-emitter.js';
import type { Logger } from '../log/logger.js';
import type { Scheduler } from '../time/scheduler.js';
import { ledModesFor, type BoxState } from './led-states.js';
import { LED_NAMES, type Panel } from './panel.js';

export interface PanelDisplayOptions {
  readonly panel: Pick<Panel, 'setLed'>;
  /** The box as it is now; read at every refresh. */
  readonly state: () => BoxState;
  readonly scheduler: Scheduler;
  readonly logger: Logger;
  /** Also refreshed this often, for what changes without an event (the outbox draining); default 1 s. */
  readonly intervalMs?: number;
}

/**
 * Keeps the LEDs showing the box's state: on every `refresh()` (main calls it on line, upstream,
 * fault, incident and maintenance events) and once a second.
 */
export class PanelDisplay {
  readonly #options: PanelDisplayOptions;
  #cancel: (() => void) | undefined;
  #running = false;

  constructor(options: PanelDisplayOptions) {
    this.#options = options;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.refresh();
    this.#arm();
  }

  stop(): void {
    this.#running = false;
    this.#cancel?.();
    this.#cancel = undefined;
  }

  refresh(): void {
    let modes;
    try {
      modes = ledModesFor(this.#options.state());
    } catch (error) {
      this.#options.logger.error({ err: describeError(error) }, 'panel state could not be read');
      return;
    }
    for (const led of LED_NAMES) this.#options.panel.setLed(led, modes[led]);
  }

  #arm(): void {
    this.#cancel = this.#options.scheduler.after(this.#options.intervalMs ?? 1_000, () => {
      this.#cancel = undefined;
      if (!this.#running) return;
      this.refresh();
      this.#arm();
    });
  }
}
