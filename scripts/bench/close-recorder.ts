import { constants, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';
import type { GatewayDatabase } from '../../src/store/open-database.js';
import type { StatsRepository } from '../../src/store/stats-repository.js';
import { mainThreadWaitingMs } from './gap-probe.js';
import { fsyncs, type TimedStep } from './sweep-recorder.js';

interface CloseStep extends TimedStep {
  /** Of the step, the time the main thread waited for a CPU. */
  readonly waitingMs: number;
}

const GC_KINDS = new Map<number, string>([
  [constants.NODE_PERFORMANCE_GC_MINOR, 'minor'],
  [constants.NODE_PERFORMANCE_GC_MAJOR, 'major'],
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL, 'incremental'],
  [constants.NODE_PERFORMANCE_GC_WEAKCB, 'weak callbacks'],
]);

/**
 * Times what a period's close does on the event loop, by wrapping the objects the aggregator was
 * given (bench only): each chunk read, each commit (with its fsyncs and the main thread's wait for
 * a CPU), and V8's garbage collections on this thread, so the longest stall can be told apart.
 */
export class CloseRecorder {
  readonly #steps: CloseStep[] = [];
  readonly #gc: PerformanceObserver;

  constructor(database: GatewayDatabase, stats: StatsRepository) {
    fsyncs.install();
    const cappedCount = stats.cappedCount.bind(stats);
    stats.cappedCount = (...args) => {
      const reading = cappedCount(...args);
      const readChunk = reading.readChunk.bind(reading);
      reading.readChunk = (): boolean => this.#timed('read', readChunk);
      return reading;
    };
    const transaction = database.transaction.bind(database);
    database.transaction = <T>(fn: () => T): T => (database.inTransaction ? transaction(fn) : this.#timed('commit', () => transaction(fn)));
    this.#gc = new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) {
        const kind = GC_KINDS.get((entry as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind ?? 0) ?? 'other';
        this.#steps.push({ label: `garbage collection (${kind})`, from: entry.startTime, to: entry.startTime + entry.duration, fsyncMs: 0, fsyncs: 0, waitingMs: 0 });
      }
    });
    this.#gc.observe({ entryTypes: ['gc'] });
  }

  get steps(): readonly TimedStep[] {
    return this.#steps;
  }

  /** The longest step with this label, ms; less its wait for a CPU with `ownTime`. */
  longest(label: string, ownTime = false): number {
    return Math.max(0, ...this.#steps.filter((step) => step.label === label).map((step) => step.to - step.from - (ownTime ? step.waitingMs : 0)));
  }

  stop(): void {
    this.#gc.disconnect();
  }

  #timed<T>(label: string, body: () => T): T {
    const mark = fsyncs.mark();
    const waiting = mainThreadWaitingMs();
    try {
      return body();
    } finally {
      this.#steps.push({ ...fsyncs.step(label, mark), waitingMs: mainThreadWaitingMs() - waiting });
    }
  }
}
