import type { Logger } from '../log/logger.js';
import type { OutboxRepository } from '../store/outbox-repository.js';
import type { Clock } from '../time/clock.js';
import { BIRTH_SCHEMA, type BirthMessage } from './birth-message.js';
import type { PublishingConnection } from './outbox-publisher.js';
import { UPSTREAM_SCHEMA_IDS } from './schema-ids.js';
import { assertSiteId, birthTopic, encodeBirthMessage } from './topics.js';

export interface BirthAnnouncerOptions {
  readonly site: string;
  readonly session: string;
  readonly firmware: string;
  readonly outbox: Pick<OutboxRepository, 'count' | 'waitingBytes' | 'maxBytes' | 'firstWaitingSeq' | 'lastSequenceNumber' | 'droppedReport' | 'acknowledgeDropped'>;
  readonly clock: Clock;
  readonly logger: Logger;
}

/**
 * Makes and publishes the birth message of a new connection. The drop report it carried is
 * forgotten only once the broker acknowledged it (PUBACK): a birth lost with its connection is
 * made again, with the same drops and any newer ones, on the next connect.
 */
export class BirthAnnouncer {
  readonly #options: BirthAnnouncerOptions;
  readonly #logger: Logger;
  readonly #topic: string;

  constructor(options: BirthAnnouncerOptions) {
    assertSiteId(options.site);
    this.#options = options;
    this.#logger = options.logger.child({ component: 'upstream-birth' });
    this.#topic = birthTopic(options.site);
  }

  /** The birth message as things stand now. */
  message(): BirthMessage {
    const { site, session, firmware, outbox, clock } = this.#options;
    const dropped = outbox.droppedReport();
    return {
      schema: BIRTH_SCHEMA,
      site,
      session,
      firmware,
      at: new Date(clock.now()).toISOString(),
      schemas: UPSTREAM_SCHEMA_IDS,
      outbox: {
        waiting: outbox.count(),
        waitingBytes: outbox.waitingBytes(),
        maxBytes: outbox.maxBytes,
        firstWaitingSeq: outbox.firstWaitingSeq() ?? null,
        lastSeq: outbox.lastSequenceNumber(),
        dropped: { count: dropped.count, seqRanges: dropped.seqRanges },
      },
    };
  }

  /** Publishes the birth (QoS 1, not retained); resolves after its PUBACK, rejects when it was not acknowledged. */
  async announce(connection: Pick<PublishingConnection, 'publish'>): Promise<void> {
    const message = this.message();
    await connection.publish(this.#topic, encodeBirthMessage(message), { qos: 1, retain: false });
    this.#options.outbox.acknowledgeDropped(message.outbox.dropped);
    const { waiting, dropped } = message.outbox;
    this.#logger.info({ waiting, dropped: dropped.count }, 'birth message acknowledged');
  }
}
