import { describeError, TypedEmitter } from '../events/typed-emitter.js';
import type { Logger } from '../log/logger.js';
import type { GatewayDatabase } from '../store/open-database.js';
import type { OutboxRepository } from '../store/outbox-repository.js';
import type { PrivacyBudgetRepository } from '../store/privacy-budget-repository.js';
import type { StatsRepository } from '../store/stats-repository.js';
import type { Clock } from '../time/clock.js';
import type { PeriodMessageSource } from './incident-report.js';
import { assertTimeZone, localDateTime } from '../time/local-date-time.js';
import { decideRelease, monthsSpanned } from './disclosure/privacy-budget.js';
import type { ProtectedTable } from './disclosure/protect-table.js';
import { WorkerTableProtector, type NoiseParameters, type TableProtector } from './disclosure/table-protector.js';
import { closedPeriodsBetween, formatLocalIso, periodContaining, type Period, type PeriodLength } from './period-calendar.js';
import { STATS_SCHEMA, type StatsDimensions, type StatsMessage, type StatsNoise } from './stats-message.js';
import { statsDimensions, tabulateCounts, type StatsCategories } from './stats-table.js';
import { assertSiteId, encodeStatsMessage, isCategoryCode, statsTopic } from './topics.js';

export interface StatsSettings {
  readonly site: string;
  readonly timeZone: string;
  readonly periodLength: PeriodLength;
  /** Counts with 0 < count < threshold are published as suppressed. */
  readonly threshold: number;
  readonly categories: StatsCategories;
  /** First period to publish (the one containing this instant); default: the first registration's. */
  readonly firstPeriodFrom?: number;
  /** Wait this long after a period ends before closing it, for wrap-ups still being typed. */
  readonly closeDelayMs?: number;
  /** Most periods closed by one call, so a long catch-up does not block the event loop in one go. */
  readonly maxPeriodsPerRun?: number;
  /** Disclosure control beyond the threshold (docs/statistics.md); defaults in DEFAULT_STATS_DISCLOSURE. */
  readonly disclosure?: Partial<StatsDisclosureSettings>;
}

export interface StatsDisclosureSettings {
  /** Least width of an attacker's range for every small suppressed count (docs/statistics.md). */
  readonly protectionWidth: number;
  /** Most registrations of one caller (pseudonym) counted per period. */
  readonly contributionCap: number;
  /** Discrete-Laplace noise with a yearly privacy budget; absent: no noise. */
  readonly noise?: { readonly epsilonPerPeriod: number; readonly yearlyBudget: number };
}

export const DEFAULT_STATS_DISCLOSURE: StatsDisclosureSettings = { protectionWidth: 2, contributionCap: 3 };

export interface StatsAggregatorOptions {
  readonly database: Pick<GatewayDatabase, 'transaction'>;
  readonly stats: StatsRepository;
  readonly outbox: OutboxRepository;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly settings: StatsSettings;
  /** This process's random session id, carried in every message. */
  readonly session: string;
  /**
   * Further messages for each closed period (the incident counts), each with its own sequence
   * number, written in the same transaction as the stats message: if one cannot be made, the
   * period stays open and is tried again, so no period's message is ever skipped.
   */
  readonly alongside?: readonly PeriodMessageSource[];
  /** The ledger; required when noise is configured. */
  readonly budget?: PrivacyBudgetRepository;
  /**
   * Where the disclosure control runs; default: a worker thread, with the noise's coins from
   * node:crypto there. Closed by stop().
   */
  readonly protector?: TableProtector;
}

export interface ClosedPeriod {
  readonly period: Period;
  readonly seq: number;
}

interface AggregatorEvents {
  'closed': [closed: ClosedPeriod];
  'clock-behind': [behind: boolean];
}

interface CloseOutcome {
  readonly seq: number;
  readonly dropped: number;
  readonly droppedBytes: number;
}

/** What the ledger allows for a period, decided before the table is protected and checked again when it is written. */
interface Release {
  /** The message's noise block; null without noise. */
  readonly noise: StatsNoise | null;
  /** The noise to add, when the release is made with noise. */
  readonly tableNoise?: NoiseParameters;
  /** With noise: the year and what it had spent when this was decided. */
  readonly ledger?: { readonly year: number; readonly spentBefore: number };
  /** Noise configured but the year's budget spent: the period goes out withheld, without counts. */
  readonly withheld: boolean;
}

const DEFAULT_MAX_PERIODS_PER_RUN = 200;
const MIN_TIMER_MS = 1_000;
const MAX_TIMER_MS = 60_000;

/**
 * Closes statistics periods: for each period that has ended and is not closed yet, the period's
 * registrations are counted in short reads, the table is protected on a worker thread, and one
 * short transaction takes the next sequence number and writes the ledger row, the outbox row, the
 * published copy and the stats_periods row together. Nothing holds the event loop for long (calls,
 * RTP and chats share it). A box that was off closes every missed period in order on its next run.
 */
export class StatsAggregator {
  readonly #options: StatsAggregatorOptions;
  readonly #logger: Logger;
  readonly #events: TypedEmitter<AggregatorEvents>;
  readonly #disclosure: StatsDisclosureSettings;
  readonly #protector: TableProtector;
  #timer: NodeJS.Timeout | undefined;
  /** The run loop started by start(); a run of an older loop does not reschedule. */
  #loop: object | undefined;
  /** Runs one after another: a call made while one is in flight starts when it has ended. */
  #queue: Promise<unknown> = Promise.resolve();
  #abort = new AbortController();
  #clockBehind = false;

  constructor(options: StatsAggregatorOptions) {
    const { settings } = options;
    assertSiteId(settings.site);
    assertTimeZone(settings.timeZone);
    if (!Number.isInteger(settings.threshold) || settings.threshold < 1) throw new TypeError('stats threshold must be a positive integer');
    for (const category of [...settings.categories.topics, ...settings.categories.ageBands, ...settings.categories.outcomes]) {
      if (!isCategoryCode(category)) throw new TypeError('stats categories must be short codes (letters, digits, dashes)');
    }
    const disclosure = { ...DEFAULT_STATS_DISCLOSURE, ...settings.disclosure };
    if (!Number.isInteger(disclosure.protectionWidth) || disclosure.protectionWidth < 0) throw new TypeError('stats protection width must be a non-negative integer');
    if (!Number.isInteger(disclosure.contributionCap) || disclosure.contributionCap < 1) throw new TypeError('stats contribution cap must be a positive integer');
    if (disclosure.noise) {
      const { epsilonPerPeriod, yearlyBudget } = disclosure.noise;
      if (!(epsilonPerPeriod > 0 && Number.isFinite(epsilonPerPeriod) && yearlyBudget >= epsilonPerPeriod && Number.isFinite(yearlyBudget))) {
        throw new TypeError('stats noise needs a positive epsilon per period and a yearly budget at least that large');
      }
      if (!options.budget) throw new TypeError('stats noise needs the privacy-budget ledger');
    }
    this.#disclosure = disclosure;
    this.#protector = options.protector ?? new WorkerTableProtector();
    this.#options = options;
    this.#logger = options.logger.child({ component: 'upstream-stats' });
    this.#events = new TypedEmitter(this.#logger);
  }

  onClosed(listener: (closed: ClosedPeriod) => void): () => void {
    return this.#events.on('closed', listener);
  }

  /** Told true when the clock steps back behind the last closed period, false once it has passed its end again. */
  onClockBehind(listener: (behind: boolean) => void): () => void {
    return this.#events.on('clock-behind', listener);
  }

  /**
   * Closes every due period (up to maxPeriodsPerRun); resolves to how many it closed. Calls never
   * overlap: one made while another is in flight waits for it. stop() ends a run early (it then
   * resolves to the periods closed before).
   */
  closeDuePeriods(): Promise<number> {
    const signal = this.#abort.signal;
    const run = this.#queue.then(() => this.#closeDue(signal));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /** Closes due periods now and then again shortly after each period's end. */
  async start(): Promise<void> {
    const loop = {};
    this.#loop = loop;
    await this.#runAndReschedule(loop);
  }

  /** Ends the run loop and any close in flight (a period half done stays open, to be redone), then the worker. */
  async stop(): Promise<void> {
    this.#loop = undefined;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#abort.abort();
    // Rejects a table in flight at once; the run sees the abort and writes nothing more.
    await this.#protector.close();
    await this.#queue;
    this.#abort = new AbortController();
    this.#events.removeAllListeners();
  }

  async #closeDue(signal: AbortSignal): Promise<number> {
    const { stats, clock, settings } = this.#options;
    const from = stats.lastClosedEnd() ?? settings.firstPeriodFrom ?? stats.firstRegistrationAt();
    if (from === undefined) return 0;
    const dueBy = clock.now() - (settings.closeDelayMs ?? 0);
    this.#noticeClockBehind(from, dueBy);
    const limit = settings.maxPeriodsPerRun ?? DEFAULT_MAX_PERIODS_PER_RUN;
    let closed = 0;
    try {
      for (const period of closedPeriodsBetween(from, dueBy, settings.periodLength, settings.timeZone, limit)) {
        signal.throwIfAborted();
        const outcome = await this.#closePeriod(period, signal);
        if (outcome === undefined) continue;
        closed += 1;
        if (outcome.dropped > 0) {
          // Counts only; the seqs go to the central office in the next birth message.
          this.#logger.warn({ dropped: outcome.dropped, droppedBytes: outcome.droppedBytes, maxBytes: this.#options.outbox.maxBytes }, 'outbox full: oldest messages dropped');
        }
        this.#events.emit('closed', { period, seq: outcome.seq });
      }
    } catch (error) {
      if (signal.aborted) return closed;
      throw error;
    }
    return closed;
  }

  /**
   * The clock stepped back behind the end of the last closed period (a bad NTP answer corrected,
   * an RTC battery): nothing closes until it passes that end again, and registrations made
   * meanwhile fall into periods already published. Said once per step, with a code; the change
   * is told to onClockBehind's listeners (main.ts makes it a fault the panel shows).
   */
  #noticeClockBehind(lastClosedEnd: number, dueBy: number): void {
    const behind = dueBy < lastClosedEnd;
    if (behind === this.#clockBehind) return;
    this.#clockBehind = behind;
    if (behind) {
      this.#logger.warn(
        { code: 'HGW_CLOCK_BEHIND', minutesBehind: Math.ceil((lastClosedEnd - dueBy) / 60_000) },
        'the clock is behind the last closed statistics period: no period closes until it passes that period\'s end',
      );
    } else {
      this.#logger.info('the clock has passed the last closed statistics period again: periods close as before');
    }
    this.#events.emit('clock-behind', behind);
  }

  async #runAndReschedule(loop: object): Promise<void> {
    if (this.#loop !== loop) return;
    let closed = 0;
    try {
      closed = await this.closeDuePeriods();
    } catch (error) {
      this.#logger.error({ err: describeError(error) }, 'closing stats periods failed; will retry');
    }
    if (this.#loop !== loop) return;
    const limit = this.#options.settings.maxPeriodsPerRun ?? DEFAULT_MAX_PERIODS_PER_RUN;
    // Still catching up: go on at the next turn; otherwise wake near the next period end. The next
    // run is scheduled only once this one has ended, so two runs never overlap.
    const delay = closed >= limit ? 0 : this.#msUntilNextCheck();
    this.#timer = setTimeout(() => void this.#runAndReschedule(loop), delay);
  }

  #msUntilNextCheck(): number {
    const { clock, settings } = this.#options;
    const now = clock.now();
    const wait = periodContaining(now, settings.periodLength, settings.timeZone).end + (settings.closeDelayMs ?? 0) - now;
    // Bounded so a clock step (NTP at boot) is noticed within a minute.
    return Math.min(MAX_TIMER_MS, Math.max(MIN_TIMER_MS, wait));
  }

  /**
   * One period: counted in short reads, each on a turn of the event loop of its own, protected on
   * the worker, then written in one transaction (#commit). Undefined when it was already closed.
   */
  async #closePeriod(period: Period, signal: AbortSignal): Promise<CloseOutcome | undefined> {
    const { stats, settings } = this.#options;
    if (stats.isClosed(period.start)) return undefined;
    const { protectionWidth, contributionCap } = this.#disclosure;
    const reading = stats.cappedCount(period, contributionCap);
    let more = true;
    while (more) {
      await nextTurn(signal);
      more = reading.readChunk();
    }
    const table = tabulateCounts(reading.counts(), statsDimensions(settings.categories));
    if (table.unknownChannel > 0) this.#logger.warn({ unknownChannel: table.unknownChannel }, 'registrations on an unknown channel left out of the stats');
    const release = this.#planRelease(period);
    const released = release.withheld
      ? undefined
      : await this.#protector.protect({ dimensions: table.dimensions, cells: table.cells, settings: { threshold: settings.threshold, protectionWidth }, noise: release.tableNoise });
    if (released && released.underProtected > 0) {
      this.#logger.info({ underProtected: released.underProtected }, 'small counts that the published zeros alone pin narrower than the protection width');
    }
    await nextTurn(signal);
    return this.#commit(period, table.dimensions, release, released);
  }

  /**
   * With noise configured: the message's noise block and, when the year's budget allows this
   * release, the noise to apply. The ledger row is written by #commit, which checks first that the
   * ledger is still as read here. Without noise: nothing.
   */
  #planRelease(period: Period): Release {
    const { noise } = this.#disclosure;
    const { budget, settings } = this.#options;
    if (!noise || !budget) return { noise: null, withheld: false };
    const local = (at: number): { year: number; month: number } => localDateTime(at, settings.timeZone);
    const year = local(period.start).year;
    const sensitivity = this.#disclosure.contributionCap * monthsSpanned(period.start, period.end, local);
    const spentBefore = budget.spentIn(year);
    const decision = decideRelease(spentBefore, noise.epsilonPerPeriod, noise.yearlyBudget);
    const block: StatsNoise = {
      mechanism: 'discrete-laplace',
      epsilon: noise.epsilonPerPeriod,
      sensitivity,
      budget: { year, spent: decision.spent, total: noise.yearlyBudget },
    };
    const ledger = { year, spentBefore };
    if (!decision.release) return { noise: block, ledger, withheld: true };
    return { noise: block, tableNoise: { epsilon: noise.epsilonPerPeriod, sensitivity }, ledger, withheld: false };
  }

  /**
   * The one write transaction of a period: ledger row, sequence number, outbox row, published copy,
   * incident message and stats_periods row, all or nothing. Undefined when the period was closed
   * meanwhile (it is checked again in here).
   */
  #commit(period: Period, dimensions: StatsDimensions, release: Release, released: ProtectedTable | undefined): CloseOutcome | undefined {
    const { database, stats, outbox, budget, clock, settings, session, alongside = [] } = this.#options;
    const { protectionWidth, contributionCap } = this.#disclosure;
    return database.transaction(() => {
      if (stats.isClosed(period.start)) return undefined;
      const now = clock.now();
      if (release.ledger && budget) {
        // Only this aggregator writes the ledger and its runs never overlap, so this holds; if it
        // ever did not, the period stays open and the next run decides afresh.
        if (budget.spentIn(release.ledger.year) !== release.ledger.spentBefore) throw new Error('the privacy-budget ledger changed while the period was being closed');
        if (release.tableNoise) budget.record(period.start, release.ledger.year, release.tableNoise.epsilon, now);
      }
      const seq = outbox.takeSequenceNumber();
      const message: StatsMessage = {
        schema: STATS_SCHEMA,
        site: settings.site,
        session,
        seq,
        period: {
          start: formatLocalIso(period.start, settings.timeZone),
          end: formatLocalIso(period.end, settings.timeZone),
          length: settings.periodLength,
        },
        dimensions,
        disclosure: {
          threshold: settings.threshold,
          contributionCap,
          secondarySuppression: 'interval-audit',
          protectionWidth,
          noise: release.noise,
        },
        withheld: released ? null : 'privacy-budget-spent',
        cells: released?.cells ?? [],
        margins: released?.margins ?? [],
      };
      const payload = encodeStatsMessage(message);
      const outcomes = [outbox.enqueue({ topic: statsTopic(settings.site), payload, qos: 1, retain: false, createdAt: now })];
      stats.recordPublished(seq, period, payload);
      for (const source of alongside) {
        const { topic, payload } = source.messageFor(period, outbox.takeSequenceNumber());
        outcomes.push(outbox.enqueue({ topic, payload, qos: 1, retain: false, createdAt: now }));
      }
      stats.markClosed(period, now);
      return {
        seq,
        dropped: outcomes.reduce((sum, outcome) => sum + outcome.dropped, 0),
        droppedBytes: outcomes.reduce((sum, outcome) => sum + outcome.droppedBytes, 0),
      };
    });
  }
}

/**
 * Each step of a close (a read, the commit) starts on a turn of its own, after timers and I/O have
 * had theirs; and none once stop() has been called. A step resumed from an I/O callback (the
 * worker's answer) would have its setImmediate run in the same turn, hence two: the first reaches
 * the check phase, the second the next turn's.
 */
async function nextTurn(signal: AbortSignal): Promise<void> {
  await new Promise((resolve) => setImmediate(resolve));
  await new Promise((resolve) => setImmediate(resolve));
  signal.throwIfAborted();
}
