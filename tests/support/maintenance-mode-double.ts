import type { MaintenanceMode } from '../../src/update/index.js';

/** A MaintenanceMode a test switches by hand, in place of the front panel's button. */
export class MaintenanceModeDouble implements MaintenanceMode {
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
