import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GatewayError } from '../../src/errors.js';
import { silentLogger } from '../../src/log/logger.js';
import { OutboxRepository } from '../../src/store/outbox-repository.js';
import { ManualClock } from '../../src/time/clock.js';
import { BirthAnnouncer } from '../../src/upstream/birth-announcer.js';
import type { BirthMessage } from '../../src/upstream/birth-message.js';
import { OutboxPublisher } from '../../src/upstream/outbox-publisher.js';
import { UPSTREAM_SCHEMA_IDS } from '../../src/upstream/schema-ids.js';
import { FakeConnection, flush } from './fake-connection.js';
import { HOUR, SITE, TempStore } from './upstream-fixture.js';

const PERIOD_START = Date.parse('2025-06-02T08:00:00Z');

describe('the birth message', () => {
  let store: TempStore;
  let clock: ManualClock;
  let session: string;
  let outbox: OutboxRepository;
  let connection: FakeConnection;
  let publisher: OutboxPublisher;
  let birth: BirthAnnouncer;

  /** Six hourly periods closed while offline, with a cap that holds only the last four. */
  beforeEach(async () => {
    store = new TempStore();
    clock = new ManualClock(PERIOD_START + 6 * HOUR);
    session = randomUUID();
    const oneMessage = await probeMessageBytes();
    await store.aggregator(clock, session, { firstPeriodFrom: PERIOD_START }, { outboxMaxBytes: oneMessage * 4 }).closeDuePeriods();
    outbox = new OutboxRepository(store.db, { maxBytes: oneMessage * 4 });
    connection = new FakeConnection();
    birth = new BirthAnnouncer({ site: SITE, session, firmware: '1.2.3', outbox, clock, logger: silentLogger() });
    publisher = new OutboxPublisher({ connection, outbox, logger: silentLogger(), window: 2, birth });
    await publisher.start();
  });

  afterEach(async () => {
    await publisher.stop();
    store.cleanup();
  });

  async function probeMessageBytes(): Promise<number> {
    const probe = new TempStore();
    try {
      await probe.aggregator(new ManualClock(PERIOD_START + HOUR), randomUUID(), { firstPeriodFrom: PERIOD_START }).closeDuePeriods();
      return probe.outbox.waitingBytes();
    } finally {
      probe.cleanup();
    }
  }

  it('is published first on connect, with the firmware, every schema id and the outbox report; the replay waits for its PUBACK', async () => {
    connection.connect();
    expect(connection.pending.map((p) => p.topic)).toEqual([`helpline/v1/${SITE}/birth`]);
    const message = connection.pending[0]?.message as BirthMessage;
    expect(message).toEqual({
      schema: 'helpline.birth/1',
      site: SITE,
      session,
      firmware: '1.2.3',
      at: new Date(PERIOD_START + 6 * HOUR).toISOString(),
      schemas: UPSTREAM_SCHEMA_IDS,
      outbox: { waiting: 4, waitingBytes: outbox.waitingBytes(), maxBytes: outbox.maxBytes, firstWaitingSeq: 3, lastSeq: 6, dropped: { count: 2, seqRanges: [[1, 2]] } },
    });
    expect(Object.keys(message.schemas).sort()).toEqual(['birth', 'health', 'incident', 'stats', 'status']);

    connection.ackNext();
    await flush();
    expect(connection.pending.map((p) => p.seq)).toEqual([3, 4]);
    expect(outbox.droppedReport()).toEqual({ count: 0, seqRanges: [] });
  });

  it('keeps the drop report when the birth is lost with its connection, and reports it again (with newer drops) on the next connect', async () => {
    connection.connect();
    connection.disconnect();
    await flush();
    expect(outbox.droppedReport()).toEqual({ count: 2, seqRanges: [[1, 2]] });

    clock.advance(HOUR);
    await store.aggregator(clock, session, {}, { outboxMaxBytes: outbox.maxBytes }).closeDuePeriods();
    connection.connect();
    const again = connection.pending[0]?.message as BirthMessage;
    expect(again.outbox).toMatchObject({ waiting: 4, firstWaitingSeq: 4, lastSeq: 7, dropped: { count: 3, seqRanges: [[1, 3]] } });
    expect(connection.pending).toHaveLength(1);
  });

  it('forgets only the drops its birth reported: a drop while the birth is in flight goes into the next one', async () => {
    connection.connect();
    clock.advance(HOUR);
    await store.aggregator(clock, session, {}, { outboxMaxBytes: outbox.maxBytes }).closeDuePeriods();
    connection.ackNext();
    await flush();
    expect(outbox.droppedReport()).toEqual({ count: 1, seqRanges: [[3, 3]] });
  });

  it('replays anyway when the birth fails while the connection stays up', async () => {
    const failing = new OutboxPublisher({
      connection,
      outbox,
      logger: silentLogger(),
      window: 1,
      birth: { announce: () => Promise.reject(new GatewayError('HGW_UPSTREAM_PAYLOAD', 'birth payload refused: outbox: custom')) },
    });
    await publisher.stop();
    await failing.start();
    connection.connect();
    await flush();
    expect(connection.pending.map((p) => p.seq)).toEqual([3]);
    expect(outbox.droppedReport().count).toBe(2);
    await failing.stop();
  });

  it('is announced at start when the connection is already up', async () => {
    await publisher.stop();
    connection.connected = true;
    const late = new OutboxPublisher({ connection, outbox, logger: silentLogger(), birth });
    await late.start();
    expect(connection.pending.map((p) => p.topic)).toEqual([`helpline/v1/${SITE}/birth`]);
    await late.stop();
  });
});
