import { randomUUID } from 'node:crypto';
import type { Logger } from '../log/logger.js';
import type { GatewayDatabase } from '../store/open-database.js';
import { OutboxRepository } from '../store/outbox-repository.js';
import { PrivacyBudgetRepository } from '../store/privacy-budget-repository.js';
import { StatsRepository } from '../store/stats-repository.js';
import type { Clock } from '../time/clock.js';
import { BirthAnnouncer } from './birth-announcer.js';
import { IncidentReport, type IncidentCountsSource } from './incident-report.js';
import { UpstreamConnection, type UpstreamConnectionOptions } from './mqtt-connection.js';
import { OutboxPublisher, type PublishedMessage } from './outbox-publisher.js';
import { StatsAggregator, type StatsSettings } from './stats-aggregator.js';

export interface UpstreamServiceOptions {
  readonly database: GatewayDatabase;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly stats: Omit<StatsSettings, 'site'>;
  readonly mqtt: Omit<UpstreamConnectionOptions, 'site' | 'session'>;
  readonly site: string;
  /** One per process start; random so two runs of the box are told apart upstream. */
  readonly newSessionId?: () => string;
  readonly window?: number;
  /** The outbox's byte cap (upstream.outboxMaxBytes); default DEFAULT_OUTBOX_MAX_BYTES. */
  readonly outboxMaxBytes?: number;
  /**
   * The incident register (or anything with its `countsForPeriod`): when given, every closed stats
   * period is followed by an `incident` message with that period's counts.
   */
  readonly incidents?: IncidentCountsSource;
}

/**
 * Closing a busy site's period takes several hundred milliseconds, in short reads and on a worker
 * thread (docs/statistics.md), so the event loop stays free throughout; a catch-up still closes a
 * few periods per run, then schedules the next.
 */
const CATCH_UP_PERIODS_PER_RUN = 4;

/**
 * The upstream as one start()/stop() unit: connection, outbox publisher (with the birth message
 * of every connect) and period closer, with every newly closed period (its stats and, when
 * configured, its incident counts) handed straight to the publisher.
 */
export class UpstreamService {
  readonly session: string;
  readonly connection: UpstreamConnection;
  readonly publisher: OutboxPublisher;
  readonly aggregator: StatsAggregator;
  readonly outbox: OutboxRepository;
  #unsubscribe: (() => void) | undefined;

  constructor(options: UpstreamServiceOptions) {
    this.session = (options.newSessionId ?? randomUUID)();
    this.outbox = new OutboxRepository(options.database, { maxBytes: options.outboxMaxBytes });
    this.connection = new UpstreamConnection({ ...options.mqtt, site: options.site, session: this.session }, options.clock, options.logger);
    const birth = new BirthAnnouncer({
      site: options.site,
      session: this.session,
      firmware: options.mqtt.firmware,
      outbox: this.outbox,
      clock: options.clock,
      logger: options.logger,
    });
    this.publisher = new OutboxPublisher({ connection: this.connection, outbox: this.outbox, logger: options.logger, window: options.window, birth });
    this.aggregator = new StatsAggregator({
      database: options.database,
      stats: new StatsRepository(options.database),
      outbox: this.outbox,
      clock: options.clock,
      logger: options.logger,
      settings: { maxPeriodsPerRun: CATCH_UP_PERIODS_PER_RUN, ...options.stats, site: options.site },
      session: this.session,
      budget: new PrivacyBudgetRepository(options.database),
      alongside: options.incidents
        ? [
            new IncidentReport({
              site: options.site,
              session: this.session,
              timeZone: options.stats.timeZone,
              periodLength: options.stats.periodLength,
              incidents: options.incidents,
            }),
          ]
        : [],
    });
  }

  onPublished(listener: (message: PublishedMessage) => void): () => void {
    return this.publisher.onPublished(listener);
  }

  async start(): Promise<void> {
    this.#unsubscribe = this.aggregator.onClosed(() => this.publisher.notify());
    // The periods due now are closed first, so the birth message of the first connect reports them.
    await this.aggregator.start();
    await this.connection.start();
    await this.publisher.start();
  }

  async stop(): Promise<void> {
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
    await this.aggregator.stop();
    await this.publisher.stop();
    await this.connection.stop();
  }
}
