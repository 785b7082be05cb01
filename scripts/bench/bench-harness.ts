/**
 * Runs the whole benchmark and returns its figures: the line-to-station pipeline against a
 * plaintext baseline in the same run (durable as shipped, then without fsync), the prior-contact
 * lookup, the crypto per call and a per-step profile. `run-benchmarks.ts` prints and saves them;
 * the smoke test runs it small.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { canonicalText } from '../../src/privacy/raw-identifier.js';
import { monthEpochAt, windowEndingAt } from '../../src/time/index.js';
import { callLines, openPlaintextPipeline, openPrivacyPipeline, type Durability, type LinePipeline, type PrivacyParts } from './pipelines.js';
import { CallerPool, ensurePopulation, LINKAGE_MONTHS, MEASUREMENT_START, measuredCallerIndices, SITE_TIME_ZONE, type PopulatedFiles } from './population.js';
import type { PlaintextDesk } from './plaintext-desk.js';
import { LatencyRecorder, type LatencySummary } from './statistics.js';
import { plaintextStepProfiler, privacyStepProfiler, type StepTiming } from './step-profile.js';

export interface BenchOptions {
  /** Stored contacts before the measured calls (1,000,000 for the figures). */
  readonly contacts: number;
  /** Measured calls per pipeline and phase, after `warmup` unmeasured ones. */
  readonly calls: number;
  readonly warmup: number;
  /** Holds the cached populations and the scratch copies a run works on. */
  readonly cacheRoot: string;
  readonly log?: (line: string) => void;
}

export interface PipelinePair {
  readonly privacy: LatencySummary;
  readonly plaintext: LatencySummary;
}

export interface BenchResults {
  readonly meta: {
    readonly date: string;
    readonly node: string;
    readonly cpu: string;
    readonly cores: number;
    readonly contacts: number;
    readonly calls: number;
    readonly warmup: number;
    /** Seconds to build the population; undefined when it came from the cache. */
    readonly populationSeconds: number | undefined;
    readonly totalSeconds: number;
    readonly privacyFileBytes: number;
    readonly plaintextFileBytes: number;
    /** GatewayDatabase.open (pragmas, quick_check, migrations) on the populated file, ms. */
    readonly openMillis: { readonly privacy: number; readonly plaintext: number };
  };
  readonly pipeline: Readonly<Record<Durability, PipelinePair>>;
  readonly lookups: {
    /** Six HMACs (this month's pseudonym and one per earlier live month) plus the count over them, as the desk does. */
    readonly privacy: LatencySummary;
    readonly plaintext: LatencySummary;
  };
  readonly crypto: {
    readonly hmacPerCall: LatencySummary;
    readonly sealPerCall: LatencySummary;
    readonly monthEpoch: LatencySummary;
  };
  readonly steps: Readonly<Record<Durability, { readonly privacy: StepTiming[]; readonly plaintext: StepTiming[] }>>;
  /** Sums of the prior counts both pipelines showed; equal, since both stores hold the same contacts. */
  readonly priorContactsShown: Readonly<Record<Durability, { readonly privacy: number; readonly plaintext: number }>>;
}

const CALL_SEEDS: Readonly<Record<Durability, number>> = { durable: 101, cpu: 202 };
const LOOKUP_SEED = 303;
const PROFILE_SEED = 404;

export function runBenchmarks(options: BenchOptions): BenchResults {
  const log = options.log ?? (() => undefined);
  const started = process.hrtime.bigint();
  const population = ensurePopulation({ cacheRoot: options.cacheRoot, contacts: options.contacts, log });
  const scratch = join(options.cacheRoot, `run-${process.pid}`);
  const pool = new CallerPool();
  const profileCalls = Math.min(options.calls, 1000);
  try {
    const files = copyToScratch(population, scratch);
    const pipeline = {} as Record<Durability, PipelinePair>;
    const steps = {} as Record<Durability, { privacy: StepTiming[]; plaintext: StepTiming[] }>;
    const priorContactsShown = {} as Record<Durability, { privacy: number; plaintext: number }>;
    let openMillis = { privacy: 0, plaintext: 0 };
    let lookups: BenchResults['lookups'] | undefined;
    let crypto: BenchResults['crypto'] | undefined;
    for (const durability of ['durable', 'cpu'] as const) {
      log(`${durability}: opening both stores`);
      const openStart = process.hrtime.bigint();
      const privacy = openPrivacyPipeline(files.privacyDatabase, files.keyringDirectory, durability);
      const privacyOpened = process.hrtime.bigint();
      const plaintext = openPlaintextPipeline(files.plaintextDatabase, durability);
      if (durability === 'durable') {
        openMillis = { privacy: Number(privacyOpened - openStart) / 1e6, plaintext: Number(process.hrtime.bigint() - privacyOpened) / 1e6 };
      }
      try {
        const callers = measuredCallerIndices(population.plan, options.warmup + options.calls, CALL_SEEDS[durability]);
        log(`${durability}: ${options.warmup} warm-up + ${options.calls} measured calls per pipeline, interleaved`);
        pipeline[durability] = measureInterleaved(privacy.pipeline, plaintext.pipeline, callers.map((index) => callLines(pool.nationalNumber(index))), options.warmup);
        priorContactsShown[durability] = { privacy: privacy.pipeline.priorContactsSeen, plaintext: plaintext.pipeline.priorContactsSeen };
        log(`${durability}: per-step profile (${profileCalls} calls each)`);
        const profileLines = measuredCallerIndices(population.plan, options.warmup + profileCalls, PROFILE_SEED).map((index) => callLines(pool.nationalNumber(index)));
        const profilers = { privacy: privacyStepProfiler(privacy.parts), plaintext: plaintextStepProfiler(plaintext.desk) };
        profileLines.forEach((lines, index) => {
          const order = index % 2 === 0 ? [profilers.privacy, profilers.plaintext] : [profilers.plaintext, profilers.privacy];
          for (const profiler of order) profiler.run(lines);
        });
        steps[durability] = { privacy: profilers.privacy.timings(options.warmup), plaintext: profilers.plaintext.timings(options.warmup) };
        if (durability === 'cpu') {
          log('lookups and crypto');
          const lookupCallers = measuredCallerIndices(population.plan, options.warmup + options.calls, LOOKUP_SEED).map((index) => pool.raw(index));
          lookups = measureLookups(privacy.parts, plaintext.desk, lookupCallers, options.warmup);
          crypto = measureCrypto(privacy.parts, lookupCallers, options.warmup);
        }
      } finally {
        privacy.pipeline.close();
        plaintext.pipeline.close();
      }
    }
    for (const durability of ['durable', 'cpu'] as const) {
      const shown = priorContactsShown[durability];
      if (shown.privacy !== shown.plaintext || shown.privacy === 0) {
        throw new Error(`${durability}: prior counts differ (privacy ${shown.privacy}, plaintext ${shown.plaintext}): the pipelines did not do the same work`);
      }
    }
    if (!lookups || !crypto) throw new Error('the cpu phase did not run');
    return {
      meta: {
        date: new Date().toISOString(),
        node: process.version,
        cpu: cpus()[0]?.model ?? 'unknown',
        cores: cpus().length,
        contacts: options.contacts,
        calls: options.calls,
        warmup: options.warmup,
        populationSeconds: population.builtSeconds,
        totalSeconds: Number(process.hrtime.bigint() - started) / 1e9,
        privacyFileBytes: statSync(population.privacyDatabase).size,
        plaintextFileBytes: statSync(population.plaintextDatabase).size,
        openMillis,
      },
      pipeline,
      lookups,
      crypto,
      steps,
      priorContactsShown,
    };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/**
 * Both pipelines take turns call by call, in ABBA order, so disk and CPU drift hit both alike and
 * neither always goes first. Each gets the same callers in the same order.
 */
function measureInterleaved(privacy: LinePipeline, plaintext: LinePipeline, calls: readonly (readonly string[])[], warmup: number): PipelinePair {
  const recorders = { privacy: new LatencyRecorder(), plaintext: new LatencyRecorder() };
  calls.forEach((lines, index) => {
    const order = index % 2 === 0 ? ([privacy, plaintext] as const) : ([plaintext, privacy] as const);
    for (const pipeline of order) {
      const elapsed = pipeline.call(lines);
      if (index >= warmup) (pipeline === privacy ? recorders.privacy : recorders.plaintext).add(elapsed);
    }
  });
  return { privacy: recorders.privacy.summary(), plaintext: recorders.plaintext.summary() };
}

function measureLookups(parts: PrivacyParts, plaintext: PlaintextDesk, callers: readonly ReturnType<CallerPool['raw']>[], warmup: number): BenchResults['lookups'] {
  const epoch = monthEpochAt(MEASUREMENT_START, SITE_TIME_ZONE);
  const earlierMonths = windowEndingAt(epoch, LINKAGE_MONTHS).slice(1);
  const recorders = { privacy: new LatencyRecorder(), plaintext: new LatencyRecorder() };
  const checksum = { privacy: 0, plaintext: 0 };
  callers.forEach((number, index) => {
    const measured = index >= warmup;
    const text = canonicalText(number);
    const privacyStart = process.hrtime.bigint();
    const found = parts.priorContacts.count([
      { epoch, pseudonym: parts.pseudonymizer.pseudonymize(number, 'phone', epoch) },
      ...parts.pseudonymizer.lookupLinked(number, 'phone', earlierMonths),
    ]);
    const privacyEnd = process.hrtime.bigint();
    const plaintextFound = plaintext.countByNumber(text);
    const plaintextEnd = process.hrtime.bigint();
    checksum.privacy += found;
    checksum.plaintext += plaintextFound;
    if (!measured) return;
    recorders.privacy.add(privacyEnd - privacyStart);
    recorders.plaintext.add(plaintextEnd - privacyEnd);
  });
  if (checksum.privacy !== checksum.plaintext) {
    throw new Error(`lookups disagree: privacy found ${checksum.privacy}, plaintext ${checksum.plaintext}`);
  }
  return { privacy: recorders.privacy.summary(), plaintext: recorders.plaintext.summary() };
}

function measureCrypto(parts: PrivacyParts, callers: readonly ReturnType<CallerPool['raw']>[], warmup: number): BenchResults['crypto'] {
  const epoch = monthEpochAt(MEASUREMENT_START, SITE_TIME_ZONE);
  const earlierMonths = windowEndingAt(epoch, LINKAGE_MONTHS).slice(1);
  const recorders = { hmac: new LatencyRecorder(), seal: new LatencyRecorder(), month: new LatencyRecorder() };
  callers.forEach((number, index) => {
    // As the desk does: this month's pseudonym (stored and counted) plus one per earlier live month.
    const hmacStart = process.hrtime.bigint();
    parts.pseudonymizer.pseudonymize(number, 'phone', epoch);
    parts.pseudonymizer.lookupPseudonyms(number, 'phone', earlierMonths);
    const sealStart = process.hrtime.bigint();
    parts.vault.seal(number, 'phone-number', epoch);
    const monthStart = process.hrtime.bigint();
    monthEpochAt(MEASUREMENT_START + index * 1000, SITE_TIME_ZONE);
    const end = process.hrtime.bigint();
    if (index < warmup) return;
    recorders.hmac.add(sealStart - hmacStart);
    recorders.seal.add(monthStart - sealStart);
    recorders.month.add(end - monthStart);
  });
  return { hmacPerCall: recorders.hmac.summary(), sealPerCall: recorders.seal.summary(), monthEpoch: recorders.month.summary() };
}

/** A run writes contacts; it works on copies so the cached population stays as built. */
function copyToScratch(population: PopulatedFiles, scratch: string): Pick<PopulatedFiles, 'privacyDatabase' | 'plaintextDatabase' | 'keyringDirectory'> {
  rmSync(scratch, { recursive: true, force: true });
  mkdirSync(scratch, { recursive: true });
  const privacyDatabase = join(scratch, 'privacy.db');
  const plaintextDatabase = join(scratch, 'plaintext.db');
  for (const [from, to] of [[population.privacyDatabase, privacyDatabase], [population.plaintextDatabase, plaintextDatabase]] as const) {
    copyFileSync(from, to);
    if (existsSync(`${from}-wal`)) copyFileSync(`${from}-wal`, `${to}-wal`);
  }
  // The keyring refuses group or other permission bits; copyFileSync keeps the 0600 of each file.
  const keyringDirectory = join(scratch, 'keyring');
  mkdirSync(keyringDirectory, { mode: 0o700 });
  for (const name of readdirSync(population.keyringDirectory)) copyFileSync(join(population.keyringDirectory, name), join(keyringDirectory, name));
  return { privacyDatabase, plaintextDatabase, keyringDirectory };
}
