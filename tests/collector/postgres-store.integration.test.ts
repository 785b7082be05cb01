import pg from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { classifyIncoming, Collector, collectorMigrations, migrateCollectorSchema, PostgresStore, type CollectorIntake, type Delivery } from '../../src/collector/index.js';
import { isGatewayError } from '../../src/errors.js';
import { countAt, STATS_DIMENSIONS, tableKeys, type StatsDimension, type StatsMessage } from '../../src/upstream/stats-message.js';
import { silentLogger } from '../../src/log/logger.js';
import { ManualClock } from '../../src/time/clock.js';
import { birthPayload, CollectorDatabase, statsPayload, statusPayload } from './collector-harness.js';
import { PostgresProcess } from './postgres-harness.js';

const SITE = 'utrecht-1';
const NOW = Date.parse('2025-06-14T10:00:00Z');
const stats = (seq: number, options?: Parameters<typeof statsPayload>[2]) => classifyIncoming(`helpline/v1/${SITE}/stats`, Buffer.from(statsPayload(SITE, seq, options)));

describe('the collector store on PostgreSQL', () => {
  let postgres: PostgresProcess;
  let pool: pg.Pool;
  let store: PostgresStore;
  let database: CollectorDatabase;

  beforeAll(async () => {
    postgres = await PostgresProcess.create();
  });

  afterAll(async () => {
    await postgres.destroy();
  });

  beforeEach(async () => {
    const url = await postgres.newDatabase();
    pool = new pg.Pool({ connectionString: url, max: 4 });
    pool.on('error', () => undefined);
    store = new PostgresStore({ pool, maxSeqAhead: 1_000 });
    database = new CollectorDatabase(url);
    await store.migrate();
  });

  afterEach(async () => {
    await database.close();
    await pool.end();
  });

  it('migrates an empty database once, also when several collectors start together, and refuses one newer than itself', async () => {
    expect(await store.migrate()).toEqual({ from: 2, to: 2 });
    const fresh = new pg.Pool({ connectionString: await postgres.newDatabase(), max: 6 });
    fresh.on('error', () => undefined);
    try {
      const outcomes = await Promise.all([1, 2, 3].map(() => migrateCollectorSchema(fresh, collectorMigrations)));
      expect(outcomes.map((o) => o.from).sort()).toEqual([0, 2, 2]);
      await fresh.query('UPDATE collector_schema SET version = 99');
      const error = await migrateCollectorSchema(fresh, collectorMigrations).catch((e: unknown) => e);
      expect(isGatewayError(error, 'HGW_COLLECTOR_SCHEMA_TOO_NEW')).toBe(true);
    } finally {
      await fresh.end();
    }
  });

  it('opens a gap for seqs skipped, shrinks and splits it as late messages arrive, and closes it when the last one is in', async () => {
    await store.ingest(stats(1), NOW);
    expect(await store.ingest(stats(6), NOW)).toMatchObject({ result: 'stored', gapOpened: { first: 2, last: 5 } });
    expect(await database.openGaps(SITE)).toEqual([{ first: 2, last: 5 }]);
    expect(await store.ingest(stats(4), NOW)).toMatchObject({ result: 'stored', late: true });
    expect(await database.openGaps(SITE)).toEqual([{ first: 2, last: 3 }, { first: 5, last: 5 }]);
    await store.ingest(stats(2), NOW);
    await store.ingest(stats(5), NOW);
    expect(await database.openGaps(SITE)).toEqual([{ first: 3, last: 3 }]);
    await store.ingest(stats(3), NOW);
    expect(await database.openGaps(SITE)).toEqual([]);
    expect(await database.seqs(SITE)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(await database.site(SITE)).toMatchObject({ highest_seq: '6', messages: '6', late_arrivals: '4' });
    const closed = await database.query<{ state: string }>('SELECT DISTINCT state FROM gaps');
    expect(closed).toEqual([{ state: 'filled' }]);
  });

  it('tells seqs the box reported dropped by its outbox cap apart from lost ones, whether the birth comes before or after the hole shows', async () => {
    const birth = (lastSeq: number, dropped: Array<[number, number]>, at: string) => classifyIncoming(`helpline/v1/${SITE}/birth`, Buffer.from(birthPayload(SITE, lastSeq, dropped, at)));
    const gaps = () => database.query<{ first_seq: string; last_seq: string; state: string }>('SELECT first_seq, last_seq, state FROM gaps ORDER BY first_seq');
    await store.ingest(stats(1), NOW);
    // The birth announces 3-5 dropped before the replay shows the hole 2-7.
    expect(await store.ingest(birth(8, [[3, 5]], '2025-06-02T09:00:00.000Z'), NOW)).toMatchObject({ result: 'birth', site: SITE });
    await store.ingest(stats(8), NOW);
    expect(await gaps()).toEqual([
      { first_seq: '2', last_seq: '2', state: 'open' },
      { first_seq: '3', last_seq: '5', state: 'dropped-by-box' },
      { first_seq: '6', last_seq: '7', state: 'open' },
    ]);
    // A later birth explains a hole that was already open; the same birth again changes nothing.
    await store.ingest(birth(8, [[6, 7]], '2025-06-02T10:00:00.000Z'), NOW);
    await store.ingest(birth(8, [[6, 7]], '2025-06-02T10:00:00.000Z'), NOW);
    expect(await database.openGaps(SITE)).toEqual([{ first: 2, last: 2 }]);
    // Received wins: a dropped seq that arrives after all fills its place.
    expect(await store.ingest(stats(4), NOW)).toMatchObject({ result: 'stored', late: true });
    expect((await gaps()).filter((gap) => gap.state === 'dropped-by-box').map((gap) => [gap.first_seq, gap.last_seq])).toEqual([['3', '3'], ['5', '5'], ['6', '7']]);
    expect(await database.query('SELECT count(*)::int AS n FROM birth_events')).toEqual([{ n: 2 }]);
  });

  it('a site whose first message is not seq 1 shows the seqs before it as missing', async () => {
    await store.ingest(stats(3), NOW);
    expect(await database.openGaps(SITE)).toEqual([{ first: 1, last: 2 }]);
  });

  it('drops and counts a repeat; quarantines another payload under a stored seq; quarantines a seq too far ahead', async () => {
    await store.ingest(stats(1), NOW);
    expect(await store.ingest(stats(1), NOW)).toEqual({ result: 'duplicate', site: SITE, seq: 1 });
    expect(await store.ingest(stats(1, { registrations: [['mail', 'love', 20]] }), NOW)).toEqual({ result: 'conflict', site: SITE, seq: 1 });
    expect(await store.ingest(stats(1_002), NOW)).toMatchObject({ result: 'quarantined', reason: 'seq-ahead', seq: 1_002 });
    expect(await store.ingest(stats(1_001), NOW)).toMatchObject({ result: 'stored', gapOpened: { first: 2, last: 1_000 } });
    expect(await database.site(SITE)).toMatchObject({ duplicates: '1', conflicts: '1', quarantined: '2', messages: '2' });
    const kept = await database.query<{ payload: { dimensions: unknown; cells: unknown } }>('SELECT payload FROM messages WHERE seq = 1');
    expect(kept[0]?.payload).toEqual(JSON.parse(statsPayload(SITE, 1)));
  });

  it('expands a table for querying without its zeros; a suppressed count stays NULL; a withheld period has none', async () => {
    const payload = statsPayload(SITE, 1, { registrations: [['phone', 'home', 7], ['phone', 'love', 12], ['chat', 'love', 2], ['chat', 'home', 15]] });
    await store.ingest(classifyIncoming(`helpline/v1/${SITE}/stats`, Buffer.from(payload)), NOW);
    const message = JSON.parse(payload) as StatsMessage;
    // Every count the box published that is not 0, a suppressed one as NULL: the 2 and whatever protects it.
    const expected = (by: readonly StatsDimension[], margin: string) =>
      tableKeys(message.dimensions, by)
        .map((key) => ({ margin, channel: key.channel ?? null, topic: key.topic ?? null, count: countAt(message, by, key) ?? null }))
        .filter((row) => row.count !== 0);
    const cells = await database.query<{ channel: string; topic: string; count: number | null }>('SELECT channel, topic, count FROM stats_counts ORDER BY channel, topic');
    expect(cells).toEqual(expected(STATS_DIMENSIONS, 'cell').map(({ channel, topic, count }) => ({ channel, topic, count })).sort((a, b) => `${a.channel}${a.topic}`.localeCompare(`${b.channel}${b.topic}`)));
    expect(cells).toContainEqual({ channel: 'chat', topic: 'love', count: null });
    const margins = await database.query<{ margin: string; channel: string | null; topic: string | null; count: number | null }>(
      `SELECT margin, channel, topic, count FROM stats_margins WHERE margin IN ('total', 'channel', 'topic') ORDER BY margin, channel, topic`,
    );
    const key = (row: { margin: string; channel: string | null; topic: string | null }) => `${row.margin}|${row.channel ?? ''}|${row.topic ?? ''}`;
    expect(margins.map(key).sort()).toEqual([...expected(['channel'], 'channel'), ...expected(['topic'], 'topic'), ...expected([], 'total')].map(key).sort());
    expect(margins).toEqual(expect.arrayContaining([...expected(['channel'], 'channel'), ...expected(['topic'], 'topic'), ...expected([], 'total')]));
    const withheld = JSON.stringify({ ...JSON.parse(statsPayload(SITE, 2)), withheld: 'privacy-budget-spent', cells: [], margins: [] });
    await store.ingest(classifyIncoming(`helpline/v1/${SITE}/stats`, Buffer.from(withheld)), NOW);
    expect(await database.query('SELECT withheld FROM stats_releases ORDER BY message_id')).toEqual([{ withheld: null }, { withheld: 'privacy-budget-spent' }]);
    expect(await database.query('SELECT count(*)::int AS n FROM stats_counts')).toEqual([{ n: 4 }]);
  });

  it('keeps each status once in the history; the site shows the last one received', async () => {
    const status = (state: 'online' | 'offline', at: string) => classifyIncoming(`helpline/v1/${SITE}/status`, Buffer.from(statusPayload(SITE, state, at)));
    await store.ingest(status('online', '2025-06-14T09:00:00.000Z'), NOW);
    await store.ingest(status('offline', '2025-06-14T08:59:00.000Z'), NOW + 1_000);
    await store.ingest(status('offline', '2025-06-14T08:59:00.000Z'), NOW + 2_000);
    expect(await database.query('SELECT state FROM status_events ORDER BY id')).toEqual([{ state: 'online' }, { state: 'offline' }]);
    expect(await database.site(SITE)).toMatchObject({ status_state: 'offline', messages: '0' });
  });
});

/** Stands in for the MQTT side; the test calls the collector's handler itself. */
class FakeIntake implements CollectorIntake {
  connected = true;
  #up: (() => void) | undefined;
  start(): void {
    queueMicrotask(() => this.#up?.());
  }
  pause(): void {}
  resume(): void {}
  stop(): Promise<void> {
    return Promise.resolve();
  }
  on: CollectorIntake['on'] = (event, listener) => {
    if (event === 'up') this.#up = () => (listener as (sessionPresent: boolean) => void)(false);
    return () => undefined;
  };
}

describe('the collector over the store', () => {
  let postgres: PostgresProcess;

  beforeAll(async () => {
    postgres = await PostgresProcess.create();
  });

  afterAll(async () => {
    await postgres.destroy();
  });

  it('quarantines what the database itself refuses (a NUL in an unknown kind) instead of failing on it forever', async () => {
    const url = await postgres.newDatabase();
    const pool = new pg.Pool({ connectionString: url, max: 2 });
    pool.on('error', () => undefined);
    const collector = new Collector({ store: new PostgresStore({ pool }), intake: new FakeIntake(), clock: new ManualClock(NOW), logger: silentLogger() });
    const database = new CollectorDatabase(url);
    try {
      await collector.start();
      await collector.whenReady();
      const delivery = (topic: string, payload: string): Delivery => ({ topic, payload: Buffer.from(payload), retained: false, viaStatusSubscription: false });
      await collector.handle(delivery(`helpline/v1/${SITE}/diagnostics`, '{"note":"a\\u0000b"}'));
      expect(collector.counts.quarantined).toBe(1);
      expect(await database.query('SELECT reason, site, kind, error FROM quarantine')).toEqual([{ reason: 'store-refused', site: SITE, kind: 'diagnostics', error: 'database refused it (SQLSTATE 22P05)' }]);
      // A status copy that came through the main subscription alone is acknowledged and not stored twice.
      await collector.handle(delivery(`helpline/v1/${SITE}/status`, statusPayload(SITE, 'online')));
      expect(collector.counts.status).toBe(0);
    } finally {
      await collector.stop();
      await database.close();
      await pool.end();
    }
  });
});
