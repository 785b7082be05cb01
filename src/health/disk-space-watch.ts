import { statfsSync } from 'node:fs';
import { describeError } from '../events/typed-emitter.js';
import type { Logger } from '../log/logger.js';
import type { Scheduler } from '../time/scheduler.js';
import type { FaultRegister } from './faults.js';

/** The fields of `fs.statfs` the watch reads; a test passes a fake. */
export interface FileSystemStats {
  /** Blocks free to an unprivileged user (what the service user can still write). */
  readonly bavail: number;
  readonly blocks: number;
  readonly bsize: number;
}

export interface DiskSpace {
  readonly freeBytes: number;
  readonly totalBytes: number;
}

export interface DiskSpaceWatchOptions {
  /** The data directory (the database's file system). */
  readonly path: string;
  readonly faults: Pick<FaultRegister, 'raise' | 'clear'>;
  readonly scheduler: Scheduler;
  readonly logger: Logger;
  /** Below this, HGW_DISK_LOW (a warning). */
  readonly warnBelowBytes: number;
  /** Below this, HGW_DISK_FULL: intake stops while the store can still write what is running. */
  readonly stopBelowBytes: number;
  readonly intervalMs: number;
  /** Synchronous: one system call, and the store-fault watch asks it in the middle of a failed write. */
  readonly statfs?: (path: string) => FileSystemStats;
}

/** A threshold is crossed back only this far above it, so a store hovering at the line does not flap. */
const HYSTERESIS = 0.1;

/**
 * Looks at the free space of the data directory's file system at start and every interval. Intake
 * stops below the stop threshold, before SQLite itself runs out: calls, chats and mails already
 * going on can still write their rows, and nothing half-written is left behind.
 */
export class DiskSpaceWatch {
  readonly #options: DiskSpaceWatchOptions;
  readonly #logger: Logger;
  readonly #statfs: (path: string) => FileSystemStats;
  #last: DiskSpace | undefined;
  #cancel: (() => void) | undefined;
  #running = false;
  #low = false;
  #full = false;

  constructor(options: DiskSpaceWatchOptions) {
    if (!(options.stopBelowBytes >= 0 && options.warnBelowBytes >= options.stopBelowBytes)) {
      throw new TypeError('DiskSpaceWatch: warnBelowBytes must be at least stopBelowBytes, both not negative');
    }
    if (!(options.intervalMs >= 1)) throw new TypeError('DiskSpaceWatch: intervalMs must be positive');
    this.#options = options;
    this.#logger = options.logger.child({ component: 'disk' });
    this.#statfs = options.statfs ?? ((path) => statfsSync(path));
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.check();
    this.#arm();
  }

  stop(): void {
    this.#running = false;
    this.#cancel?.();
    this.#cancel = undefined;
  }

  /** The last reading; undefined before the first or when statfs failed every time. */
  lastReading(): DiskSpace | undefined {
    return this.#last;
  }

  /** One look; the timer calls it, and the store-fault watch when a write failed. */
  check(): DiskSpace | undefined {
    let stats: FileSystemStats;
    try {
      stats = this.#statfs(this.#options.path);
    } catch (error) {
      this.#logger.error({ err: describeError(error) }, 'free space of the data directory could not be read');
      return undefined;
    }
    const reading = { freeBytes: stats.bavail * stats.bsize, totalBytes: stats.blocks * stats.bsize };
    this.#last = reading;
    this.#full = crossed(this.#full, reading.freeBytes, this.#options.stopBelowBytes);
    this.#low = crossed(this.#low, reading.freeBytes, this.#options.warnBelowBytes);
    const { faults } = this.#options;
    if (this.#full) faults.raise('HGW_DISK_FULL');
    else faults.clear('HGW_DISK_FULL');
    if (this.#low && !this.#full) faults.raise('HGW_DISK_LOW');
    else faults.clear('HGW_DISK_LOW');
    return reading;
  }

  #arm(): void {
    this.#cancel = this.#options.scheduler.after(this.#options.intervalMs, () => {
      this.#cancel = undefined;
      if (!this.#running) return;
      this.check();
      this.#arm();
    });
  }
}

/** Below the threshold: under it; already under: stays until it is 10 % above it again. */
function crossed(under: boolean, freeBytes: number, threshold: number): boolean {
  return under ? freeBytes < threshold * (1 + HYSTERESIS) : freeBytes < threshold;
}
