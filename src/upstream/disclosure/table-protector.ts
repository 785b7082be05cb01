import { Worker } from 'node:worker_threads';
import type { StatsDimensions } from '../stats-message.js';
import type { ProtectedTable, ProtectionSettings } from './protect-table.js';

/** The noise of one release, without its coins: whoever protects the table draws them. */
export interface NoiseParameters {
  readonly epsilon: number;
  /** Most one caller can change the cells in L1 (contribution cap × link months spanned). */
  readonly sensitivity: number;
}

export interface TableToProtect {
  readonly dimensions: StatsDimensions;
  readonly cells: readonly number[];
  readonly settings: ProtectionSettings;
  readonly noise?: NoiseParameters;
}

/** Runs a period's disclosure control (protectTable) somewhere the event loop does not wait on. */
export interface TableProtector {
  protect(table: TableToProtect): Promise<ProtectedTable>;
  /** Ends the work in flight (its promise rejects); a later protect() starts afresh. */
  close(): Promise<void>;
}

/** What the worker is sent and answers (table-protection-worker.ts). */
export interface ProtectionRequest extends TableToProtect {
  readonly id: number;
}

export type ProtectionReply = { readonly id: number; readonly table: ProtectedTable } | { readonly id: number; readonly error: string };

interface Waiting {
  resolve(table: ProtectedTable): void;
  reject(error: Error): void;
}

/**
 * protectTable on a worker thread: the interval audit of a busy site's period takes up to a few
 * hundred milliseconds of CPU (docs/statistics.md), which on the event loop would hold up calls,
 * RTP and chats. The worker is started on first use and kept for the next period; it keeps the
 * process alive only while a table is being protected. The noise's coins come from node:crypto
 * inside the worker.
 */
export class WorkerTableProtector implements TableProtector {
  readonly #waiting = new Map<number, Waiting>();
  #worker: Worker | undefined;
  #nextId = 1;

  protect(table: TableToProtect): Promise<ProtectedTable> {
    const worker = this.#worker ?? this.#start();
    const id = this.#nextId;
    this.#nextId += 1;
    return new Promise<ProtectedTable>((resolve, reject) => {
      this.#waiting.set(id, { resolve, reject });
      worker.ref();
      const request: ProtectionRequest = { id, ...table };
      worker.postMessage(request);
    });
  }

  async close(): Promise<void> {
    const worker = this.#worker;
    if (!worker) return;
    this.#forget(worker, new Error('statistics worker stopped'));
    await worker.terminate();
  }

  #start(): Worker {
    const worker = startWorker();
    worker.unref();
    worker.on('message', (reply: ProtectionReply) => {
      const waiting = this.#waiting.get(reply.id);
      if (!waiting) return;
      this.#waiting.delete(reply.id);
      if (this.#waiting.size === 0) worker.unref();
      if ('error' in reply) waiting.reject(new Error(`disclosure control failed: ${reply.error}`));
      else waiting.resolve(reply.table);
    });
    worker.on('error', (error) => this.#forget(worker, new Error(`statistics worker failed: ${error.message}`)));
    worker.on('exit', (code) => this.#forget(worker, new Error(`statistics worker exited (code ${code})`)));
    this.#worker = worker;
    return worker;
  }

  /** The worker is gone or going: whatever waited on it fails, and the next protect() starts a new one. */
  #forget(worker: Worker, error: Error): void {
    if (this.#worker !== worker) return;
    this.#worker = undefined;
    const waiting = [...this.#waiting.values()];
    this.#waiting.clear();
    for (const entry of waiting) entry.reject(error);
  }
}

/**
 * Built (dist/), the worker is JavaScript next to this file. Run from the sources (`node --import
 * tsx`, vitest) it is TypeScript, which a worker cannot be started on directly: on Node ≥ 20.6 the
 * loaders of `--import tsx` do not reach a worker's entry file. A two-line bootstrap then loads it
 * through tsx's API.
 */
function startWorker(): Worker {
  if (import.meta.url.endsWith('.js')) return new Worker(new URL('./table-protection-worker.js', import.meta.url));
  const entry = new URL('./table-protection-worker.ts', import.meta.url).href;
  const tsx = import.meta.resolve('tsx/esm/api');
  const bootstrap = `import(${JSON.stringify(tsx)}).then((api) => api.tsImport(${JSON.stringify(entry)}, ${JSON.stringify(entry)}));`;
  return new Worker(bootstrap, { eval: true });
}
