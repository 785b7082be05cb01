/**
 * The retention run (issues 3 and 5): the real RetentionSweeper, with the rules of
 * `retentionRules(policyPresets['allesoke-nl'])` (phone linkage and numbers 6 months, chat IPs and
 * transcripts 3), over a store of 2,000,000 phone contacts, 50,000 chats and their 500,000 sealed
 * transcript lines spread over twelve months, while calls keep arriving through the real ContactDesk
 * every 5 ms and the event loop is watched two ways.
 *
 * `npm run bench` runs it as shipped after the intake benchmark. Run alone it can try variants,
 * each on a fresh copy of the cached store: a sweeper batch size, `/secure-delete-off` (the
 * scratch copy without `secure_delete`, a what-if that shows what the overwriting costs) and
 * `/calls-20ms` (a call every 20 ms instead of every 5):
 *
 *   node --import tsx scripts/bench/retention-bench.ts
 *   BENCH_RETENTION_CONTACTS=2000000  stored phone contacts (default 2,000,000; chats and lines scale with it)
 *   BENCH_RETENTION_VARIANTS=default,2000,500/secure-delete-off,default/calls-20ms  runs to make (default: default)
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { AuditLog } from '../../src/audit/audit-log.js';
import { policyPresets } from '../../src/config/policy-presets.js';
import { ContactDesk } from '../../src/contacts/contact-desk.js';
import { PriorContactCounter } from '../../src/contacts/prior-contact-counter.js';
import { CallerIdParser } from '../../src/line/caller-id-parser.js';
import { silentLogger } from '../../src/log/index.js';
import { Keyring } from '../../src/privacy/keyring.js';
import { createPseudonymizer } from '../../src/privacy/pseudonym.js';
import type { SealedText } from '../../src/privacy/types.js';
import { createVault } from '../../src/privacy/vault.js';
import { epochsDue, oldestLiveEpoch } from '../../src/retention/retention-calendar.js';
import { keyFamilyOf, retentionRules, type RetentionKeyFamily, type RetentionRule } from '../../src/retention/retention-rules.js';
import { RetentionSweeper, type SweepResult } from '../../src/retention/retention-sweeper.js';
import { toStationContactJson, type StationEventFrame } from '../../src/stations/station-json.js';
import { ContactsRepository } from '../../src/store/contacts-repository.js';
import { GatewayDatabase } from '../../src/store/open-database.js';
import { RegistrationsRepository } from '../../src/store/registrations-repository.js';
import { TranscriptsRepository } from '../../src/store/transcripts-repository.js';
import { ManualClock, monthEpochAt, shiftMonthEpoch, type MonthEpoch } from '../../src/time/index.js';
import { renderRetentionReport, retentionVerdict, variantName } from './bench-report.js';
import { GapProbe } from './gap-probe.js';
import { callLines } from './pipelines.js';
import { CallerPool, ensurePrivacyPopulation, LINKAGE_MONTHS, measuredCallerIndices, SITE_TIME_ZONE, type PrivacyPopulatedFiles } from './population.js';
import { summarize } from './statistics.js';
import { fsyncs, heldBy, SweepRecorder, type SweepBreakdown, type TimedStep } from './sweep-recorder.js';

export type { LongestStep, RangeFigures, SweepBreakdown } from './sweep-recorder.js';

/** Twelve months of contacts, January to mid-December (site time)... */
export const RETENTION_SPREAD = { start: Date.parse('2025-01-01T00:00:00+01:00'), end: Date.parse('2025-12-15T00:00:00+01:00') };
/** ...swept the day after: December is the current month, so January to June (phone) and January to September (chat) are due. */
export const RETENTION_NOW = Date.parse('2025-12-16T09:00:00+01:00');
/** The Dutch statement's rules: phone 6 months, chat transcripts and IPs 3, mail to the year's end. */
export const RETENTION_POLICY = 'allesoke-nl';

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
  /** `PRAGMA secure_delete = OFF` on the scratch copy before the run (a what-if, never shipped). */
  readonly secureDeleteOff?: boolean;
  /** A call every this many ms instead of every 5 ms. */
  readonly callEveryMs?: number;
}

export interface RetentionBenchOptions {
  /** Stored phone contacts; the chats and their transcript lines follow `chatPlan(contacts)`. */
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
  /** Every fsync of the process in the window (desk, sweeper, keyring): the slowest, and how many took ≥ 50 ms. */
  readonly longestFsyncMs: number;
  readonly slowFsyncs: number;
  /** What ran during the longest stall: the timed steps and call batches that overlap it. */
  readonly longestStallHeldBy: string;
}

export type RowsCleared = Omit<SweepResult, 'keysShredded'>;

export interface RetentionRun {
  readonly variant: RetentionVariant;
  readonly rows: RowsCleared;
  readonly keysShredded: Readonly<Partial<Record<RetentionKeyFamily, number>>>;
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
    readonly policy: string;
    readonly contacts: number;
    readonly chats: number;
    readonly transcriptLines: number;
    /** Due and live months of the phone rules (6 months) and of the chat rules (3 months). */
    readonly phoneDueMonths: readonly MonthEpoch[];
    readonly phoneLiveMonths: readonly MonthEpoch[];
    readonly chatDueMonths: readonly MonthEpoch[];
    readonly chatLiveMonths: readonly MonthEpoch[];
    readonly populationSeconds: number | undefined;
    readonly totalSeconds: number;
    readonly fileBytes: number;
    /** GatewayDatabase.open and PriorContactCounter.load on the populated copy (first run). */
    readonly openMs: number;
    readonly counterLoadMs: number;
    /** The 1-minute load average before the first sweep: other work on the machine moves every figure. */
    readonly loadAverage: number;
  };
  readonly runs: readonly RetentionRun[];
}

export async function runRetentionBench(options: RetentionBenchOptions): Promise<RetentionResults> {
  const log = options.log ?? (() => undefined);
  const started = performance.now();
  fsyncs.install();
  const population = ensurePrivacyPopulation({ cacheRoot: options.cacheRoot, contacts: options.contacts, spread: RETENTION_SPREAD, log });
  const rules = retentionRules(policyPresets[RETENTION_POLICY]);
  const current = monthEpochAt(RETENTION_NOW, SITE_TIME_ZONE);
  const months = Array.from({ length: 12 }, (_, index) => shiftMonthEpoch(current, index - 11));
  const oldestPhone = oldestKept(rules, 'phone-linkage');
  const oldestChat = oldestKept(rules, 'chat-transcript');
  const runs: RetentionRun[] = [];
  let opening = { openMs: 0, counterLoadMs: 0 };
  const loadAverage = loadavg()[0] ?? 0;
  for (const variant of options.variants ?? [{}]) {
    log(`retention: ${variantName(variant)}: copying the store, opening it`);
    const { run, openMs, counterLoadMs } = await runOnce(population, rules, variant, log);
    if (runs.length === 0) opening = { openMs, counterLoadMs };
    runs.push(run);
  }
  return {
    meta: {
      date: new Date().toISOString(),
      node: process.version,
      cpu: cpus()[0]?.model ?? 'unknown',
      cores: cpus().length,
      policy: RETENTION_POLICY,
      contacts: options.contacts,
      chats: population.chats.chats,
      transcriptLines: population.chats.transcriptLines,
      phoneDueMonths: months.filter((month) => month < oldestPhone),
      phoneLiveMonths: months.filter((month) => month >= oldestPhone),
      chatDueMonths: months.filter((month) => month < oldestChat),
      chatLiveMonths: months.filter((month) => month >= oldestChat),
      populationSeconds: population.builtSeconds,
      totalSeconds: (performance.now() - started) / 1000,
      fileBytes: statSync(population.privacyDatabase).size,
      ...opening,
      loadAverage,
    },
    runs,
  };
}

function oldestKept(rules: readonly RetentionRule[], dataClass: RetentionRule['dataClass']): MonthEpoch {
  const rule = rules.find((candidate) => candidate.dataClass === dataClass);
  const oldest = rule && oldestLiveEpoch(rule, RETENTION_NOW, SITE_TIME_ZONE);
  if (oldest === undefined) throw new Error(`the ${RETENTION_POLICY} rules keep ${dataClass} by month no longer`);
  return oldest;
}

async function runOnce(
  population: PrivacyPopulatedFiles,
  rules: readonly RetentionRule[],
  variant: RetentionVariant,
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
    if (variant.secureDeleteOff) database.exec('PRAGMA secure_delete = OFF');
    // Wired as main.ts wires them: one store, one keyring, one in-memory index for desk and sweeper.
    const contacts = new ContactsRepository(database);
    const transcripts = new TranscriptsRepository(database);
    const loadStart = performance.now();
    const priorContacts = PriorContactCounter.load(contacts);
    const counterLoadMs = performance.now() - loadStart;
    const vault = createVault(keyring);
    const desk = new ContactDesk({
      database,
      contacts,
      registrations: new RegistrationsRepository(database),
      pseudonymizer: createPseudonymizer(keyring),
      vault,
      clock,
      timeZone: SITE_TIME_ZONE,
      linkageMonths: LINKAGE_MONTHS,
      categories: CATEGORIES,
      priorContacts,
      logger: silentLogger(),
    });
    const sweeper = new RetentionSweeper({
      keyring,
      contacts,
      transcripts,
      database,
      clock,
      timeZone: SITE_TIME_ZONE,
      rules,
      priorContacts,
      audit: new AuditLog({ database, clock }),
      logger: silentLogger(),
      ...(batchSize === undefined ? {} : { batchSize }),
    });
    const due = dueRows(database, rules);
    const keysDue = dueKeys(keyring, rules);
    const pool = new CallerPool();
    const numbers = measuredCallerIndices(population.plan, CALLER_CYCLE, CALLER_SEED).map((index) => pool.nationalNumber(index));
    const driver = new CallDriver(desk, clock, numbers, variant.callEveryMs ?? CALL_EVERY_MS);
    const recorder = new SweepRecorder(database, keyring, contacts, transcripts, priorContacts, files.database, () => driver.busy);

    log(`retention: ${name}: ${BASELINE_MS} ms of calls every ${CALL_EVERY_MS} ms without a sweep`);
    const baseline = await measureWindow(driver, undefined, () => new Promise<void>((done) => setTimeout(done, BASELINE_MS)));
    log(
      `retention: ${name}: sweeping (${count(due.contactsUnlinked)} pseudonyms, ${count(due.phoneNumbersDestroyed)} numbers, ` +
        `${count(due.chatAddressesDestroyed)} chat IPs, ${count(due.transcriptLinesDeleted)} transcript lines and ${keysDue.length} keys due)`,
    );
    recorder.arm();
    let result: SweepResult | undefined;
    const sweep = await measureWindow(driver, recorder, async () => {
      result = await sweeper.sweep();
      recorder.disarm();
    });
    if (!result) throw new Error('the sweep did not return');
    checkSwept(database, keyring, transcripts, vault, rules, due, keysDue, result);
    const keysShredded: Partial<Record<RetentionKeyFamily, number>> = {};
    for (const { family } of result.keysShredded) keysShredded[family] = (keysShredded[family] ?? 0) + 1;
    const { keysShredded: _keys, ...rows } = result;
    const run: RetentionRun = { variant, rows, keysShredded, baseline, sweep, breakdown: recorder.breakdown(driver.batches) };
    log(
      `retention: ${name}: ${(sweep.wallMs / 1000).toFixed(1)} s, longest stall ${sweep.loop.longestStallMs.toFixed(1)} ms (${sweep.longestStallHeldBy}), ` +
        `worst call ${sweep.calls.worstMs.toFixed(1)} ms, p99 call ${sweep.calls.p99Ms.toFixed(1)} ms (baseline ${baseline.calls.p99Ms.toFixed(1)} ms)`,
    );
    return { run, openMs, counterLoadMs };
  } finally {
    database.close();
    keyring.close();
    rmSync(scratch, { recursive: true, force: true });
  }
}

function count(value: number): string {
  return value.toLocaleString('en');
}

/** Rows of each class still holding data of a due month (scans; outside the measured window). */
function dueRows(database: GatewayDatabase, rules: readonly RetentionRule[]): RowsCleared {
  const countWhere = (sql: string, dataClass: RetentionRule['dataClass']): number => {
    const rule = rules.find((candidate) => candidate.dataClass === dataClass);
    const oldest = rule && oldestLiveEpoch(rule, RETENTION_NOW, SITE_TIME_ZONE);
    return oldest === undefined ? 0 : (database.get<{ n: number }>(sql, [oldest])?.n ?? 0);
  };
  const sealedOf = (channel: string): string => `SELECT count(*) AS n FROM contacts WHERE sealed_epoch < ? AND channel = '${channel}' AND sealed_identifier IS NOT NULL`;
  return {
    contactsUnlinked: countWhere('SELECT count(*) AS n FROM contacts WHERE link_epoch < ? AND pseudonym IS NOT NULL', 'phone-linkage'),
    phoneNumbersDestroyed: countWhere(sealedOf('phone'), 'phone-number'),
    chatAddressesDestroyed: countWhere(sealedOf('chat'), 'chat-ip'),
    mailAddressesDestroyed: countWhere(sealedOf('mail'), 'mail'),
    transcriptLinesDeleted: countWhere('SELECT count(*) AS n FROM transcript_lines WHERE sealed_epoch < ?', 'chat-transcript'),
    mailMessagesDeleted: countWhere('SELECT count(*) AS n FROM mail_messages WHERE sealed_epoch < ?', 'mail-content'),
  };
}

function liveEpochs(keyring: Keyring, family: RetentionKeyFamily): MonthEpoch[] {
  return family === 'link' ? keyring.linkEpochs() : keyring.vaultEpochs(family);
}

function dueKeys(keyring: Keyring, rules: readonly RetentionRule[]): { family: RetentionKeyFamily; epoch: MonthEpoch }[] {
  return rules.flatMap((rule) => {
    const family = keyFamilyOf(rule);
    if (family === undefined) return [];
    return epochsDue(rule, RETENTION_NOW, SITE_TIME_ZONE, liveEpochs(keyring, family)).map((epoch) => ({ family, epoch }));
  });
}

/** The run is only worth timing if it did the whole job: nothing due is left, and live data still opens. */
function checkSwept(
  database: GatewayDatabase,
  keyring: Keyring,
  transcripts: TranscriptsRepository,
  vault: ReturnType<typeof createVault>,
  rules: readonly RetentionRule[],
  due: RowsCleared,
  keysDue: readonly { family: RetentionKeyFamily; epoch: MonthEpoch }[],
  result: SweepResult,
): void {
  const left = dueRows(database, rules);
  const leftOver = Object.entries(left).filter(([, rows]) => rows > 0);
  if (leftOver.length > 0) throw new Error(`the sweep left rows of due months: ${JSON.stringify(Object.fromEntries(leftOver))}`);
  const keysLeft = dueKeys(keyring, rules);
  if (keysLeft.length > 0) throw new Error(`the sweep left ${keysLeft.length} due keys`);
  for (const [name, rows] of Object.entries(due) as [keyof RowsCleared, number][]) {
    if (result[name] !== rows) throw new Error(`the sweep reported ${result[name]} for ${name}, ${rows} were due`);
  }
  if (result.keysShredded.length !== keysDue.length) throw new Error(`the sweep shredded ${result.keysShredded.length} keys, ${keysDue.length} were due`);
  const kept = database.get<{ id: number; sealed_epoch: MonthEpoch; sealed_text: Uint8Array }>(
    'SELECT id, sealed_epoch, sealed_text FROM transcript_lines WHERE sealed_text IS NOT NULL ORDER BY id DESC LIMIT 1',
  );
  if (transcripts.count() > 0 && (!kept || vault.unsealText(kept.sealed_text as SealedText, kept.sealed_epoch) === undefined)) {
    throw new Error('a transcript line of a live month no longer opens');
  }
}

/** Runs `work` while calls arrive and both event-loop probes watch; stops them once it is done. */
async function measureWindow(driver: CallDriver, recorder: SweepRecorder | undefined, work: () => Promise<void>): Promise<MeasuredWindow> {
  const histogram = monitorEventLoopDelay({ resolution: PROBE_EVERY_MS });
  const gaps = new GapProbe();
  histogram.enable();
  fsyncs.reset();
  gaps.start();
  driver.start();
  const started = performance.now();
  await work();
  const wallMs = performance.now() - started;
  await new Promise((done) => setTimeout(done, SETTLE_MS));
  const calls = await driver.stop();
  const longest = gaps.stop();
  histogram.disable();
  const steps = [...(recorder?.steps ?? []), ...driver.batches];
  return {
    wallMs,
    loop: { longestStallMs: longest.ms, histogramMaxMs: histogram.max / 1e6, histogramP99Ms: histogram.percentile(99) / 1e6 },
    calls,
    longestFsyncMs: fsyncs.longestMs,
    slowFsyncs: fsyncs.slowCalls,
    longestStallHeldBy: heldBy(steps, longest.from, longest.to),
  };
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
  readonly #everyMs: number;
  #timer: NodeJS.Timeout | undefined;
  #startedAt = 0;
  #next = 0;
  #offered = 0;
  #latencies: number[] = [];
  #service: number[] = [];
  #batches: TimedStep[] = [];
  #frameAt: number | undefined;
  #stopAt = Number.POSITIVE_INFINITY;
  #stopped: (() => void) | undefined;
  busy = false;

  constructor(desk: ContactDesk, clock: ManualClock, numbers: readonly string[], everyMs: number) {
    this.#everyMs = everyMs;
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

  /** The turns in which calls were handled since start(), as timed steps. */
  get batches(): readonly TimedStep[] {
    return this.#batches;
  }

  start(): void {
    this.#startedAt = performance.now();
    this.#next = 0;
    this.#latencies = [];
    this.#service = [];
    this.#batches = [];
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
    return this.#startedAt + index * this.#everyMs;
  }

  #schedule(): void {
    this.#timer = setTimeout(() => this.#catchUp(), Math.max(0, this.#dueAt(this.#next) - performance.now()));
  }

  #catchUp(): void {
    clearTimeout(this.#timer);
    // Only the calls due when the turn began: a modem's data arrives as separate I/O events, so calls
    // falling due meanwhile wait for the next turn instead of stretching this one while others wait.
    const mark = fsyncs.mark();
    let calls = 0;
    for (let due = this.#dueAt(this.#next); due <= mark.at && due < this.#stopAt; due = this.#dueAt(this.#next)) {
      this.#offer(due);
      this.#next += 1;
      calls += 1;
    }
    if (calls > 0) this.#batches.push(fsyncs.step(calls === 1 ? 'a call' : `${calls} calls in one turn`, mark));
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

/** `default,2000,500/secure-delete-off,default/calls-20ms`: a batch size (or `default`), optionally with what-if flags. */
function variantsFromEnvironment(text: string | undefined): RetentionVariant[] {
  if (text === undefined || text === '') return [{}];
  return text.split(',').map((part) => {
    const [batch = '', ...flags] = part.trim().split('/');
    let what: Omit<RetentionVariant, 'batchSize'> = {};
    for (const flag of flags) {
      const calls = /^calls-(\d+)ms$/.exec(flag);
      if (flag === 'secure-delete-off') what = { ...what, secureDeleteOff: true };
      else if (calls && Number(calls[1]) > 0) what = { ...what, callEveryMs: Number(calls[1]) };
      else throw new Error(`BENCH_RETENTION_VARIANTS: unknown flag ${JSON.stringify(flag)} in ${JSON.stringify(part)}`);
    }
    if (batch === 'default') return what;
    const batchSize = Number(batch.replace(/_/g, ''));
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`BENCH_RETENTION_VARIANTS: ${JSON.stringify(part)} needs a positive batch size or "default"`);
    return { batchSize, ...what };
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
