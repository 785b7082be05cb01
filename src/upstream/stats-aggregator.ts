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
import { protectTable, type TableNoise } from './disclosure/protect-table.js';
import { CryptoRandomBits, type RandomBits } from './disclosure/random-source.js';
import { closedPeriodsBetween, formatLocalIso, periodContaining, type Period, type PeriodLength } from './period-calendar.js';
import { STATS_SCHEMA, type StatsMessage, type StatsNoise } from './stats-message.js';
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
  /** Randomness for the noise; default: node:crypto. */
  readonly random?: RandomBits;
}

export interface ClosedPeriod {
  readonly period: Period;
  readonly seq: number;
}

interface AggregatorEvents {
  'closed': [closed: ClosedPeriod];
}

const DEFAULT_MAX_PERIODS_PER_RUN = 200;
const MIN_TIMER_MS = 1_000;
const MAX_TIMER_MS = 60_000;

/**
 * Closes statistics periods: for each period that has ended and is not closed yet, one
 * transaction counts its registrations, builds the suppressed table, takes the next sequence
 * number and writes the outbox row and the stats_periods row together. A box that was off closes
 * every missed period in order on its next run.
 */
export class StatsAggregator {
  readonly #options: StatsAggregatorOptions;
  readonly #logger: Logger;
  readonly #events: TypedEmitter<AggregatorEvents>;
  readonly #disclosure: StatsDisclosureSettings;
  readonly #random: RandomBits;
  #timer: NodeJS.Timeout | undefined;
  #running = false;
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
    this.#random = options.random ?? new CryptoRandomBits();
    this.#options = options;
    this.#logger = options.logger.child({ component: 'upstream-stats' });
    this.#events = new TypedEmitter(this.#logger);
  }

  onClosed(listener: (closed: ClosedPeriod) => void): () => void {
    return this.#events.on('closed', listener);
  }

  /** Closes every due period (up to maxPeriodsPerRun); returns how many it closed. */
  closeDuePeriods(): number {
    const { stats, clock, settings } = this.#options;
    const from = stats.lastClosedEnd() ?? settings.firstPeriodFrom ?? stats.firstRegistrationAt();
    if (from === undefined) return 0;
    const dueBy = clock.now() - (settings.closeDelayMs ?? 0);
    this.#noticeClockBehind(from, dueBy);
    const limit = settings.maxPeriodsPerRun ?? DEFAULT_MAX_PERIODS_PER_RUN;
    let closed = 0;
    for (const period of closedPeriodsBetween(from, dueBy, settings.periodLength, settings.timeZone, limit)) {
      const outcome = this.#closePeriod(period);
      if (outcome === undefined) continue;
      closed += 1;
      if (outcome.dropped > 0) {
        // Counts only; the seqs go to the central office in the next birth message.
        this.#logger.warn({ dropped: outcome.dropped, droppedBytes: outcome.droppedBytes, maxBytes: this.#options.outbox.maxBytes }, 'outbox full: oldest messages dropped');
      }
      this.#events.emit('closed', { period, seq: outcome.seq });
    }
    return closed;
  }

  /**
   * The clock stepped back behind the end of the last closed period (a bad NTP answer corrected,
   * an RTC battery): nothing closes until it passes that end again, and registrations made
   * meanwhile fall into periods already published. Said once per step, with a code.
   */
  #noticeClockBehind(lastClosedEnd: number, dueBy: number): void {
    const behind = dueBy < lastClosedEnd;
    if (behind && !this.#clockBehind) {
      this.#logger.warn(
        { code: 'HGW_CLOCK_BEHIND', minutesBehind: Math.ceil((lastClosedEnd - dueBy) / 60_000) },
        'the clock is behind the last closed statistics period: no period closes until it passes that period\'s end',
      );
    }
    this.#clockBehind = behind;
  }

  /** Closes due periods now and then again shortly after each period's end. */
  start(): Promise<void> {
    this.#running = true;
    this.#runAndReschedule();
    return Promise.resolve();
  }

  stop(): Promise<void> {
    this.#running = false;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#events.removeAllListeners();
    return Promise.resolve();
  }

  #runAndReschedule(): void {
    if (!this.#running) return;
    let closed = 0;
    try {
      closed = this.closeDuePeriods();
    } catch (error) {
      this.#logger.error({ err: describeError(error) }, 'closing stats periods failed; will retry');
    }
    const limit = this.#options.settings.maxPeriodsPerRun ?? DEFAULT_MAX_PERIODS_PER_RUN;
    // Still catching up: yield to the event loop and continue; otherwise wake near the next period end.
    const delay = closed >= limit ? 0 : this.#msUntilNextCheck();
    this.#timer = setTimeout(() => this.#runAndReschedule(), delay);
  }

  #msUntilNextCheck(): number {
    const { clock, settings } = this.#options;
    const now = clock.now();
    const wait = periodContaining(now, settings.periodLength, settings.timeZone).end + (settings.closeDelayMs ?? 0) - now;
    // Bounded so a clock step (NTP at boot) is noticed within a minute.
    return Math.min(MAX_TIMER_MS, Math.max(MIN_TIMER_MS, wait));
  }

  /**
   * With noise configured: the message's noise block and, when the year's budget allows this
   * release, the noise to apply (the ledger row is written here, inside the closing transaction).
   * Without noise: nothing.
   */
  #spendBudget(period: Period, now: number): { noise: StatsNoise | null; tableNoise?: TableNoise } {
    const { noise } = this.#disclosure;
    const { budget, settings } = this.#options;
    if (!noise || !budget) return { noise: null };
    const local = (at: number): { year: number; month: number } => localDateTime(at, settings.timeZone);
    const year = local(period.start).year;
    const sensitivity = this.#disclosure.contributionCap * monthsSpanned(period.start, period.end, local);
    const decision = decideRelease(budget.spentIn(year), noise.epsilonPerPeriod, noise.yearlyBudget);
    const block: StatsNoise = {
      mechanism: 'discrete-laplace',
      epsilon: noise.epsilonPerPeriod,
      sensitivity,
      budget: { year, spent: decision.spent, total: noise.yearlyBudget },
    };
    if (!decision.release) return { noise: block };
    budget.record(period.start, year, noise.epsilonPerPeriod, now);
    return { noise: block, tableNoise: { epsilon: noise.epsilonPerPeriod, sensitivity, random: this.#random } };
  }

  /** One period in one transaction; undefined when it was already closed. */
  #closePeriod(period: Period): { seq: number; dropped: number; droppedBytes: number } | undefined {
    const { database, stats, outbox, clock, settings, session, alongside = [] } = this.#options;
    return database.transaction(() => {
      if (stats.isClosed(period.start)) return undefined;
      const now = clock.now();
      const { protectionWidth, contributionCap } = this.#disclosure;
      const table = tabulateCounts(stats.countRegistrations(period.start, period.end, contributionCap), statsDimensions(settings.categories));
      if (table.unknownChannel > 0) this.#logger.warn({ unknownChannel: table.unknownChannel }, 'registrations on an unknown channel left out of the stats');
      const { noise, tableNoise } = this.#spendBudget(period, now);
      // Noise configured but no budget left for it: the period goes out withheld, without counts.
      const budgetSpent = noise !== null && tableNoise === undefined;
      const released = budgetSpent ? undefined : protectTable(table.dimensions, table.cells, { threshold: settings.threshold, protectionWidth }, tableNoise);
      if (released && released.underProtected > 0) {
        this.#logger.info({ underProtected: released.underProtected }, 'small counts that the published zeros alone pin narrower than the protection width');
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
        dimensions: table.dimensions,
        disclosure: {
          threshold: settings.threshold,
          contributionCap,
          secondarySuppression: 'interval-audit',
          protectionWidth,
          noise,
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
