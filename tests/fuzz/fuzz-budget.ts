import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Parameters as FastCheckParameters } from 'fast-check';

/**
 * The one budget of the fuzz folder (docs/resilience.md, "Fuzzing"). `FUZZ_RUNS` is the number of
 * inputs a cheap target (a pure parser) tries; a target whose inputs cost more (a socket round trip,
 * an SMTP session, an HTTP request) divides it by its cost, never below a floor. `npm test` runs the
 * default; `npm run soak` (scripts/soak.sh) sets 100 times as much. `FUZZ_SEED` replays a run.
 */
export const DEFAULT_FUZZ_RUNS = 400;
const MIN_RUNS = 10;

export const FUZZ_RUNS = readWhole('FUZZ_RUNS', DEFAULT_FUZZ_RUNS, 1);

/** The run's seed: `FUZZ_SEED` to replay one, else a fresh one, always in the report so that any failure can be replayed. */
const SEED = readWhole('FUZZ_SEED', Math.floor(Math.random() * 2 ** 31), 0);
/** With `FUZZ_SEED`, the path fast-check printed with a failure replays that one counterexample at once. */
const PATH = process.env['FUZZ_PATH'] || undefined;
/**
 * One property's time, after which fast-check stops and reports the run as failed, with its seed
 * (and the counterexample, when shrinking was under way). It stays under vitest's 30 s test timeout,
 * which would end the test without either (a CI failure that could not be replayed). `npm run soak`
 * sets 0: no limit.
 */
const TIME_LIMIT_MS = readWhole('FUZZ_TIME_LIMIT_MS', 20_000, 0);

function readWhole(name: string, otherwise: number, least: number): number {
  const text = process.env[name];
  if (text === undefined || text === '') return otherwise;
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < least) throw new TypeError(`${name} must be a whole number of at least ${least}, not "${text}"`);
  return value;
}

/** fast-check parameters for a target whose one input costs `cost` cheap inputs. */
export function budget(cost = 1): FastCheckParameters<unknown> {
  return {
    numRuns: Math.max(MIN_RUNS, Math.floor(FUZZ_RUNS / cost)),
    seed: SEED,
    ...(PATH === undefined ? {} : { path: PATH }),
    ...(TIME_LIMIT_MS === 0 ? {} : { interruptAfterTimeLimit: TIME_LIMIT_MS, markInterruptAsFailure: true }),
  };
}

/**
 * A hang is a failure: each input must be answered within this many milliseconds (generous, for a
 * loaded two-core machine; the slowest seen is in the report).
 */
export const PER_INPUT_LIMIT_MS = 2_000;

export interface TargetCounts {
  /** Set once the target's properties all held: a report with an unfinished target records a failure. */
  finished: boolean;
  inputs: number;
  slowestMs: number;
  outcomes: Record<string, number>;
}

/** The counts of one fuzz target: inputs tried, what became of them, the slowest one. */
export class FuzzTarget {
  readonly counts: TargetCounts = { finished: false, inputs: 0, slowestMs: 0, outcomes: {} };

  /** Runs one input through `action`, counting it and timing it; throws past PER_INPUT_LIMIT_MS. */
  run<T>(action: () => T): T {
    const started = process.hrtime.bigint();
    const result = action();
    this.#timed(started);
    return result;
  }

  /** As `run`, for an async action; one that does not settle within the limit fails as a hang. */
  async runAsync<T>(action: () => Promise<T>, limitMs = PER_INPUT_LIMIT_MS): Promise<T> {
    const started = process.hrtime.bigint();
    let timer: NodeJS.Timeout | undefined;
    const hang = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`input not answered within ${limitMs} ms (a hang)`)), limitMs);
    });
    try {
      return await Promise.race([action(), hang]);
    } finally {
      clearTimeout(timer);
      this.#timed(started, limitMs);
    }
  }

  /** Call after the target's `fc.assert` returned. */
  finished(): void {
    this.counts.finished = true;
  }

  /** What became of an input: `accepted`, a refusal code, `dropped`, ... */
  outcome(label: string): void {
    this.counts.outcomes[label] = (this.counts.outcomes[label] ?? 0) + 1;
  }

  #timed(started: bigint, limitMs = PER_INPUT_LIMIT_MS): void {
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    this.counts.inputs += 1;
    this.counts.slowestMs = Math.max(this.counts.slowestMs, Math.round(ms * 10) / 10);
    if (ms > limitMs) throw new Error(`one input took ${ms.toFixed(0)} ms, over the ${limitMs} ms limit (a hang)`);
  }
}

const ARTIFACTS = join(import.meta.dirname, '..', '..', 'test-artifacts', 'fuzz');

/**
 * One input surface's report: its targets' counts, printed as one line and written to
 * test-artifacts/fuzz/<surface>.json, from which docs/resilience.md is filled after a soak.
 */
export class FuzzReport {
  readonly surface: string;
  readonly #targets = new Map<string, FuzzTarget>();

  constructor(surface: string) {
    this.surface = surface;
  }

  target(name: string): FuzzTarget {
    let target = this.#targets.get(name);
    if (!target) {
      target = new FuzzTarget();
      this.#targets.set(name, target);
    }
    return target;
  }

  get inputs(): number {
    return [...this.#targets.values()].reduce((sum, target) => sum + target.counts.inputs, 0);
  }

  write(): void {
    const targets = Object.fromEntries([...this.#targets].map(([name, target]) => [name, target.counts]));
    const slowestMs = Math.max(0, ...[...this.#targets.values()].map((target) => target.counts.slowestMs));
    const failed = [...this.#targets].filter(([, target]) => !target.counts.finished).map(([name]) => name);
    const report = { surface: this.surface, fuzzRuns: FUZZ_RUNS, seed: SEED, inputs: this.inputs, failedTargets: failed, slowestMs, targets };
    mkdirSync(ARTIFACTS, { recursive: true });
    writeFileSync(join(ARTIFACTS, `${this.surface}.json`), `${JSON.stringify(report, null, 2)}\n`);
    const verdict = failed.length === 0 ? 'all held' : `FAILED: ${failed.join(', ')}`;
    console.log(`fuzz ${this.surface}: ${this.inputs} inputs over ${this.#targets.size} targets, ${verdict}, slowest ${slowestMs} ms (FUZZ_RUNS=${FUZZ_RUNS} FUZZ_SEED=${SEED})`);
  }
}
