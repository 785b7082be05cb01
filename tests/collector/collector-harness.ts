import fs from 'node:fs';
import path from 'node:path';
import { connect, type MqttClient } from 'mqtt';
import pg from 'pg';
import { MosquittoProcess } from '../upstream/mqtt-harness.js';
import { Collector } from '../../src/collector/collector.js';
import { MqttIntake } from '../../src/collector/mqtt-intake.js';
import { PostgresStore, type CollectorStore } from '../../src/collector/postgres-store.js';
import { silentLogger, type Logger } from '../../src/log/logger.js';
import type { Clock } from '../../src/time/clock.js';
import {
  encodeBirthMessage,
  encodeStatsMessage,
  encodeStatusMessage,
  formatLocalIso,
  STATS_SCHEMA,
  statsDimensions,
  protectTable,
  tabulateCounts,
  UPSTREAM_SCHEMA_IDS,
  type StatsMessage,
} from '../../src/upstream/index.js';

const systemTime: Clock = { now: () => Date.now() };

/**
 * The Debian mosquitto binary on 127.0.0.1:<port>, anonymous, with persistence: a collector's
 * session (its subscriptions and unacknowledged messages) survives a broker restart, as it must
 * in production (docs/collector.md).
 */
export class PersistentMosquitto extends MosquittoProcess {
  constructor(dir: string, port: number) {
    const store = path.join(dir, 'mosquitto-data');
    fs.mkdirSync(store, { recursive: true });
    // Debian's mosquitto drops root for the mosquitto user, which must reach and write the persistence file.
    fs.chmodSync(dir, 0o711);
    fs.chmodSync(store, 0o777);
    super(dir, port, ['allow_anonymous true'], ['persistence true', `persistence_location ${store}/`, 'max_queued_messages 10000']);
  }
}

export interface TestCollectorOptions {
  readonly brokerUrl: string;
  readonly dbUrl: string;
  readonly clientId: string;
  /** A shared subscription's group; none: a plain subscription. */
  readonly group?: string;
  readonly clock?: Clock;
  readonly logger?: Logger;
  /** Wraps the real store (to slow it down or make it fail). */
  readonly wrapStore?: (store: CollectorStore) => CollectorStore;
}

/** An in-process collector wired as main.ts wires it, with fast reconnects. */
export class TestCollector {
  readonly pool: pg.Pool;
  readonly collector: Collector;
  readonly intake: MqttIntake;

  constructor(options: TestCollectorOptions) {
    this.pool = new pg.Pool({ connectionString: options.dbUrl, max: 3, connectionTimeoutMillis: 2_000 });
    this.pool.on('error', () => undefined);
    const logger = options.logger ?? silentLogger();
    const store = new PostgresStore({ pool: this.pool });
    this.intake = new MqttIntake(
      { url: options.brokerUrl, group: options.group, clientId: options.clientId, sessionExpirySeconds: 3_600, backoff: { initialMs: 50, maxMs: 300 } },
      logger,
    );
    this.collector = new Collector({
      store: options.wrapStore ? options.wrapStore(store) : store,
      intake: this.intake,
      clock: options.clock ?? systemTime,
      logger,
      backoff: { initialMs: 50, maxMs: 300 },
    });
  }

  async start(): Promise<void> {
    await this.collector.start();
    await this.collector.whenReady();
  }

  async stop(): Promise<void> {
    await this.collector.stop();
    await this.pool.end();
  }
}

/** Read-only looks into the collector's database, for assertions. */
export class CollectorDatabase {
  readonly #pool: pg.Pool;

  constructor(url: string) {
    this.#pool = new pg.Pool({ connectionString: url, max: 2 });
    this.#pool.on('error', () => undefined);
  }

  async seqs(site: string): Promise<number[]> {
    const result = await this.#pool.query<{ seq: string }>('SELECT seq FROM messages WHERE site = $1 ORDER BY seq', [site]).catch(() => ({ rows: [] }));
    return result.rows.map((row) => Number(row.seq));
  }

  /** Seqs in the order they were committed. */
  async arrivalOrder(site: string): Promise<number[]> {
    const result = await this.#pool.query<{ seq: string }>('SELECT seq FROM messages WHERE site = $1 ORDER BY id', [site]);
    return result.rows.map((row) => Number(row.seq));
  }

  async openGaps(site?: string): Promise<Array<{ first: number; last: number }>> {
    const result = await this.#pool.query<{ first_seq: string; last_seq: string }>(
      `SELECT first_seq, last_seq FROM gaps WHERE state = 'open' AND ($1::text IS NULL OR site = $1) ORDER BY first_seq`,
      [site ?? null],
    );
    return result.rows.map((row) => ({ first: Number(row.first_seq), last: Number(row.last_seq) }));
  }

  async site(site: string): Promise<Record<string, unknown> | undefined> {
    const result = await this.#pool.query('SELECT * FROM sites WHERE site = $1', [site]);
    return result.rows[0] as Record<string, unknown> | undefined;
  }

  async query<T extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<T[]> {
    return (await this.#pool.query<T>(sql, params)).rows;
  }

  async close(): Promise<void> {
    await this.#pool.end();
  }
}

const SESSION = '3f1c9a52-8d0e-4b7a-9c61-2e5f0b7d4a18';

/**
 * A valid `helpline.stats/2` payload for `site` and `seq`, made with the box's own table and
 * suppression code: one hour starting `hour` hours after 2025-06-02 08:00 UTC, `registrations`
 * as (channel, topic, count) with age band 12-15 and outcome advice, threshold 5.
 */
export function statsPayload(site: string, seq: number, options: { hour?: number; registrations?: ReadonlyArray<[string, string, number]>; session?: string } = {}): string {
  const start = Date.parse('2025-06-02T08:00:00Z') + (options.hour ?? seq) * 3_600_000;
  const dimensions = statsDimensions({ topics: ['bullying', 'home', 'love'], ageBands: ['12-15'], outcomes: ['advice'] });
  const counts = (options.registrations ?? [['phone', 'home', 7]]).map(([channel, topic, count]) => ({ channel, topic, ageBand: '12-15', outcome: 'advice', count }));
  const { cells, margins } = protectTable(dimensions, tabulateCounts(counts, dimensions).cells, { threshold: 5, protectionWidth: 2 });
  const message: StatsMessage = {
    schema: STATS_SCHEMA,
    site,
    session: options.session ?? SESSION,
    seq,
    period: { start: formatLocalIso(start, 'Europe/Amsterdam'), end: formatLocalIso(start + 3_600_000, 'Europe/Amsterdam'), length: 'hour' },
    dimensions,
    disclosure: { threshold: 5, contributionCap: null, secondarySuppression: 'interval-audit', protectionWidth: 2, noise: null },
    withheld: null,
    cells,
    margins,
  };
  return encodeStatsMessage(message);
}

export function statusPayload(site: string, state: 'online' | 'offline', at = '2025-06-02T08:00:00.000Z'): string {
  return encodeStatusMessage({ schema: 'helpline.status/1', site, session: SESSION, state, firmware: '0.1.0', at });
}

/** A birth as the box sends it on (re)connect, reporting the seq ranges its outbox cap dropped. */
export function birthPayload(site: string, lastSeq: number, dropped: ReadonlyArray<[number, number]>, at = '2025-06-02T08:00:00.000Z'): string {
  const count = dropped.reduce((sum, [first, last]) => sum + last - first + 1, 0);
  return encodeBirthMessage({
    schema: UPSTREAM_SCHEMA_IDS.birth,
    site,
    session: SESSION,
    firmware: '0.1.0',
    at,
    schemas: UPSTREAM_SCHEMA_IDS,
    outbox: { waiting: 0, waitingBytes: 0, maxBytes: 1_048_576, firstWaitingSeq: null, lastSeq, dropped: { count, seqRanges: dropped.map(([first, last]) => [first, last]) } },
  });
}

/** A plain MQTT client standing in for a box (or for someone hostile). */
export class Publisher {
  readonly #client: MqttClient;

  private constructor(client: MqttClient) {
    this.#client = client;
  }

  static async connect(url: string): Promise<Publisher> {
    const client = connect(url, { protocolVersion: 5, reconnectPeriod: 0, clientId: `box-${Math.random().toString(16).slice(2)}` });
    client.on('error', () => undefined);
    await new Promise<void>((resolve, reject) => {
      client.once('connect', () => resolve());
      client.once('error', reject);
    });
    return new Publisher(client);
  }

  async publish(topic: string, payload: string | Buffer, options: { qos?: 0 | 1; retain?: boolean } = {}): Promise<void> {
    await this.#client.publishAsync(topic, payload, { qos: options.qos ?? 1, retain: options.retain ?? false });
  }

  async close(): Promise<void> {
    await this.#client.endAsync();
  }
}
