import type { MaintenanceGate } from '../../src/panel/index.js';

/** A maintenance gate a test switches by hand, in place of the front panel's button. */
export class MaintenanceModeDouble implements MaintenanceGate {
  #on: boolean;

  constructor(on = false) {
    this.#on = on;
  }

  active(): boolean {
    return this.#on;
  }

  switchOn(): void {
    this.#on = true;
  }

  switchOff(): void {
    this.#on = false;
  }
}
