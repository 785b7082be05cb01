import { closeSync, fsync, open } from 'node:fs';
import { GatewayError } from '../errors.js';
import type { Logger } from '../log/logger.js';

/** `fs.fsync`'s shape; a test passes a failing one. */
export type FsyncFunction = (fd: number, done: (error: NodeJS.ErrnoException | null) => void) => void;

interface Waiter {
  readonly upTo: number;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

/**
 * Makes commits that were written to the -wal file without an fsync (synchronous=NORMAL) durable
 * from libuv's thread pool, so the event loop never waits on the SD card for them. Requests that
 * arrive while an fsync runs share the next one: a burst of calls costs two fsyncs, not one each.
 * An fsync on any descriptor of the file flushes all of its dirty pages (Linux), so the descriptor
 * opened here covers what SQLite wrote through its own.
 */
export class WalSync {
  readonly #walPath: string;
  readonly #logger: Logger;
  readonly #fsync: FsyncFunction;
  #fd: number | undefined;
  /** Requests made so far, and how many of them the last finished fsync covered. */
  #requested = 0;
  #synced = 0;
  #running = false;
  #waiters: Waiter[] = [];
  #closing = false;

  constructor(walPath: string, logger: Logger, fsyncFunction: FsyncFunction = fsync) {
    this.#walPath = walPath;
    this.#logger = logger;
    this.#fsync = fsyncFunction;
  }

  /** Every write made before this call will be on disk after the next fsync. */
  request(): void {
    if (this.#closing) return;
    this.#requested++;
    if (!this.#running) this.#start();
  }

  /** Resolves once every write requested so far is on disk; rejects if that fsync failed. */
  whenSynced(): Promise<void> {
    if (this.#synced >= this.#requested) return Promise.resolve();
    return new Promise((resolve, reject) => this.#waiters.push({ upTo: this.#requested, resolve, reject }));
  }

  /** After the running fsync, if any; SQLite's own close checkpoints and syncs the rest. */
  close(): void {
    this.#closing = true;
    if (!this.#running) this.#closeDescriptor();
  }

  #start(): void {
    const covers = this.#requested;
    this.#running = true;
    this.#withDescriptor((openError, fd) => {
      if (openError || fd === undefined) {
        this.#ran(covers, openError);
        return;
      }
      this.#fsync(fd, (error) => this.#ran(covers, error));
    });
  }

  #ran(covers: number, error: unknown): void {
    this.#running = false;
    this.#finished(covers, error);
    if (this.#closing) this.#closeDescriptor();
    else if (this.#requested > covers) this.#start();
  }

  #finished(covers: number, error: unknown): void {
    const settled = this.#waiters.filter((waiter) => waiter.upTo <= covers);
    this.#waiters = this.#waiters.filter((waiter) => waiter.upTo > covers);
    if (error) {
      const failure = new GatewayError('HGW_STORE_UNWRITABLE', `fsync of the database journal failed: ${(error as NodeJS.ErrnoException).code ?? 'unknown error'}`, { cause: error });
      this.#logger.error({ code: failure.code, err: failure.message }, 'recent calls may not survive a power cut');
      // The failed requests count as settled so a later write retries with a fresh fsync.
      this.#synced = covers;
      for (const waiter of settled) waiter.reject(failure);
      return;
    }
    this.#synced = covers;
    for (const waiter of settled) waiter.resolve();
  }

  /** Opened once, off the event loop like the fsync itself. */
  #withDescriptor(use: (error: NodeJS.ErrnoException | null, fd?: number) => void): void {
    if (this.#fd !== undefined) {
      use(null, this.#fd);
      return;
    }
    open(this.#walPath, 'r', (error, fd) => {
      if (error) {
        use(error);
        return;
      }
      this.#fd = fd;
      use(null, fd);
    });
  }

  #closeDescriptor(): void {
    if (this.#fd === undefined) return;
    const fd = this.#fd;
    this.#fd = undefined;
    try {
      closeSync(fd);
    } catch {
      // Nothing was written through it.
    }
  }
}
