/**
 * What would make the shipped pipeline cheaper, measured rather than guessed: the same durable
 * line-to-station run as `npm run bench`, on scratch copies of the cached population, with one
 * store change per variant, every variant taking a turn on every call so disk drift hits all alike.
 *
 *   node --import tsx scripts/bench/what-if.ts        (BENCH_CONTACTS, BENCH_CALLS, BENCH_WARMUP as for the bench)
 *
 * Store changes are applied to the open GatewayDatabase after its checks, so src/ stays as shipped;
 * the baseline of each pair gets the same pragmas ("same engine and pragmas").
 */
import { copyFileSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { formatDuration } from './bench-report.js';
import { callLines, openPlaintextPipeline, openPrivacyPipeline, type LinePipeline } from './pipelines.js';
import { CallerPool, ensurePopulation, measuredCallerIndices, type PopulatedFiles } from './population.js';
import { LatencyRecorder } from './statistics.js';

interface Variant {
  readonly name: string;
  readonly plaintext: boolean;
  readonly statements: readonly string[];
}

/** Fewer, larger checkpoints: less checkpoint work inside callers' commits. */
const RARE_AUTOCHECKPOINT = 'PRAGMA wal_autocheckpoint = 10000';
/** The checkpoint then happens when the box chooses (idle time), not inside a caller's commit. */
const NO_AUTOCHECKPOINT = 'PRAGMA wal_autocheckpoint = 0';

/** Pairs: each privacy variant is compared with the plaintext one right after it. */
const VARIANTS: readonly Variant[] = [
  { name: 'privacy, shipped', plaintext: false, statements: [] },
  { name: 'plaintext, shipped pragmas', plaintext: true, statements: [] },
  { name: 'privacy, auto-checkpoint every 10,000 pages', plaintext: false, statements: [RARE_AUTOCHECKPOINT] },
  { name: 'plaintext, auto-checkpoint every 10,000 pages', plaintext: true, statements: [RARE_AUTOCHECKPOINT] },
  { name: 'privacy, no auto-checkpoint', plaintext: false, statements: [NO_AUTOCHECKPOINT] },
  { name: 'plaintext, no auto-checkpoint', plaintext: true, statements: [NO_AUTOCHECKPOINT] },
];

function positiveInteger(name: string, fallback: number): number {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive whole number`);
  return value;
}

function openVariant(variant: Variant, population: PopulatedFiles, directory: string): LinePipeline {
  mkdirSync(directory, { recursive: true });
  const source = variant.plaintext ? population.plaintextDatabase : population.privacyDatabase;
  const databasePath = join(directory, 'store.db');
  copyFileSync(source, databasePath);
  let pipeline: LinePipeline;
  if (variant.plaintext) {
    pipeline = openPlaintextPipeline(databasePath, 'durable').pipeline;
  } else {
    const keyringDirectory = join(directory, 'keyring');
    mkdirSync(keyringDirectory, { mode: 0o700 });
    for (const name of readdirSync(population.keyringDirectory)) copyFileSync(join(population.keyringDirectory, name), join(keyringDirectory, name));
    pipeline = openPrivacyPipeline(databasePath, keyringDirectory, 'durable').pipeline;
  }
  for (const statement of variant.statements) pipeline.database.exec(statement);
  return pipeline;
}

const root = resolve(import.meta.dirname, '..', '..');
const contacts = positiveInteger('BENCH_CONTACTS', 1_000_000);
const calls = positiveInteger('BENCH_CALLS', 2_000);
const warmup = positiveInteger('BENCH_WARMUP', Math.min(200, Math.round(calls / 10)));
const cacheRoot = join(root, '.bench');
const population = ensurePopulation({ cacheRoot, contacts, log: (line) => process.stderr.write(`what-if: ${line}\n`) });
const scratch = join(cacheRoot, `what-if-${process.pid}`);
const pool = new CallerPool();
const pipelines: LinePipeline[] = [];
try {
  VARIANTS.forEach((variant, index) => pipelines.push(openVariant(variant, population, join(scratch, String(index)))));
  const recorders = VARIANTS.map(() => new LatencyRecorder());
  const lines = measuredCallerIndices(population.plan, warmup + calls, 101).map((index) => callLines(pool.nationalNumber(index)));
  process.stderr.write(`what-if: ${VARIANTS.length} variants, ${warmup} + ${calls} durable calls each, round robin\n`);
  lines.forEach((call, callIndex) => {
    // Rotate who goes first, so no variant always follows the same neighbour's fsync.
    for (let turn = 0; turn < pipelines.length; turn++) {
      const which = (turn + callIndex) % pipelines.length;
      const elapsed = (pipelines[which] as LinePipeline).call(call);
      if (callIndex >= warmup) recorders[which]?.add(elapsed);
    }
  });
  const summaries = recorders.map((recorder) => recorder.summary());
  console.log(`Durable (synchronous=FULL) line-to-station at ${contacts.toLocaleString('en')} contacts, ${calls} calls per variant:\n`);
  console.log('| variant | p50 | p99 | mean | privacy ÷ plaintext with the same pragmas (mean / p50) |');
  console.log('| --- | --- | --- | --- | --- |');
  VARIANTS.forEach((variant, index) => {
    const summary = summaries[index];
    if (!summary) return;
    const reference = summaries[index + 1];
    const ratios = !variant.plaintext && reference
      ? `${(summary.meanMicros / reference.meanMicros).toFixed(2)}× / ${(summary.p50Micros / reference.p50Micros).toFixed(2)}×`
      : '';
    console.log(`| ${variant.name} | ${formatDuration(summary.p50Micros)} | ${formatDuration(summary.p99Micros)} | ${formatDuration(summary.meanMicros)} | ${ratios} |`);
  });
} finally {
  for (const pipeline of pipelines) pipeline.close();
  rmSync(scratch, { recursive: true, force: true });
}
