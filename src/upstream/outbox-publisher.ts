import { describeError, TypedEmitter } from '../events/typed-emitter.js';
import { isGatewayError } from '../errors.js';
import type { Logger } from '../log/logger.js';
import type { OutboxRepository, OutboxRow } from '../store/outbox-repository.js';
import type { UpstreamConnection } from './mqtt-connection.js';

export interface PublishedMessage {
  readonly topic: string;
  /** The message's sequence number; undefined for a message kind without one. */
  readonly seq: number | undefined;
}

/** What the publisher needs of the connection (a fake in unit tests). */
export type PublishingConnection = Pick<UpstreamConnection, 'connected' | 'on' | 'publish'>;

export interface OutboxPublisherOptions {
  readonly connection: PublishingConnection;
  readonly outbox: OutboxRepository;
  readonly logger: Logger;
  /** Messages sent and not yet acknowledged at any one time. */
  readonly window?: number;
  /**
   * Published on every connect before the outbox is replayed (the birth message); the replay
   * starts once it is acknowledged, or failed without the connection dropping.
   */
  readonly birth?: { announce(connection: Pick<PublishingConnection, 'publish'>): Promise<void> };
}

interface PublisherEvents {
  'published': [message: PublishedMessage];
}

/**
 * Messages in flight by default. Measured (scripts/bench/outbox-replay-bench.ts, a week of hourly
 * periods offline, 336 messages): behind a 20 ms round trip 4 in flight drained in ~2.0 s, 16 in
 * ~0.6 s, 64 in ~0.35 s; on loopback all three ~0.15-0.2 s, where the box's own work (the payload
 * check, SQLite) sets the pace. 16 takes most of the gain while a broken connection resends at
 * most 16 messages.
 */
export const DEFAULT_WINDOW = 16;

/**
 * Sends the SQLite outbox, oldest first, whenever the connection is up. A row is deleted only in
 * the PUBACK callback; until then it stays, so a crash, a power cut or a broken connection means
 * it is sent again (at least once: the receiver tells repeats apart by site, session and seq).
 */
export class OutboxPublisher {
  readonly #connection: PublishingConnection;
  readonly #outbox: OutboxRepository;
  readonly #logger: Logger;
  readonly #window: number;
  readonly #birth: OutboxPublisherOptions['birth'];
  readonly #events: TypedEmitter<PublisherEvents>;
  readonly #inFlight = new Set<number>();
  /** Rows the payload check refused on this connection: kept for inspection, not retried until reconnect. */
  readonly #refused = new Set<number>();
  #unsubscribe: Array<() => void> = [];
  #running = false;
  /** The birth of this connection is on its way: nothing from the outbox goes before it. */
  #announcing = false;
  /** Bumped on every disconnect, so a late callback from an old connection touches nothing. */
  #generation = 0;

  constructor(options: OutboxPublisherOptions) {
    const window = options.window ?? DEFAULT_WINDOW;
    if (!Number.isInteger(window) || window < 1) throw new TypeError('outbox publisher window must be a positive integer');
    this.#connection = options.connection;
    this.#outbox = options.outbox;
    this.#logger = options.logger.child({ component: 'upstream-outbox' });
    this.#window = window;
    this.#birth = options.birth;
    this.#events = new TypedEmitter(this.#logger);
  }

  onPublished(listener: (message: PublishedMessage) => void): () => void {
    return this.#events.on('published', listener);
  }

  get inFlight(): number {
    return this.#inFlight.size;
  }

  start(): Promise<void> {
    if (this.#running) return Promise.resolve();
    this.#running = true;
    this.#unsubscribe = [
      this.#connection.on('connected', () => this.#onConnected()),
      this.#connection.on('disconnected', () => this.#resetAfterDisconnect()),
    ];
    if (this.#connection.connected) this.#onConnected();
    return Promise.resolve();
  }

  stop(): Promise<void> {
    this.#running = false;
    for (const unsubscribe of this.#unsubscribe) unsubscribe();
    this.#unsubscribe = [];
    this.#resetAfterDisconnect();
    this.#events.removeAllListeners();
    return Promise.resolve();
  }

  /** New rows may be waiting (a period was closed): send what the window allows. */
  notify(): void {
    if (!this.#running || !this.#connection.connected || this.#announcing) return;
    const room = this.#window - this.#inFlight.size;
    if (room <= 0) return;
    for (const row of this.#outbox.oldest(room, new Set([...this.#inFlight, ...this.#refused]))) this.#send(row);
  }

  #onConnected(): void {
    const birth = this.#birth;
    if (!birth || !this.#running) {
      this.notify();
      return;
    }
    const generation = this.#generation;
    this.#announcing = true;
    birth.announce(this.#connection).then(
      () => this.#afterBirth(generation),
      (error: unknown) => {
        if (generation !== this.#generation) return;
        // Still connected, so the broker is not the problem: replay anyway rather than hold the data back.
        this.#logger.error({ err: describeError(error) }, 'birth message not acknowledged; replaying the outbox without it');
        this.#afterBirth(generation);
      },
    );
  }

  #afterBirth(generation: number): void {
    if (generation !== this.#generation) return;
    this.#announcing = false;
    this.notify();
  }

  #resetAfterDisconnect(): void {
    this.#announcing = false;
    this.#generation += 1;
    this.#inFlight.clear();
    this.#refused.clear();
  }

  #send(row: OutboxRow): void {
    const generation = this.#generation;
    this.#inFlight.add(row.id);
    this.#connection.publish(row.topic, row.payload, { qos: row.qos, retain: row.retain }).then(
      (message) => {
        // PUBACK: the broker has it. Delete even if the connection has changed since.
        // A repeat (sent again after a reconnect) finds the row gone and is not announced twice.
        if (this.#outbox.deleteSent(row)) this.#events.emit('published', { topic: row.topic, seq: 'seq' in message ? message.seq : undefined });
        if (generation !== this.#generation) return;
        this.#inFlight.delete(row.id);
        this.notify();
      },
      (error: unknown) => {
        if (generation !== this.#generation) return;
        this.#inFlight.delete(row.id);
        if (isGatewayError(error, 'HGW_UPSTREAM_PAYLOAD') || isGatewayError(error, 'HGW_UPSTREAM_TOPIC')) {
          this.#refused.add(row.id);
          this.#logger.error({ outboxId: row.id, err: describeError(error) }, 'outbox row refused by the payload check');
          this.notify();
          return;
        }
        this.#logger.warn({ outboxId: row.id, err: describeError(error) }, 'outbox row not acknowledged; resent after the next connect');
      },
    );
  }
}
