import { isGatewayError, type GatewayErrorCode } from '../errors.js';
import { describeError, TypedEmitter } from '../events/typed-emitter.js';
import type { Logger } from '../log/logger.js';
import type { Clock } from '../time/clock.js';
import { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from './backoff.js';
import { classifyIncoming, type IncomingMessage } from './incoming-message.js';
import type { Delivery, MqttIntake } from './mqtt-intake.js';
import { isRefusedByDatabase, type CollectorStore, type IngestOutcome, type IngestResult } from './postgres-store.js';

/** What the collector needs of its MQTT side (the real intake, or a stand-in in unit tests). */
export type CollectorIntake = Pick<MqttIntake, 'start' | 'pause' | 'resume' | 'stop' | 'on' | 'connected'>;

export interface CollectorOptions {
  readonly store: CollectorStore;
  readonly intake: CollectorIntake;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Between attempts to reach the database. */
  readonly backoff?: BackoffOptions;
}

export type ComponentState = 'starting' | 'up' | 'down';

export interface CollectorHealth {
  readonly database: ComponentState;
  /** 'paused': disconnected on purpose while the database is down. */
  readonly broker: ComponentState | 'paused';
}

/** A condition worth one line to the operator: something is down, or it is back. */
export interface CollectorCondition {
  readonly code: GatewayErrorCode;
  /** One line, no identifier: error codes, never server messages. */
  readonly message: string;
  readonly resolved: boolean;
}

interface CollectorEvents {
  condition: [condition: CollectorCondition];
  /** The database schema is newer than this collector: it cannot go on. */
  fatal: [error: Error];
}

export type CollectorCounts = Record<IngestResult, number> & { gapsOpened: number; lateArrivals: number };

function errorCode(error: unknown): string {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : error instanceof Error ? error.name : 'unknown';
}

/**
 * The central office's collector: every message the intake delivers is classified (the box's own
 * validators), stored in one transaction, and only then acknowledged. When the database fails,
 * the intake drops its broker connection unacknowledged and the collector keeps trying the
 * database with backoff, then resumes: unacknowledged messages are sent again by the broker.
 */
export class Collector {
  readonly #options: CollectorOptions;
  readonly #logger: Logger;
  readonly #events: TypedEmitter<CollectorEvents>;
  readonly #counts: CollectorCounts = { stored: 0, duplicate: 0, conflict: 0, status: 0, birth: 0, 'unknown-kind': 0, quarantined: 0, gapsOpened: 0, lateArrivals: 0 };
  #database: ComponentState = 'starting';
  #broker: ComponentState | 'paused' = 'starting';
  #databaseFailures = 0;
  #timer: NodeJS.Timeout | undefined;
  #running = false;
  #intakeStarted = false;
  #unsubscribe: Array<() => void> = [];
  #ready: Promise<void>;
  #markReady: () => void = () => undefined;

  constructor(options: CollectorOptions) {
    this.#options = options;
    this.#logger = options.logger.child({ component: 'collector' });
    this.#events = new TypedEmitter(this.#logger);
    this.#ready = new Promise((resolve) => {
      this.#markReady = resolve;
    });
  }

  on<K extends keyof CollectorEvents>(event: K, listener: (...args: CollectorEvents[K]) => void): () => void {
    return this.#events.on(event, listener);
  }

  health(): CollectorHealth {
    return { database: this.#database, broker: this.#broker };
  }

  /** Since this process started; the lasting counters are in the database (sites table). */
  get counts(): Readonly<CollectorCounts> {
    return { ...this.#counts };
  }

  /** Resolves the first time the database is migrated and the subscriptions are in place. */
  whenReady(): Promise<void> {
    return this.#ready;
  }

  /** Returns at once; the database and then the broker are reached in the background, with retries. */
  start(): Promise<void> {
    if (this.#running) return Promise.resolve();
    this.#running = true;
    const { intake } = this.#options;
    this.#unsubscribe = [
      intake.on('up', () => {
        this.#setBroker('up');
        if (this.#database === 'up') this.#markReady();
      }),
      intake.on('down', (reason) => this.#setBroker('down', reason)),
      intake.on('handler-failed', (error) => this.#databaseFailed(error)),
    ];
    this.#tryDatabase();
    return Promise.resolve();
  }

  async stop(): Promise<void> {
    this.#running = false;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#options.intake.stop();
    for (const unsubscribe of this.#unsubscribe) unsubscribe();
    this.#unsubscribe = [];
    this.#events.removeAllListeners();
  }

  /** The intake's handler: resolves once the message is committed (then acknowledged). */
  async handle(delivery: Delivery): Promise<void> {
    const incoming = classifyIncoming(delivery.topic, delivery.payload, delivery.retained);
    // The status subscription brings every status to every collector, in order; this copy is extra.
    if (incoming.type === 'status' && !delivery.viaStatusSubscription) return;
    const receivedAt = this.#options.clock.now();
    let outcome: IngestOutcome;
    try {
      outcome = await this.#options.store.ingest(incoming, receivedAt);
    } catch (error) {
      if (!isRefusedByDatabase(error)) throw error;
      outcome = await this.#options.store.ingest(storeRefused(incoming, errorCode(error)), receivedAt);
    }
    this.#report(outcome);
  }

  #report(outcome: IngestOutcome): void {
    this.#counts[outcome.result] += 1;
    const where = { site: outcome.site, seq: outcome.seq };
    switch (outcome.result) {
      case 'stored':
        if (outcome.gapOpened) {
          this.#counts.gapsOpened += 1;
          this.#logger.warn({ ...where, missingFrom: outcome.gapOpened.first, missingTo: outcome.gapOpened.last }, 'gap: seqs missing below this one');
        } else if (outcome.late) {
          this.#counts.lateArrivals += 1;
          this.#logger.info(where, 'late message filled a gap');
        } else {
          this.#logger.debug(where, 'stored');
        }
        return;
      case 'duplicate':
        this.#logger.info(where, 'duplicate dropped (same site and seq, same content)');
        return;
      case 'conflict':
        this.#logger.warn(where, 'another payload under a stored seq: quarantined');
        return;
      case 'quarantined':
        this.#logger.warn({ ...where, reason: outcome.reason }, 'payload quarantined');
        return;
      case 'unknown-kind':
        this.#logger.warn(where, 'unknown topic kind: stored as sent');
        return;
      case 'status':
        this.#logger.debug(where, 'status');
        return;
    }
  }

  #tryDatabase(): void {
    if (!this.#running) return;
    this.#options.store.migrate().then(
      (migration) => {
        if (!this.#running) return;
        if (migration.from !== migration.to) this.#logger.info(migration, 'collector database migrated');
        this.#setDatabase('up');
        const { intake } = this.#options;
        if (this.#intakeStarted) intake.resume();
        else {
          this.#intakeStarted = true;
          intake.start((delivery) => this.handle(delivery));
        }
        if (intake.connected) this.#markReady();
      },
      (error: unknown) => {
        if (isGatewayError(error, 'HGW_COLLECTOR_SCHEMA_TOO_NEW')) {
          this.#events.emit('fatal', error);
          return;
        }
        this.#databaseFailed(error);
      },
    );
  }

  #databaseFailed(error: unknown): void {
    if (!this.#running) return;
    this.#options.intake.pause();
    if (this.#broker === 'up') this.#broker = 'paused';
    this.#setDatabase('down', errorCode(error));
    this.#logger.debug({ err: describeError(error) }, 'database attempt failed');
    clearTimeout(this.#timer);
    const delay = backoffDelay(this.#databaseFailures, this.#options.backoff ?? DEFAULT_BACKOFF);
    this.#databaseFailures += 1;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#tryDatabase();
    }, delay);
  }

  #setDatabase(state: ComponentState, reason?: string): void {
    const before = this.#database;
    this.#database = state;
    if (state === 'up') {
      this.#databaseFailures = 0;
      if (before === 'down') this.#condition({ code: 'HGW_COLLECTOR_DATABASE', message: 'database reachable again; taking messages', resolved: true });
    } else if (before !== 'down') {
      this.#condition({ code: 'HGW_COLLECTOR_DATABASE', message: `database unavailable (${reason ?? 'unknown'}); not taking messages, retrying with backoff`, resolved: false });
    }
  }

  #setBroker(state: ComponentState, reason?: string): void {
    const before = this.#broker;
    this.#broker = state;
    if (state === 'up' && before === 'down') this.#condition({ code: 'HGW_COLLECTOR_BROKER', message: 'broker reachable again', resolved: true });
    if (state === 'down' && before !== 'down') this.#condition({ code: 'HGW_COLLECTOR_BROKER', message: `broker unavailable (${reason ?? 'unknown'}); retrying with backoff`, resolved: false });
  }

  #condition(condition: CollectorCondition): void {
    if (condition.resolved) this.#logger.info({ code: condition.code }, condition.message);
    else this.#logger.warn({ code: condition.code }, condition.message);
    this.#events.emit('condition', condition);
  }
}

/** The database would not take it as it is (a data or integrity error): kept as a refusal instead. */
function storeRefused(incoming: IncomingMessage, code: string): IncomingMessage {
  const known =
    incoming.type === 'refused'
      ? incoming.refusal
      : incoming.type === 'sequenced'
        ? { site: incoming.site, kind: incoming.kind, seq: incoming.message.seq }
        : { site: incoming.site, kind: incoming.type === 'unknown-kind' ? incoming.kind : incoming.type };
  return {
    type: 'refused',
    digest: incoming.digest,
    size: incoming.size,
    refusal: { ...known, reason: 'store-refused', error: `database refused it (SQLSTATE ${code})` },
  };
}
