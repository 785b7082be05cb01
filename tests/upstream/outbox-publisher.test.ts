import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log/logger.js';
import { ManualClock } from '../../src/time/clock.js';
import { OutboxPublisher, type PublishedMessage } from '../../src/upstream/outbox-publisher.js';
import { FakeConnection, flush } from './fake-connection.js';
import { HOUR, TempStore } from './upstream-fixture.js';

const PERIOD_START = Date.parse('2025-06-02T08:00:00Z');

describe('OutboxPublisher', () => {
  let store: TempStore;
  let connection: FakeConnection;
  let publisher: OutboxPublisher;
  let published: PublishedMessage[];

  beforeEach(async () => {
    store = new TempStore();
    const clock = new ManualClock(PERIOD_START + 6 * HOUR);
    await store.aggregator(clock, randomUUID(), { firstPeriodFrom: PERIOD_START }).closeDuePeriods();
    connection = new FakeConnection();
    publisher = new OutboxPublisher({ connection, outbox: store.outbox, logger: silentLogger(), window: 2 });
    published = [];
    publisher.onPublished((message) => published.push(message));
  });

  afterEach(async () => {
    await publisher.stop();
    store.cleanup();
  });

  it('sends nothing while disconnected', async () => {
    await publisher.start();
    publisher.notify();
    expect(connection.pending).toHaveLength(0);
    expect(store.outbox.count()).toBe(6);
  });

  it('sends oldest first within the window and deletes a row only on its PUBACK', async () => {
    await publisher.start();
    connection.connect();
    expect(connection.pending.map((p) => p.seq)).toEqual([1, 2]);
    expect(store.outbox.count()).toBe(6);

    connection.pending[0]?.ack();
    await flush();
    expect(store.outbox.count()).toBe(5);
    expect(published).toEqual([{ topic: 'helpline/v1/test-site/stats', seq: 1 }]);
    expect(connection.pending.map((p) => p.seq)).toEqual([1, 2, 3]);
  });

  it('keeps unacknowledged rows through a disconnect and sends them again, oldest first, after reconnecting', async () => {
    await publisher.start();
    connection.connect();
    connection.pending[0]?.ack();
    await flush();
    connection.pending.splice(0, 1);
    connection.disconnect();
    await flush();
    expect(store.outbox.count()).toBe(5);
    expect(publisher.inFlight).toBe(0);

    connection.connect();
    expect(connection.pending.map((p) => p.seq)).toEqual([2, 3]);
    while (connection.pending.length > 0) {
      connection.pending.shift()?.ack();
      await flush();
    }
    expect(store.outbox.count()).toBe(0);
    expect(published.map((p) => p.seq)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('skips a row the payload check refuses, keeps it, and goes on with the next', async () => {
    const good = store.outbox.oldest(10);
    for (const row of good) store.outbox.deleteSent(row);
    const badId = store.outbox.enqueue({ topic: 'helpline/v1/test-site/stats', payload: '{"caller":"x"}', qos: 1, retain: false, createdAt: 0 }).id;
    for (const row of good) store.outbox.enqueue(row);
    const refusing = new OutboxPublisher({
      connection: {
        get connected() {
          return connection.connected;
        },
        on: (event, listener) => connection.on(event, listener),
        publish: (topic, payload) => connection.publish(topic, payload),
      },
      outbox: store.outbox,
      logger: silentLogger(),
      window: 1,
    });
    await refusing.start();
    connection.connect();
    await flush();
    expect(connection.pending.map((p) => p.seq)).toEqual([1]);
    expect(store.outbox.oldest(1)[0]?.id).toBe(badId);
    await refusing.stop();
  });
});

describe('OutboxRepository', () => {
  it('does not let a late PUBACK delete a newer message that reused the row id', () => {
    const store = new TempStore();
    try {
      const outbox = store.outbox;
      const first = { topic: 'helpline/v1/test-site/stats', payload: '{"seq":1}', qos: 1 as const, retain: false, createdAt: 0 };
      const { id } = outbox.enqueue(first);
      expect(outbox.deleteSent({ id, payload: first.payload })).toBe(true);
      const reused = outbox.enqueue({ ...first, payload: '{"seq":2}' }).id;
      expect(reused).toBe(id);
      expect(outbox.deleteSent({ id, payload: first.payload })).toBe(false);
      expect(outbox.count()).toBe(1);
    } finally {
      store.cleanup();
    }
  });
});
