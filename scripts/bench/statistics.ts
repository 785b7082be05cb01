/** Latency summaries for the benchmark tables: nearest-rank percentiles over per-sample times. */

export interface LatencySummary {
  readonly samples: number;
  readonly p50Micros: number;
  readonly p99Micros: number;
  readonly meanMicros: number;
  readonly maxMicros: number;
  /** Samples per second when run one after another: the pipeline is synchronous, so 1 / mean. */
  readonly perSecond: number;
}

/** Collects elapsed times as `process.hrtime.bigint()` differences. */
export class LatencyRecorder {
  readonly #nanos: number[] = [];

  add(elapsedNanos: bigint): void {
    this.#nanos.push(Number(elapsedNanos));
  }

  /** Times `body` once and records it; returns what it returned. */
  time<T>(body: () => T): T {
    const start = process.hrtime.bigint();
    const result = body();
    this.add(process.hrtime.bigint() - start);
    return result;
  }

  get count(): number {
    return this.#nanos.length;
  }

  summary(): LatencySummary {
    return summarize(this.#nanos);
  }
}

export function summarize(nanos: readonly number[]): LatencySummary {
  if (nanos.length === 0) throw new Error('no samples to summarize');
  const sorted = [...nanos].sort((a, b) => a - b);
  const total = sorted.reduce((sum, value) => sum + value, 0);
  const meanNanos = total / sorted.length;
  return {
    samples: sorted.length,
    p50Micros: percentile(sorted, 0.5) / 1000,
    p99Micros: percentile(sorted, 0.99) / 1000,
    meanMicros: meanNanos / 1000,
    maxMicros: (sorted[sorted.length - 1] ?? 0) / 1000,
    perSecond: 1e9 / meanNanos,
  };
}

/** Nearest rank: the smallest sample with at least `fraction` of the samples at or below it. */
function percentile(sorted: readonly number[], fraction: number): number {
  const rank = Math.max(1, Math.ceil(fraction * sorted.length));
  return sorted[rank - 1] ?? Number.NaN;
}

/** Deterministic PRNG (mulberry32): the same seed draws the same population and the same calls. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
