/**
 * What the retention bench times inside a sweep (bench only): the real objects' methods wrapped to
 * time each range transaction, index drop, key shred, checkpoint and audit entry, and every fsync
 * of the process, so a stall can be put down to computing or to waiting for the disk.
 */
import fs from 'node:fs';
import { existsSync, statSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { performance } from 'node:perf_hooks';
import type { PriorContactCounter } from '../../src/contacts/prior-contact-counter.js';
import type { Keyring } from '../../src/privacy/keyring.js';
import type { ContactsRepository } from '../../src/store/contacts-repository.js';
import type { GatewayDatabase } from '../../src/store/open-database.js';
import type { TranscriptsRepository } from '../../src/store/transcripts-repository.js';
import type { MonthEpoch } from '../../src/time/index.js';
import { summarize } from './statistics.js';

/** An fsync this slow alone uses up the stall target. */
const SLOW_FSYNC_MS = 50;

export interface RangeFigures {
  readonly count: number;
  readonly longestMs: number;
  readonly p99Ms: number;
  readonly totalMs: number;
  /** Of the total, time inside fsync, and the fsyncs made. */
  readonly fsyncMs: number;
  readonly fsyncs: number;
}

/** The longest synchronous step of the sweep itself (calls not counted). */
export interface LongestStep {
  readonly label: string;
  readonly ms: number;
  readonly fsyncMs: number;
  readonly fsyncs: number;
}

/** Where the sweep's synchronous time went, from wrappers around the real objects' methods. */
export interface SweepBreakdown {
  readonly contactRanges: RangeFigures;
  readonly transcriptRanges: RangeFigures;
  /** PriorContactCounter.forgetEpochsBefore: the due link months leave the in-memory index. */
  readonly priorIndexMs: number;
  readonly shreds: number;
  readonly shredTotalMs: number;
  readonly shredLongestMs: number;
  readonly checkpointMs: number;
  readonly walBytesBeforeCheckpoint: number;
  readonly auditMs: number;
  readonly longestStep: LongestStep;
  /** fsync time inside the calls' turns during the sweep, and the calls' fsyncs. */
  readonly callFsyncMs: number;
  readonly callFsyncs: number;
}

/** A synchronous piece of work on the loop: a sweep step, or a batch of calls handled in one turn. */
export interface TimedStep {
  readonly label: string;
  readonly from: number;
  readonly to: number;
  /** Time spent inside fsync/fdatasync during the step, and how many. */
  readonly fsyncMs: number;
  readonly fsyncs: number;
}

/**
 * Time this process spends in fsync and fdatasync (SQLite's VFS and the keyring both call node:fs):
 * tells a step that waited for the disk from one that computed. Bench only.
 */
export class FsyncMeter {
  calls = 0;
  ms = 0;
  /** The slowest single fsync, and how many took 50 ms or more, since reset(). */
  longestMs = 0;
  slowCalls = 0;
  #installed = false;

  reset(): void {
    this.longestMs = 0;
    this.slowCalls = 0;
  }

  install(): void {
    if (this.#installed) return;
    this.#installed = true;
    for (const name of ['fsyncSync', 'fdatasyncSync'] as const) {
      const original = fs[name];
      fs[name] = (fd: number): void => {
        const from = performance.now();
        try {
          original(fd);
        } finally {
          const elapsed = performance.now() - from;
          this.ms += elapsed;
          this.calls += 1;
          this.longestMs = Math.max(this.longestMs, elapsed);
          if (elapsed >= SLOW_FSYNC_MS) this.slowCalls += 1;
        }
      };
    }
    // Named imports of node:fs (the keyring's) see the wrapped functions too.
    syncBuiltinESMExports();
  }

  /** Where a step starts: the clock and the fsync totals so far. */
  mark(): { ms: number; calls: number; at: number } {
    return { ms: this.ms, calls: this.calls, at: performance.now() };
  }

  /** The step from `since` to now. */
  step(label: string, since: { ms: number; calls: number; at: number }): TimedStep {
    return { label, from: since.at, to: performance.now(), fsyncMs: this.ms - since.ms, fsyncs: this.calls - since.calls };
  }
}

/** One meter for the process: the fs functions are wrapped once. */
export const fsyncs = new FsyncMeter();

/** The steps that overlap [from, to], longest first, summed per label: "transcripts range 31.2 ms + 2 calls 3.0 ms". */
export function heldBy(steps: readonly TimedStep[], from: number, to: number): string {
  const overlapping = new Map<string, { ms: number; fsyncMs: number; times: number }>();
  for (const step of steps) {
    if (step.to <= from || step.from >= to) continue;
    const entry = overlapping.get(step.label) ?? { ms: 0, fsyncMs: 0, times: 0 };
    overlapping.set(step.label, { ms: entry.ms + (step.to - step.from), fsyncMs: entry.fsyncMs + step.fsyncMs, times: entry.times + 1 });
  }
  if (overlapping.size === 0) return 'no timed step (timer slack or garbage collection)';
  return [...overlapping]
    .sort(([, a], [, b]) => b.ms - a.ms)
    .map(([label, { ms, fsyncMs, times }]) => `${times > 1 ? `${times}× ` : ''}${label} ${ms.toFixed(1)} ms (fsync ${fsyncMs.toFixed(1)} ms)`)
    .join(' + ');
}

/**
 * Times the sweep's synchronous steps by wrapping methods of the real objects it was given (bench
 * only): each range transaction (by the table it cleared), the in-memory index drop, each key
 * shred, the checkpoint and the audit entries.
 */
export class SweepRecorder {
  readonly #steps: TimedStep[] = [];
  readonly #databasePath: string;
  #armed = false;
  #tableCleared: 'contacts' | 'transcripts' | undefined;
  #walBytes = 0;

  constructor(
    database: GatewayDatabase,
    keyring: Keyring,
    contacts: ContactsRepository,
    transcripts: TranscriptsRepository,
    priorContacts: PriorContactCounter,
    databasePath: string,
    deskBusy: () => boolean,
  ) {
    this.#databasePath = databasePath;
    const transaction = database.transaction.bind(database);
    database.transaction = <T>(fn: () => T): T => {
      // The desk's own commits, and an audit append joining the sweeper's transaction, are not sweep steps.
      if (!this.#armed || deskBusy() || database.inTransaction) return transaction(fn);
      this.#tableCleared = undefined;
      const mark = fsyncs.mark();
      try {
        return transaction(fn);
      } finally {
        this.#steps.push(fsyncs.step(this.#tableCleared === undefined ? 'audit entries' : `${this.#tableCleared} range`, mark));
      }
    };
    const marking = <A extends unknown[], R>(table: 'contacts' | 'transcripts', clear: (...args: A) => R) => (...args: A): R => {
      this.#tableCleared = table;
      return clear(...args);
    };
    contacts.forgetLinkEpochsBefore = marking('contacts', contacts.forgetLinkEpochsBefore.bind(contacts));
    contacts.forgetSealedEpochsBefore = marking('contacts', contacts.forgetSealedEpochsBefore.bind(contacts));
    transcripts.deleteEpochsBefore = marking('transcripts', transcripts.deleteEpochsBefore.bind(transcripts));
    const checkpoint = database.checkpoint.bind(database);
    database.checkpoint = (): void => {
      const wal = `${this.#databasePath}-wal`;
      this.#walBytes = existsSync(wal) ? statSync(wal).size : 0;
      this.#timed('checkpoint', checkpoint);
    };
    const forgetEpochsBefore = priorContacts.forgetEpochsBefore.bind(priorContacts);
    priorContacts.forgetEpochsBefore = (epoch: MonthEpoch): void => this.#timed('prior-contact index drop', () => forgetEpochsBefore(epoch));
    const shredLinkKey = keyring.shredLinkKey.bind(keyring);
    const shredVaultKey = keyring.shredVaultKey.bind(keyring);
    keyring.shredLinkKey = (epoch) => this.#timed('key shred', () => shredLinkKey(epoch));
    keyring.shredVaultKey = (dataClass, epoch) => this.#timed('key shred', () => shredVaultKey(dataClass, epoch));
  }

  get steps(): readonly TimedStep[] {
    return this.#steps;
  }

  arm(): void {
    this.#armed = true;
  }

  disarm(): void {
    this.#armed = false;
  }

  breakdown(callBatches: readonly TimedStep[]): SweepBreakdown {
    const of = (label: string): number[] => this.#steps.filter((step) => step.label === label).map((step) => step.to - step.from);
    const sum = (values: readonly number[]): number => values.reduce((total, value) => total + value, 0);
    const ranges = (label: string): RangeFigures => {
      const steps = this.#steps.filter((step) => step.label === label);
      const times = steps.map((step) => step.to - step.from);
      const summary = times.length > 0 ? summarize(times.map((ms) => ms * 1e6)) : undefined;
      return {
        count: times.length,
        longestMs: (summary?.maxMicros ?? 0) / 1000,
        p99Ms: (summary?.p99Micros ?? 0) / 1000,
        totalMs: sum(times),
        fsyncMs: sum(steps.map((step) => step.fsyncMs)),
        fsyncs: sum(steps.map((step) => step.fsyncs)),
      };
    };
    const longest = this.#steps.reduce<TimedStep | undefined>((found, step) => (!found || step.to - step.from > found.to - found.from ? step : found), undefined);
    const shreds = of('key shred');
    return {
      contactRanges: ranges('contacts range'),
      transcriptRanges: ranges('transcripts range'),
      priorIndexMs: sum(of('prior-contact index drop')),
      shreds: shreds.length,
      shredTotalMs: sum(shreds),
      shredLongestMs: Math.max(0, ...shreds),
      checkpointMs: sum(of('checkpoint')),
      walBytesBeforeCheckpoint: this.#walBytes,
      auditMs: sum(of('audit entries')),
      longestStep: longest
        ? { label: longest.label, ms: longest.to - longest.from, fsyncMs: longest.fsyncMs, fsyncs: longest.fsyncs }
        : { label: 'none', ms: 0, fsyncMs: 0, fsyncs: 0 },
      callFsyncMs: sum(callBatches.map((batch) => batch.fsyncMs)),
      callFsyncs: sum(callBatches.map((batch) => batch.fsyncs)),
    };
  }

  #timed<R>(label: string, step: () => R): R {
    if (!this.#armed) return step();
    const mark = fsyncs.mark();
    try {
      return step();
    } finally {
      this.#steps.push(fsyncs.step(label, mark));
    }
  }
}
