import { describeError } from '../events/typed-emitter.js';
import type { IncidentRaiser } from '../incidents/incident-register.js';
import type { Logger } from '../log/logger.js';
import type { StorageFailure } from '../store/storage-failure.js';
import type { Scheduler } from '../time/scheduler.js';
import type { FaultCode, FaultRegister } from './faults.js';

export interface StoreFaultWatchOptions {
  /** The database's storage-failure events (GatewayDatabase.onStorageFailure). */
  readonly failures: { onStorageFailure(listener: (failure: StorageFailure) => void): () => void };
  /** One small write (a row in meta); throws while the store still cannot write. */
  readonly probe: () => void;
  readonly faults: Pick<FaultRegister, 'raise' | 'clear' | 'has'>;
  readonly incidents: IncidentRaiser;
  readonly scheduler: Scheduler;
  readonly logger: Logger;
  /** How often a failed store is tried again; default 30 s. */
  readonly probeIntervalMs?: number;
  /**
   * Asked on an I/O error: whether the disk is full (main: a fresh look by the disk-space watch).
   * node-sqlite3-wasm reports a write that ran out of space as "disk I/O error" (measured on a full
   * tmpfs), which is not a failing card and must not raise an incident.
   */
  readonly diskFull?: () => boolean;
  /**
   * Asked on an I/O error: whether the data directory's file system refuses writes (main:
   * `refusesWrites`). node-sqlite3-wasm reports EROFS as "disk I/O error" too (measured on an ext4
   * the kernel remounted read-only), and a read-only file system is HGW_STORE_UNWRITABLE.
   */
  readonly readOnly?: () => boolean;
}

const FAULT_OF: Readonly<Record<StorageFailure, FaultCode>> = {
  full: 'HGW_STORE_UNWRITABLE',
  'read-only': 'HGW_STORE_UNWRITABLE',
  'io-error': 'HGW_STORE_IO_ERROR',
};

/**
 * Turns a write the store refused (disk full, read-only file system, an I/O error of the SD card)
 * into a fault that stops intake, and an I/O error into an incident too: the card may be failing
 * and a coordinator must know. SQLite rolled the failed transaction back, so nothing stored is
 * damaged. While the fault lasts a small probe write is tried every 30 seconds; the first that
 * succeeds clears it and intake resumes.
 */
export class StoreFaultWatch {
  readonly #options: StoreFaultWatchOptions;
  readonly #logger: Logger;
  #unsubscribe: (() => void) | undefined;
  #cancelProbe: (() => void) | undefined;

  constructor(options: StoreFaultWatchOptions) {
    this.#options = options;
    this.#logger = options.logger.child({ component: 'store-faults' });
  }

  start(): void {
    this.#unsubscribe ??= this.#options.failures.onStorageFailure((failure) => this.#failed(failure));
  }

  stop(): void {
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
    this.#cancelProbe?.();
    this.#cancelProbe = undefined;
  }

  /** One probe write now: clears the store faults when it succeeds. */
  probe(): boolean {
    try {
      this.#options.probe();
    } catch (error) {
      this.#logger.warn({ err: describeError(error) }, 'the store still cannot write');
      return false;
    }
    for (const code of new Set(Object.values(FAULT_OF))) this.#options.faults.clear(code);
    return true;
  }

  #failed(reported: StorageFailure): void {
    const failure = reported !== 'io-error' ? reported : this.#asked(this.#options.diskFull) ? 'full' : this.#asked(this.#options.readOnly) ? 'read-only' : reported;
    const code = FAULT_OF[failure];
    const fresh = this.#options.faults.raise(code);
    if (fresh) this.#logger.error({ failure, code }, 'a store write failed; intake stops until the store writes again');
    if (fresh && failure === 'io-error') this.#raiseIncident();
    this.#armProbe();
  }

  #asked(question: (() => boolean) | undefined): boolean {
    try {
      return question?.() ?? false;
    } catch {
      return false;
    }
  }

  #raiseIncident(): void {
    try {
      this.#options.incidents.raise({
        kind: 'integrity-failure',
        severity: 'high',
        summary: 'the storage (SD card) reported an I/O error; intake stopped. Replace the card if it happens again.',
      });
    } catch (error) {
      // The same failing card may refuse this row too: the log line and the fault are what is left.
      this.#logger.error({ err: describeError(error) }, 'could not record the storage incident');
    }
  }

  #armProbe(): void {
    if (this.#cancelProbe || !this.#unsubscribe) return;
    this.#cancelProbe = this.#options.scheduler.after(this.#options.probeIntervalMs ?? 30_000, () => {
      this.#cancelProbe = undefined;
      if (!this.probe()) this.#armProbe();
    });
  }
}
