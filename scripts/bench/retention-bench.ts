/**
 * The retention run (issue 3): the real LinkageSweeper over a store of 2,000,000 contacts spread
 * over twelve months, six of them due, while calls keep arriving through the real ContactDesk every
 * 5 ms and the event loop is watched two ways. Transcripts do not exist yet (issue 5): this measures
 * the contacts part of a retention run only.
 *
 * `npm run bench` runs it as shipped after the intake benchmark. Run alone it can try variants,
 * each on a fresh copy of the cached store: a sweeper batch size, and what dropping the SQLite
 * pseudonym index would change (nothing in src/ reads it since the prior-contact count moved to
 * memory; every unlinked row costs a delete from it):
 *
 *   node --import tsx scripts/bench/retention-bench.ts
 *   BENCH_RETENTION_CONTACTS=2000000  stored contacts (default 2,000,000)
 *   BENCH_RETENTION_VARIANTS=default,5000,1000/no-pseudonym-index  runs to make (default: default)
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { AuditLog } from '../../src/audit/audit-log.js';
import { ContactDesk } from '../../src/contacts/contact-desk.js';
import { PriorContactCounter } from '../../src/contacts/prior-contact-counter.js';
import { CallerIdParser } from '../../src/line/caller-id-parser.js';
import { silentLogger } from '../../src/log/index.js';
import { Keyring } from '../../src/privacy/keyring.js';
import { createPseudonymizer } from '../../src/privacy/pseudonym.js';
import { createVault } from '../../src/privacy/vault.js';
import { LinkageSweeper, type SweepResult } from '../../src/retention/linkage-sweeper.js';
import { toStationContactJson, type StationEventFrame } from '../../src/stations/station-json.js';
import { ContactsRepository } from '../../src/store/contacts-repository.js';
import { GatewayDatabase } from '../../src/store/open-database.js';
import { RegistrationsRepository } from '../../src/store/registrations-repository.js';
import { ManualClock, monthEpochAt, shiftMonthEpoch, type MonthEpoch } from '../../src/time/index.js';
import { renderRetentionReport, retentionVerdict, variantName } from './bench-report.js';
import { callLines } from './pipelines.js';
import { CallerPool, ensurePrivacyPopulation, LINKAGE_MONTHS, measuredCallerIndices, SITE_TIME_ZONE, type PrivacyPopulatedFiles } from './population.js';
import { summarize } from './statistics.js';

/** Twelve months of contacts, January to mid-December (site time)... */
export const RETENTION_SPREAD = { start: Date.parse('2025-01-01T00:00:00+01:00'), end: Date.parse('2025-12-15T00:00:00+01:00') };
/** ...swept the day after: December is the current month, so January to June (six months) are due. */
export const RETENTION_NOW = Date.parse('2025-12-16T09:00:00+01:00');

const CALL_EVERY_MS = 5;
const PROBE_EVERY_MS = 1;
/** Calls offered before the sweep, with the same probes: what the loop looks like without it. */
const BASELINE_MS = 2000;
/** After the sweep returns, long enough for both probes to see a stall that ended it. */
const SETTLE_MS = 20;
/** Short ring silence, and a clock step past it per call, so a long run stays in December. */
const RING_SILENCE_MS = 1000;
const CLOCK_STEP_PER_CALL_MS = 1500;
const CALLER_SEED = 505;
const CALLER_CYCLE = 20_000;
const CATEGORIES = { ageBands: ['0-11', '12-15', '16-18', '19-25'], topics: ['school', 'home', 'friends', 'other'], outcomes: ['talked', 'referred'] };

/** One run's deviation from the shipped store and sweeper (none: as shipped). */
export interface RetentionVariant {
  /** The sweeper's batchSize option; left out, the shipped default. */
  readonly batchSize?: number;
  /** Drops `contacts_by_pseudonym` on the scratch copy before the run (a what-if, not shipped). */
  readonly withoutPseudonymIndex?: boolean;
}

export interface RetentionBenchOptions {
  readonly contacts: number;
  readonly cacheRoot: string;
  /** One run each, on a fresh copy of the store; left out, one run as shipped. */
  readonly variants?: readonly RetentionVariant[];
  readonly log?: (line: string) => void;
}

export interface LoopFigures {
  /** Longest gap between two ticks of a 1 ms setInterval (the tick period included). */
  readonly longestStallMs: number;
  /** monitorEventLoopDelay({ resolution: 1 }): its max and p99. */
  readonly histogramMaxMs: number;
  readonly histogramP99Ms: number;
}

export interface CallFigures {
  readonly offered: number;
  /** From the moment the call's lines were due (every 5 ms) to its station frame: waiting for the loop included. */
  readonly worstMs: number;
  readonly p99Ms: number;
  readonly p50Ms: number;
  /** From the first line fed to the frame: the desk's own work, without the wait. */
  readonly worstServiceMs: number;
}

export interface MeasuredWindow {
  readonly wallMs: number;
  readonly loop: LoopFigures;
  readonly calls: CallFigures;
}

/** Where the sweep's synchronous time went, from wrappers around the real objects' methods. */
export interface SweepBreakdown {
  readonly rangeTransactions: number;
  readonly rangeTransactionMaxMs: number;
  readonly rangeTransactionP99Ms: number;
  readonly rangeTransactionTotalMs: number;
  readonly shredTotalMs: number;
  readonly shredMaxMs: number;
  readonly checkpointMs: number;
  readonly walBytesBeforeCheckpoint: number;
  readonly auditMs: number;
  /** From the first step after the last range (the in-memory index) until sweep() returned: one synchronous block. */
  readonly tailMs: number;
}

export interface RetentionRun {
  readonly variant: RetentionVariant;
  readonly contactsUnlinked: number;
  readonly sealsDestroyed: number;
  readonly linkKeysShredded: number;
  readonly sealKeysShredded: number;
  readonly baseline: MeasuredWindow;
  readonly sweep: MeasuredWindow;
  readonly breakdown: SweepBreakdown;
}

export interface RetentionResults {
  readonly meta: {
    readonly date: string;
    readonly node: string;
    readonly cpu: string;
    readonly cores: number;
    readonly contacts: number;
    readonly dueMonths: readonly MonthEpoch[];
    readonly liveMonths: readonly MonthEpoch[];
    readonly populationSeconds: number | undefined;
    readonly totalSeconds: number;
    readonly fileBytes: number;
    /** GatewayDatabase.open and PriorContactCounter.load on the populated copy (first run). */
    readonly openMs: number;
    readonly counterLoadMs: number;
  };
  readonly runs: readonly RetentionRun[];
}

export async function runRetentionBench(options: RetentionBenchOptions): Promise<RetentionResults> {
  const log = options.log ?? (() => undefined);
  const started = performance.now();
  const population = ensurePrivacyPopulation({ cacheRoot: options.cacheRoot, contacts: options.contacts, spread: RETENTION_SPREAD, log });
  const current = monthEpochAt(RETENTION_NOW, SITE_TIME_ZONE);
  const oldestLive = shiftMonthEpoch(current, -(LINKAGE_MONTHS - 1));
  const months = Array.from({ length: 12 }, (_, index) => shiftMonthEpoch(current, index - 11));
  const runs: RetentionRun[] = [];
  let opening = { openMs: 0, counterLoadMs: 0 };
  for (const variant of options.variants ?? [{}]) {
    log(`retention: ${variantName(variant)}: copying the store, opening it`);
    const { run, openMs, counterLoadMs } = await runOnce(population, variant, oldestLive, log);
    if (runs.length === 0) opening = { openMs, counterLoadMs };
    runs.push(run);
  }
  return {
    meta: {
      date: new Date().toISOString(),
      node: process.version,
      cpu: cpus()[0]?.model ?? 'unknown',
      cores: cpus().length,
      contacts: options.contacts,
      dueMonths: months.filter((month) => month < oldestLive),
      liveMonths: months.filter((month) => month >= oldestLive),
      populationSeconds: population.builtSeconds,
      totalSeconds: (performance.now() - started) / 1000,
      fileBytes: statSync(population.privacyDatabase).size,
      ...opening,
    },
    runs,
  };
}

async function runOnce(
  population: PrivacyPopulatedFiles,
  variant: RetentionVariant,
  oldestLive: MonthEpoch,
  log: (line: string) => void,
): Promise<{ run: RetentionRun; openMs: number; counterLoadMs: number }> {
  const { batchSize } = variant;
  const name = variantName(variant);
  const scratch = join(population.directory, '..', `retention-run-${process.pid}`);
  const files = copyToScratch(population, scratch);
  const clock = new ManualClock(RETENTION_NOW);
  const keyring = Keyring.open({ directory: files.keyringDirectory, clock });
  const openStart = performance.now();
  const database = GatewayDatabase.open({ path: files.database, logger: silentLogger() });
  try {
    const openMs = performance.now() - openStart;
    // Wired as main.ts wires them: one store, one keyring, one in-memory index for desk and sweeper.
    const contacts = new ContactsRepository(database);
    const loadStart = performance.now();
    const priorContacts = PriorContactCounter.load(contacts);
    const counterLoadMs = performance.now() - loadStart;
    if (variant.withoutPseudonymIndex) {
      // As a migration would leave it: the freed pages checkpointed, so the sweep's WAL starts empty.
      database.exec('DROP INDEX contacts_by_pseudonym');
      database.checkpoint();
    } else {
      contacts.warmPseudonymIndex();
    }
    const desk = new ContactDesk({
      database,
      contacts,
      registrations: new RegistrationsRepository(database),
      pseudonymizer: createPseudonymizer(keyring),
      vault: createVault(keyring),
      clock,
      timeZone: SITE_TIME_ZONE,
      linkageMonths: LINKAGE_MONTHS,
      categories: CATEGORIES,
      priorContacts,
      logger: silentLogger(),
    });
    const sweeper = new LinkageSweeper({
      keyring,
      contacts,
      database,
      clock,
      timeZone: SITE_TIME_ZONE,
      phoneLinkageMonths: LINKAGE_MONTHS,
      phoneSealedMonths: LINKAGE_MONTHS,
      priorContacts,
      audit: new AuditLog({ database, clock }),
      logger: silentLogger(),
      ...(batchSize === undefined ? {} : { batchSize }),
    });
    const expected = dueRowCounts(database, oldestLive);
    const pool = new CallerPool();
    const numbers = measuredCallerIndices(population.plan, CALLER_CYCLE, CALLER_SEED).map((index) => pool.nationalNumber(index));
    const driver = new CallDriver(desk, clock, numbers);
    const recorder = new SweepRecorder(database, keyring, priorContacts, files.database, () => driver.busy);

    log(`retention: ${name}: ${BASELINE_MS} ms of calls every ${CALL_EVERY_MS} ms without a sweep`);
    const baseline = await measureWindow(driver, () => new Promise<void>((done) => setTimeout(done, BASELINE_MS)));
    log(`retention: ${name}: sweeping (${expected.linked.toLocaleString('en')} linked, ${expected.sealed.toLocaleString('en')} sealed rows due)`);
    recorder.arm();
    let result: SweepResult | undefined;
    const sweep = await measureWindow(driver, async () => {
      result = await sweeper.sweep();
      recorder.sweepReturned();
    });
    if (!result) throw new Error('the sweep did not return');
    const left = dueRowCounts(database, oldestLive);
    if (left.linked + left.sealed > 0 || keyring.linkEpochs().some((month) => month < oldestLive)) {
      throw new Error(`the sweep left ${left.linked} pseudonyms and ${left.sealed} sealed copies of due months, or a due key`);
    }
    if (result.contactsUnlinked !== expected.linked || result.sealsDestroyed !== expected.sealed) {
      throw new Error(`the sweep reported ${result.contactsUnlinked}/${result.sealsDestroyed} rows, ${expected.linked}/${expected.sealed} were due`);
    }
    const run: RetentionRun = {
      variant,
      contactsUnlinked: result.contactsUnlinked,
      sealsDestroyed: result.sealsDestroyed,
      linkKeysShredded: result.linkEpochsShredded.length,
      sealKeysShredded: result.sealedEpochsShredded.length,
      baseline,
      sweep,
      breakdown: recorder.breakdown(),
    };
    log(
      `retention: ${name}: ${(sweep.wallMs / 1000).toFixed(1)} s, longest stall ${sweep.loop.longestStallMs.toFixed(1)} ms, ` +
        `worst call ${sweep.calls.worstMs.toFixed(1)} ms, longest range ${run.breakdown.rangeTransactionMaxMs.toFixed(1)} ms, tail ${run.breakdown.tailMs.toFixed(1)} ms`,
    );
    return { run, openMs, counterLoadMs };
  } finally {
    database.close();
    keyring.close();
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** Rows still holding a pseudonym or sealed copy of a due month (a scan; outside the measured window). */
function dueRowCounts(database: GatewayDatabase, oldestLive: MonthEpoch): { linked: number; sealed: number } {
  const count = (sql: string): number => database.get<{ n: number }>(sql, [oldestLive])?.n ?? 0;
  return {
    linked: count('SELECT count(*) AS n FROM contacts WHERE link_epoch < ? AND pseudonym IS NOT NULL'),
    sealed: count(`SELECT count(*) AS n FROM contacts WHERE sealed_epoch < ? AND channel = 'phone' AND sealed_identifier IS NOT NULL`),
  };
}

/** Runs `work` while calls arrive and both event-loop probes watch; stops them once it is done. */
async function measureWindow(driver: CallDriver, work: () => Promise<void>): Promise<MeasuredWindow> {
  const histogram = monitorEventLoopDelay({ resolution: PROBE_EVERY_MS });
  const gaps = new GapProbe();
  histogram.enable();
  gaps.start();
  driver.start();
  const started = performance.now();
  await work();
  const wallMs = performance.now() - started;
  await new Promise((done) => setTimeout(done, SETTLE_MS));
  const calls = await driver.stop();
  const longestStallMs = gaps.stop();
  histogram.disable();
  return { wallMs, loop: { longestStallMs, histogramMaxMs: histogram.max / 1e6, histogramP99Ms: histogram.percentile(99) / 1e6 }, calls };
}

/** A 1 ms interval: the longest time between two ticks is the longest the loop was not free. */
class GapProbe {
  #timer: NodeJS.Timeout | undefined;
  #last = 0;
  #longest = 0;

  start(): void {
    this.#last = performance.now();
    this.#longest = 0;
    this.#timer = setInterval(() => this.#tick(), PROBE_EVERY_MS);
  }

  /** The longest gap, counting the one still open: a stall at the very end is seen too. */
  stop(): number {
    this.#tick();
    clearInterval(this.#timer);
    this.#timer = undefined;
    return this.#longest;
  }

  #tick(): void {
    const now = performance.now();
    this.#longest = Math.max(this.#longest, now - this.#last);
    this.#last = now;
  }
}

/**
 * A call's lines are due every 5 ms from start(); when the loop gets a turn, every call due by then
 * goes through a real CallerIdParser and the desk, as a modem's buffered lines would. Latency runs
 * from when the lines were due, so a stall shows in the calls that waited for it.
 */
class CallDriver {
  readonly #desk: ContactDesk;
  readonly #clock: ManualClock;
  readonly #numbers: readonly string[];
  readonly #parser: CallerIdParser;
  readonly #month: MonthEpoch;
  #timer: NodeJS.Timeout | undefined;
  #startedAt = 0;
  #next = 0;
  #offered = 0;
  #latencies: number[] = [];
  #service: number[] = [];
  #frameAt: number | undefined;
  #stopAt = Number.POSITIVE_INFINITY;
  #stopped: (() => void) | undefined;
  busy = false;

  constructor(desk: ContactDesk, clock: ManualClock, numbers: readonly string[]) {
    this.#desk = desk;
    this.#clock = clock;
    this.#numbers = numbers;
    this.#month = monthEpochAt(clock.now(), SITE_TIME_ZONE);
    this.#parser = new CallerIdParser({ country: 'NL', clock, ringSilenceMs: RING_SILENCE_MS, newCallId: () => `retention-${this.#offered}` });
    desk.onContactChanged((view) => {
      JSON.stringify({ type: 'contact', contact: toStationContactJson(view) } satisfies StationEventFrame);
      this.#frameAt = performance.now();
    });
  }

  start(): void {
    this.#startedAt = performance.now();
    this.#next = 0;
    this.#latencies = [];
    this.#service = [];
    this.#stopAt = Number.POSITIVE_INFINITY;
    this.#schedule();
  }

  /** Stops the arrivals; resolves once every call due before now has reached its station frame. */
  stop(): Promise<CallFigures> {
    this.#stopAt = performance.now();
    return new Promise((done) => {
      this.#stopped = () => {
        this.#stopped = undefined;
        const latency = summarize(this.#latencies.map((ms) => ms * 1e6));
        done({
          offered: this.#latencies.length,
          worstMs: latency.maxMicros / 1000,
          p99Ms: latency.p99Micros / 1000,
          p50Ms: latency.p50Micros / 1000,
          worstServiceMs: Math.max(...this.#service),
        });
      };
      this.#catchUp();
    });
  }

  #dueAt(index: number): number {
    return this.#startedAt + index * CALL_EVERY_MS;
  }

  #schedule(): void {
    this.#timer = setTimeout(() => this.#catchUp(), Math.max(0, this.#dueAt(this.#next) - performance.now()));
  }

  #catchUp(): void {
    clearTimeout(this.#timer);
    for (let due = this.#dueAt(this.#next); due <= performance.now() && due < this.#stopAt; due = this.#dueAt(this.#next)) {
      this.#offer(due);
      this.#next += 1;
    }
    if (this.#stopped && this.#dueAt(this.#next) >= this.#stopAt) this.#stopped();
    else this.#schedule();
  }

  #offer(dueAt: number): void {
    // Past the last call's ring silence; a long run must not reach January, whose keys are not made yet.
    this.#clock.advance(CLOCK_STEP_PER_CALL_MS);
    if (monthEpochAt(this.#clock.now(), SITE_TIME_ZONE) !== this.#month) throw new Error('the call clock left the sweep month; lower CLOCK_STEP_PER_CALL_MS');
    const number = this.#numbers[this.#offered % this.#numbers.length] ?? '0600000000';
    this.#offered += 1;
    this.#frameAt = undefined;
    this.busy = true;
    const fedAt = performance.now();
    try {
      for (const line of callLines(number)) {
        for (const event of this.#parser.accept(line)) if (event.type === 'call-offered') this.#desk.offerCall(event.call);
      }
    } finally {
      this.busy = false;
    }
    if (this.#frameAt === undefined) throw new Error('a call produced no station frame');
    this.#latencies.push(this.#frameAt - dueAt);
    this.#service.push(this.#frameAt - fedAt);
  }
}

/**
 * Times the sweep's synchronous steps by wrapping methods of the real objects it was given (bench
 * only): each range transaction, each key shred, the checkpoint and the audit entry.
 */
class SweepRecorder {
  readonly #ranges: number[] = [];
  readonly #shreds: number[] = [];
  readonly #databasePath: string;
  #armed = false;
  #tailStartedAt: number | undefined;
  #tailMs = 0;
  #checkpointMs = 0;
  #walBytes = 0;
  #auditMs = 0;

  constructor(database: GatewayDatabase, keyring: Keyring, priorContacts: PriorContactCounter, databasePath: string, deskBusy: () => boolean) {
    this.#databasePath = databasePath;
    const transaction = database.transaction.bind(database);
    database.transaction = <T>(fn: () => T): T => {
      if (!this.#armed || deskBusy()) return transaction(fn);
      const started = performance.now();
      try {
        return transaction(fn);
      } finally {
        const elapsed = performance.now() - started;
        if (this.#tailStartedAt === undefined) this.#ranges.push(elapsed);
        else this.#auditMs += elapsed;
      }
    };
    const checkpoint = database.checkpoint.bind(database);
    database.checkpoint = (): void => {
      const wal = `${this.#databasePath}-wal`;
      this.#walBytes = existsSync(wal) ? statSync(wal).size : 0;
      const started = performance.now();
      checkpoint();
      this.#checkpointMs += performance.now() - started;
    };
    const forgetEpochsBefore = priorContacts.forgetEpochsBefore.bind(priorContacts);
    priorContacts.forgetEpochsBefore = (epoch: MonthEpoch): void => {
      if (this.#armed) this.#tailStartedAt ??= performance.now();
      forgetEpochsBefore(epoch);
    };
    const timedShred = <A extends unknown[]>(shred: (...args: A) => boolean) => (...args: A): boolean => {
      const started = performance.now();
      try {
        return shred(...args);
      } finally {
        if (this.#armed) this.#shreds.push(performance.now() - started);
      }
    };
    keyring.shredLinkKey = timedShred(keyring.shredLinkKey.bind(keyring));
    keyring.shredVaultKey = timedShred(keyring.shredVaultKey.bind(keyring));
  }

  arm(): void {
    this.#armed = true;
  }

  sweepReturned(): void {
    if (this.#tailStartedAt !== undefined) this.#tailMs = performance.now() - this.#tailStartedAt;
    this.#armed = false;
  }

  breakdown(): SweepBreakdown {
    const ranges = this.#ranges.length > 0 ? summarize(this.#ranges.map((ms) => ms * 1e6)) : undefined;
    return {
      rangeTransactions: this.#ranges.length,
      rangeTransactionMaxMs: (ranges?.maxMicros ?? 0) / 1000,
      rangeTransactionP99Ms: (ranges?.p99Micros ?? 0) / 1000,
      rangeTransactionTotalMs: this.#ranges.reduce((sum, ms) => sum + ms, 0),
      shredTotalMs: this.#shreds.reduce((sum, ms) => sum + ms, 0),
      shredMaxMs: Math.max(0, ...this.#shreds),
      checkpointMs: this.#checkpointMs,
      walBytesBeforeCheckpoint: this.#walBytes,
      auditMs: this.#auditMs,
      tailMs: this.#tailMs,
    };
  }
}

/** The sweep destroys data: it runs on a copy, so the cached store stays as built. */
function copyToScratch(population: PrivacyPopulatedFiles, scratch: string): { database: string; keyringDirectory: string } {
  rmSync(scratch, { recursive: true, force: true });
  mkdirSync(scratch, { recursive: true });
  const database = join(scratch, 'privacy.db');
  copyFileSync(population.privacyDatabase, database);
  if (existsSync(`${population.privacyDatabase}-wal`)) copyFileSync(`${population.privacyDatabase}-wal`, `${database}-wal`);
  // The keyring refuses group or other permission bits; copyFileSync keeps the 0600 of each file.
  const keyringDirectory = join(scratch, 'keyring');
  mkdirSync(keyringDirectory, { mode: 0o700 });
  for (const name of readdirSync(population.keyringDirectory)) copyFileSync(join(population.keyringDirectory, name), join(keyringDirectory, name));
  return { database, keyringDirectory };
}

/** `default,5000,1000/no-pseudonym-index`: a batch size (or `default`), optionally with the index dropped. */
function variantsFromEnvironment(text: string | undefined): RetentionVariant[] {
  if (text === undefined || text === '') return [{}];
  return text.split(',').map((part) => {
    const [batch = '', ...flags] = part.trim().split('/');
    const withoutPseudonymIndex = flags.includes('no-pseudonym-index');
    if (flags.length !== (withoutPseudonymIndex ? 1 : 0)) throw new Error(`BENCH_RETENTION_VARIANTS: unknown flag in ${JSON.stringify(part)}`);
    if (batch === 'default') return { withoutPseudonymIndex };
    const batchSize = Number(batch.replace(/_/g, ''));
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`BENCH_RETENTION_VARIANTS: ${JSON.stringify(part)} needs a positive batch size or "default"`);
    return { batchSize, withoutPseudonymIndex };
  });
}

const runDirectly = process.argv[1] !== undefined && resolve(process.argv[1]) === resolve(import.meta.filename);
if (runDirectly) {
  const contactsText = process.env.BENCH_RETENTION_CONTACTS;
  const contacts = contactsText ? Number(contactsText.replace(/[_,]/g, '')) : 2_000_000;
  if (!Number.isInteger(contacts) || contacts < 1) throw new Error(`BENCH_RETENTION_CONTACTS must be a positive whole number, got ${JSON.stringify(contactsText)}`);
  const results = await runRetentionBench({
    contacts,
    cacheRoot: join(import.meta.dirname, '..', '..', '.bench'),
    variants: variantsFromEnvironment(process.env.BENCH_RETENTION_VARIANTS),
    log: (line) => process.stderr.write(`bench: ${line}\n`),
  });
  process.stdout.write(`${renderRetentionReport(results)}\n`);
  process.stderr.write(`bench: ${retentionVerdict(results)}\n`);
}
