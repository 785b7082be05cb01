import { describeError } from '../events/typed-emitter.js';
import type { HealthReport } from '../health/health-report.js';
import type { Logger } from '../log/logger.js';
import type { Scheduler } from '../time/scheduler.js';
import { healthMessageOf } from './health-message.js';
import type { PublishingConnection } from './outbox-publisher.js';
import { assertSiteId, encodeHealthMessage, healthTopic } from './topics.js';

export interface HealthPublisherOptions {
  readonly connection: PublishingConnection;
  readonly site: string;
  readonly session: string;
  /** The report of /health, read at each publish. */
  readonly report: () => HealthReport;
  readonly scheduler: Scheduler;
  readonly logger: Logger;
  /** Default 15 minutes. */
  readonly intervalMs?: number;
}

export const HEALTH_INTERVAL_MS = 15 * 60 * 1000;

/**
 * Publishes `helpline.health/1` on every (re)connect, every 15 minutes and when asked (main asks
 * when the faults change): retained at QoS 1, so the central office sees the last health of a
 * site at once, with its time. Never through the outbox: a health from hours ago replayed after an
 * outage says nothing true; the next one is made fresh. Nothing is sent while offline.
 */
export class HealthPublisher {
  readonly #options: HealthPublisherOptions;
  readonly #logger: Logger;
  readonly #topic: string;
  #unsubscribe: (() => void) | undefined;
  #cancelTimer: (() => void) | undefined;

  constructor(options: HealthPublisherOptions) {
    assertSiteId(options.site);
    this.#options = options;
    this.#logger = options.logger.child({ component: 'upstream-health' });
    this.#topic = healthTopic(options.site);
  }

  start(): void {
    if (this.#unsubscribe) return;
    this.#unsubscribe = this.#options.connection.on('connected', () => void this.publish());
    this.#arm();
    if (this.#options.connection.connected) void this.publish();
  }

  stop(): void {
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
    this.#cancelTimer?.();
    this.#cancelTimer = undefined;
  }

  /** Publishes the health as it is now; false when offline or not acknowledged (it is not retried). */
  async publish(): Promise<boolean> {
    const { connection, site, session } = this.#options;
    if (!connection.connected) return false;
    let payload: string;
    try {
      payload = encodeHealthMessage(healthMessageOf(this.#options.report(), site, session));
    } catch (error) {
      this.#logger.error({ err: describeError(error) }, 'health message not made');
      return false;
    }
    try {
      await connection.publish(this.#topic, payload, { qos: 1, retain: true });
      return true;
    } catch (error) {
      this.#logger.warn({ err: describeError(error) }, 'health message not acknowledged; the next one follows');
      return false;
    }
  }

  #arm(): void {
    this.#cancelTimer = this.#options.scheduler.after(this.#options.intervalMs ?? HEALTH_INTERVAL_MS, () => {
      this.#cancelTimer = undefined;
      if (!this.#unsubscribe) return;
      void this.publish();
      this.#arm();
    });
  }
}
