/**
 * Statistics over a year of a busy site (issue 6): 400,000 registered contacts over twelve months
 * with a realistic skew (channels, topics, age bands, outcomes) and repeat callers, then every
 * period of the year closed by the real StatsAggregator — contribution cap in chunked reads,
 * interval-audit suppression on its worker thread, outbox and published_stats writes — for weekly,
 * monthly and daily periods. The baseline in the same run is the plain counting without disclosure
 * control (the GROUP BY and the tabulation only).
 *
 * While the year is closed, a 1 ms interval probes the event loop: its longest gap is the longest
 * stall. On a shared machine part of a gap is time the main thread waited for a CPU (read from
 * /proc schedstat) and an idle process of its own, probed meanwhile, shows what the machine alone
 * does; the reads, commits and garbage collections on the loop are timed to say what ran.
 *
 *   node --import tsx scripts/bench/stats-bench.ts
 *   BENCH_STATS_CONTACTS=400000   registered contacts over the year
 *   BENCH_STATS_PERIODS=week,month,day
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { silentLogger } from '../../src/log/index.js';
import { GatewayDatabase } from '../../src/store/open-database.js';
import { OutboxRepository } from '../../src/store/outbox-repository.js';
import { PrivacyBudgetRepository } from '../../src/store/privacy-budget-repository.js';
import { StatsRepository } from '../../src/store/stats-repository.js';
import { ManualClock } from '../../src/time/index.js';
import { closedPeriodsBetween, type PeriodLength } from '../../src/upstream/period-calendar.js';
import { StatsAggregator } from '../../src/upstream/stats-aggregator.js';
import { statsDimensions, tabulateCounts } from '../../src/upstream/stats-table.js';
import { CloseRecorder } from './close-recorder.js';
import { ControlProbe, GapProbe } from './gap-probe.js';
import { heldBy } from './sweep-recorder.js';

const TIME_ZONE = 'Europe/Amsterdam';
const YEAR_START = Date.parse('2025-01-01T00:00:00+01:00');
const YEAR_END = Date.parse('2026-01-01T00:00:00+01:00');
const CATEGORIES = {
  topics: ['bullying', 'family', 'friends-relationships', 'sexuality', 'mental-health', 'school', 'abuse', 'other-topic'],
  ageBands: ['8-11', '12-14', '15-17', '18-21', 'unknown'],
  outcomes: ['conversation', 'referred', 'test-or-prank', 'hung-up'],
};
const THRESHOLD = 10;

export interface StatsBenchOptions {
  readonly contacts: number;
  readonly periods: readonly PeriodLength[];
  readonly log?: (line: string) => void;
}

export interface PeriodRun {
  readonly periodLength: PeriodLength;
  readonly periods: number;
  /** Per period, closing with disclosure control and the outbox write, ms. */
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  readonly totalMs: number;
  /** Longest event-loop stall while closing the year (largest gap between ticks of a 1 ms interval), ms. */
  readonly eventLoopStallMs: number;
  /** The same probe in an idle process of its own over the same time: what the shared machine alone causes. */
  readonly controlStallMs: number;
  /** Of the longest stall, the time the main thread waited for a CPU (other processes'), ms. */
  readonly longestStallWaitingMs: number;
  /** What ran on the event loop during the longest stall (reads, commits, garbage collection). */
  readonly longestStallHeldBy: string;
  /** The longest stall less its wait for a CPU: what closing itself held the loop, at most, ms; and what ran then. */
  readonly ownStallMs: number;
  readonly ownStallHeldBy: string;
  /** The longest single chunk read and commit (with its fsync), ms; and each less its wait for a CPU. */
  readonly longestReadMs: number;
  readonly longestCommitMs: number;
  readonly longestOwnReadMs: number;
  readonly longestOwnCommitMs: number;
  readonly messages: number;
  readonly bytes: number;
  /** The same counting without disclosure control: plain GROUP BY and tabulation, per period, ms. */
  readonly baselineP50: number;
  readonly baselineTotalMs: number;
  /** Suppressed counts per message (means), cells and margins. */
  readonly suppressedCells: number;
  readonly suppressedMargins: number;
}

export interface StatsBenchResults {
  readonly contacts: number;
  readonly distinctCallers: number;
  readonly populateSeconds: number;
  readonly runs: readonly PeriodRun[];
}

/** A small deterministic generator, so every run builds the same year. */
function generator(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4294967296;
  };
}

function pick<T>(items: readonly T[], weights: readonly number[], u: number): T {
  const total = weights.reduce((sum, weight) => sum + weight, 0);
  let acc = 0;
  for (let i = 0; i < items.length; i += 1) {
    acc += (weights[i] ?? 0) / total;
    if (u < acc) return items[i] as T;
  }
  return items[items.length - 1] as T;
}

/** Fills the store: contacts with per-month pseudonyms (some callers call often) and their registrations. */
export function populate(database: GatewayDatabase, contacts: number): number {
  const random = generator(20251206);
  const channels = ['phone', 'chat', 'mail'];
  const topics = [...CATEGORIES.topics, 'other'];
  const ages = [...CATEGORIES.ageBands, 'other'];
  const outcomes = [...CATEGORIES.outcomes, 'other'];
  const callers = Math.round(contacts * 0.45);
  const withheldShare = 0.12;
  const seen = new Set<number>();
  const span = YEAR_END - YEAR_START;
  const batch = 5000;
  for (let start = 0; start < contacts; start += batch) {
    database.transaction(() => {
      for (let i = start; i < Math.min(contacts, start + batch); i += 1) {
        const at = YEAR_START + Math.floor(random() * span);
        const channel = pick(channels, [0.68, 0.27, 0.05], random());
        // Repeat callers: a Zipf-like caller index, so a few call very often.
        const caller = Math.floor(callers * random() ** 2.2);
        const withheld = channel === 'phone' && random() < withheldShare;
        const month = new Date(at).toISOString().slice(0, 7);
        const pseudonym = withheld ? null : createHash('sha256').update(`${channel}/${caller}/${month}`).digest().subarray(0, 16);
        if (!withheld) seen.add(caller);
        const reference = randomUUID();
        const id = database.get<{ id: number }>(
          `INSERT INTO contacts (reference, channel, presentation, link_epoch, pseudonym, prior_contacts, opened_at, state)
           VALUES (?, ?, ?, ?, ?, 0, ?, 'registered') RETURNING id`,
          [reference, channel, withheld ? 'withheld' : 'number', withheld ? null : month, pseudonym, at],
        )?.id;
        database.run(
          'INSERT INTO registrations (contact_id, channel, occurred_at, age_band, topic, outcome, registered_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
          [
            id ?? null,
            channel,
            at,
            pick(ages, [0.09, 0.3, 0.34, 0.15, 0.07, 0.05], random()),
            pick(topics, [0.22, 0.17, 0.14, 0.09, 0.13, 0.1, 0.04, 0.06, 0.05], random()),
            pick(outcomes, [0.58, 0.14, 0.09, 0.14, 0.05], random()),
            at + 300_000,
          ],
        );
      }
    });
  }
  return seen.size;
}

function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
}

async function closeYear(database: GatewayDatabase, periodLength: PeriodLength): Promise<PeriodRun> {
  database.run('DELETE FROM outbox', []);
  database.run('DELETE FROM published_stats', []);
  database.run('DELETE FROM stats_periods', []);
  database.run('DELETE FROM privacy_budget', []);
  // The previous run's rows, deleted (and overwritten: secure_delete) into the -wal file: copied
  // back now, not by an automatic checkpoint in the first commit measured.
  database.checkpoint();
  const stats = new StatsRepository(database);
  const outbox = new OutboxRepository(database);
  const clock = new ManualClock(YEAR_END + 86_400_000);
  const aggregator = new StatsAggregator({
    database,
    stats,
    outbox,
    budget: new PrivacyBudgetRepository(database),
    clock,
    logger: silentLogger(),
    settings: {
      site: 'bench-site',
      timeZone: TIME_ZONE,
      periodLength,
      threshold: THRESHOLD,
      categories: CATEGORIES,
      firstPeriodFrom: YEAR_START,
      maxPeriodsPerRun: 1,
      disclosure: { contributionCap: 3, protectionWidth: 2 },
    },
    session: randomUUID(),
  });
  const periods = closedPeriodsBetween(YEAR_START, YEAR_END, periodLength, TIME_ZONE);
  // The last period of the year must have ended by the clock, and no later one.
  clock.set(periods[periods.length - 1]?.end ?? YEAR_END);
  // On a shared machine the scheduler alone makes gaps too: an idle loop in another process, over the same time, shows how long.
  const control = new ControlProbe();
  await control.started();
  const recorder = new CloseRecorder(database, stats);
  const gaps = new GapProbe({ countWaiting: true });
  gaps.start();
  const times: number[] = [];
  const started = performance.now();
  for (;;) {
    const before = performance.now();
    const closed = await aggregator.closeDuePeriods();
    if (closed === 0) break;
    times.push(performance.now() - before);
    // One period per turn of the event loop, as the running box does while catching up.
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  const totalMs = performance.now() - started;
  const longestStall = gaps.stop();
  const ownStall = gaps.longestOwn();
  const controlStallMs = await control.stop();
  recorder.stop();
  await aggregator.stop();
  const rows = database.all<{ payload: string }>('SELECT payload FROM outbox', []);
  const suppressed = rows.map((row) => {
    const message = JSON.parse(row.payload) as { cells: Array<number | null>; margins: Array<{ counts: Array<number | null> }> };
    return [...message.cells, ...message.margins.flatMap((margin) => margin.counts)].filter((count) => count === null).length;
  });
  const dimensions = statsDimensions(CATEGORIES);
  const baseline: number[] = [];
  const baselineStart = performance.now();
  for (const period of periods) {
    const before = performance.now();
    tabulateCounts(stats.countRegistrations(period.start, period.end), dimensions);
    baseline.push(performance.now() - before);
  }
  const baselineTotalMs = performance.now() - baselineStart;
  const suppressedCellCounts = rows.map((row) => {
    const message = JSON.parse(row.payload) as { cells: Array<number | null> };
    return message.cells.filter((count) => count === null).length;
  });
  const sorted = [...times].sort((a, b) => a - b);
  const mean = (list: readonly number[]): number => (list.length === 0 ? 0 : list.reduce((a, b) => a + b, 0) / list.length);
  return {
    periodLength,
    periods: times.length,
    p50: percentile(sorted, 0.5),
    p99: percentile(sorted, 0.99),
    max: sorted[sorted.length - 1] ?? 0,
    totalMs,
    eventLoopStallMs: longestStall.ms,
    controlStallMs,
    longestStallWaitingMs: longestStall.waitingMs,
    longestStallHeldBy: heldBy(recorder.steps, longestStall.from, longestStall.to),
    ownStallMs: ownStall.ms - ownStall.waitingMs,
    ownStallHeldBy: heldBy(recorder.steps, ownStall.from, ownStall.to),
    longestReadMs: recorder.longest('read'),
    longestCommitMs: recorder.longest('commit'),
    longestOwnReadMs: recorder.longest('read', true),
    longestOwnCommitMs: recorder.longest('commit', true),
    messages: rows.length,
    bytes: rows.reduce((sum, row) => sum + Buffer.byteLength(row.payload), 0),
    baselineP50: percentile([...baseline].sort((a, b) => a - b), 0.5),
    baselineTotalMs,
    suppressedCells: mean(suppressedCellCounts),
    suppressedMargins: mean(suppressed.map((count, i) => count - (suppressedCellCounts[i] ?? 0))),
  };
}

export async function runStatsBench(options: StatsBenchOptions): Promise<StatsBenchResults> {
  const log = options.log ?? (() => undefined);
  const dir = mkdtempSync(join(tmpdir(), 'hgw-stats-bench-'));
  const database = GatewayDatabase.open({ path: join(dir, 'gateway.db'), logger: silentLogger() });
  try {
    const populating = performance.now();
    log(`populating ${options.contacts} contacts...`);
    const distinctCallers = populate(database, options.contacts);
    const populateSeconds = (performance.now() - populating) / 1000;
    const runs: PeriodRun[] = [];
    for (const periodLength of options.periods) {
      log(`closing a year of ${periodLength} periods...`);
      runs.push(await closeYear(database, periodLength));
    }
    return { contacts: options.contacts, distinctCallers, populateSeconds, runs };
  } finally {
    database.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export function renderStatsBench(results: StatsBenchResults): string {
  const ms = (value: number): string => value.toFixed(value < 10 ? 2 : 0);
  const lines = [
    `Statistics over a year: ${results.contacts.toLocaleString('en')} registered contacts (${results.distinctCallers.toLocaleString('en')} distinct callers by pseudonym), populated in ${results.populateSeconds.toFixed(0)} s. Closing includes the contribution cap (chunked reads), the interval-audit suppression on its worker thread (threshold ${THRESHOLD}, width 2), the outbox and published_stats writes; the baseline is the plain GROUP BY and tabulation.`,
    '',
    '| periods | closed | per period p50 / p99 / max (ms) | total (s) | longest event-loop stall (ms) | baseline p50 (ms) | ratio p50 | ratio total | messages | bytes | suppressed per message: cells / margins |',
    '| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
  ];
  for (const run of results.runs) {
    lines.push(
      `| ${run.periodLength} | ${run.periods} | ${ms(run.p50)} / ${ms(run.p99)} / ${ms(run.max)} | ${(run.totalMs / 1000).toFixed(1)} | ${ms(run.eventLoopStallMs)} | ${ms(run.baselineP50)} | ${(run.p50 / Math.max(run.baselineP50, 1e-6)).toFixed(1)}× | ${(run.totalMs / Math.max(run.baselineTotalMs, 1e-6)).toFixed(1)}× | ${run.messages} | ${run.bytes.toLocaleString('en')} | ${run.suppressedCells.toFixed(0)} / ${run.suppressedMargins.toFixed(0)} |`,
    );
  }
  lines.push(
    '',
    '| periods | longest stall (ms) | of it waiting for a CPU (ms) | what ran during it | longest stall less its wait for a CPU (ms) | what ran during that | an idle process meanwhile (ms) | longest read / commit (ms) | the same less their wait for a CPU (ms) |',
    '| --- | ---: | ---: | --- | ---: | --- | ---: | --- | --- |',
    ...results.runs.map(
      (run) =>
        `| ${run.periodLength} | ${ms(run.eventLoopStallMs)} | ${ms(run.longestStallWaitingMs)} | ${run.longestStallHeldBy} | ${ms(run.ownStallMs)} | ${run.ownStallHeldBy} | ${ms(run.controlStallMs)} | ${ms(run.longestReadMs)} / ${ms(run.longestCommitMs)} | ${ms(run.longestOwnReadMs)} / ${ms(run.longestOwnCommitMs)} |`,
    ),
  );
  return lines.join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const contacts = Number(process.env.BENCH_STATS_CONTACTS ?? 400_000);
  const periods = (process.env.BENCH_STATS_PERIODS ?? 'week,month,day').split(',').map((name) => name.trim()) as PeriodLength[];
  runStatsBench({ contacts, periods, log: (line) => console.error(line) }).then(
    (results) => console.log(renderStatsBench(results)),
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
