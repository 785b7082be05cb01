import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../src/time/clock.js';
import { SocatPtyPair } from '../support/pty-modem.js';
import { freePort, MosquittoProcess } from '../upstream/mqtt-harness.js';
import { PersistentMosquitto } from '../collector/collector-harness.js';
import { FaultBox, type FaultBoxOptions, type StoredCounts } from './fault-box.js';
import { knownCallers, type KnownCaller } from './known-callers.js';
import { seededRandom } from './soak-size.js';

/** Wednesday 11 March 2026, 10:00 in Amsterdam. */
export const FAULT_START = Date.parse('2026-03-11T09:00:00Z');

/** Made-up callers, the same in every run. */
export const CALLERS: readonly KnownCaller[] = knownCallers(6, seededRandom(8));

export function records(counts: StoredCounts): number {
  return counts.contacts + counts.registrations + counts.closedPeriods;
}

/**
 * What each fault test needs: a temp directory, a socat pty for the modem, a broker (its own
 * mosquitto unless one is given) and a ManualClock; `box()` starts a FaultBox on them. Everything
 * is undone in reverse by `cleanup()`.
 */
export class FaultRig {
  readonly directory: string;
  readonly clock: ManualClock;
  modem!: SocatPtyPair;
  mosquitto: MosquittoProcess | undefined;
  readonly #undo: Array<() => Promise<void> | void> = [];

  private constructor(start: number) {
    this.clock = new ManualClock(start);
    this.directory = mkdtempSync(join(tmpdir(), 'hgw-fault-'));
    this.#undo.push(() => rmSync(this.directory, { recursive: true, force: true }));
  }

  /**
   * `persistentBroker`: a mosquitto that keeps sessions and queued messages across its own restart;
   * `start`: where the clock starts (default FAULT_START).
   */
  static async start(options: { persistentBroker?: boolean; start?: number } = {}): Promise<FaultRig> {
    const rig = new FaultRig(options.start ?? FAULT_START);
    try {
      rig.modem = await SocatPtyPair.start(rig.directory);
      rig.#undo.push(() => rig.modem.stop());
      const port = await freePort();
      rig.mosquitto = options.persistentBroker ? new PersistentMosquitto(rig.directory, port) : new MosquittoProcess(rig.directory, port);
      await rig.mosquitto.start();
      rig.#undo.push(() => rig.mosquitto?.stop());
    } catch (error) {
      await rig.cleanup();
      throw error;
    }
    return rig;
  }

  get brokerUrl(): string {
    if (!this.mosquitto) throw new Error('no broker');
    return this.mosquitto.url;
  }

  async box(options: Partial<Omit<FaultBoxOptions, 'directory' | 'clock' | 'modem'>> = {}): Promise<FaultBox> {
    const box = await FaultBox.start({ directory: this.directory, clock: this.clock, modem: this.modem, brokerUrl: this.brokerUrl, ...options });
    this.#undo.push(() => box.close());
    return box;
  }

  /** Runs `step` at cleanup, before what was set up earlier is undone. */
  later(step: () => Promise<void> | void): void {
    this.#undo.push(step);
  }

  async cleanup(): Promise<void> {
    for (const step of this.#undo.splice(0).reverse()) {
      try {
        await step();
      } catch {
        // Cleanup goes on: a box already stopped, a mount already gone.
      }
    }
  }
}
