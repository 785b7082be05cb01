import { randomUUID } from 'node:crypto';
import { createServer, type AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log/logger.js';
import { ManualClock } from '../../src/time/clock.js';
import { EmbeddedBroker, type BrokerPublish } from '../../src/upstream/embedded-broker.js';
import type { PublishedMessage } from '../../src/upstream/outbox-publisher.js';
import { UpstreamConnection } from '../../src/upstream/mqtt-connection.js';
import { UpstreamService } from '../../src/upstream/upstream-service.js';
import { Subscriber } from './mqtt-harness.js';
import { HOUR, SITE, TempStore, testSettings } from './upstream-fixture.js';
import { waitFor } from '../support/wait-for.js';

const PERIOD_START = Date.parse('2025-06-02T08:00:00Z');

describe('upstream against the embedded aedes broker', () => {
  let broker: EmbeddedBroker;
  let store: TempStore;
  let service: UpstreamService;
  let seen: BrokerPublish[];

  beforeEach(async () => {
    broker = new EmbeddedBroker({ port: 0, logger: silentLogger() });
    await broker.start();
    seen = [];
    broker.onPublish((message) => seen.push(message));
    store = new TempStore();
    const { site: _site, ...stats } = testSettings;
    service = new UpstreamService({
      database: store.db,
      clock: new ManualClock(PERIOD_START + 3 * HOUR + 1),
      logger: silentLogger(),
      site: SITE,
      stats: { ...stats, firstPeriodFrom: PERIOD_START },
      mqtt: { url: broker.url, firmware: '0.1.0', reconnectInitialMs: 50, reconnectMaxMs: 200 },
      newSessionId: randomUUID,
    });
  });

  afterEach(async () => {
    await service.stop();
    await broker.stop();
    store.cleanup();
  });

  it('receives the online status and the caught-up periods in order, and the outbox empties', async () => {
    const published: PublishedMessage[] = [];
    service.onPublished((message) => published.push(message));
    await service.start();

    await waitFor(() => published.length === 3 && store.outbox.count() === 0, 'three periods published');
    expect(published).toEqual([1, 2, 3].map((seq) => ({ topic: `helpline/v1/${SITE}/stats`, seq })));
    const status = seen.find((m) => m.topic.endsWith('/status'));
    expect(status?.retain).toBe(true);
    expect(JSON.parse(status?.payload ?? '{}')).toMatchObject({ state: 'online', session: service.session });
    const stats = seen.filter((m) => m.topic.endsWith('/stats')).map((m) => JSON.parse(m.payload) as { seq: number });
    expect(stats.map((m) => m.seq)).toEqual([1, 2, 3]);
  });

  it('keeps the retained offline status after a planned stop', async () => {
    await service.start();
    await waitFor(() => service.connection.connected, 'connected');
    await service.stop();
    expect(seen.filter((m) => m.topic.endsWith('/status')).map((m) => JSON.parse(m.payload).state)).toEqual(['online', 'offline']);

    const late = await Subscriber.connect(broker.url, `helpline/v1/${SITE}/status`);
    try {
      await waitFor(() => late.messages.length > 0, 'retained status');
      expect(late.messages[0]?.payload).toMatchObject({ state: 'offline', session: service.session });
    } finally {
      await late.close();
    }
  });

  it('keeps retrying a dropped connection attempt with backoff and connects once a broker listens', async () => {
    // A port that accepts and hangs up at once, counting the attempts: no broker there yet.
    let attempts = 0;
    const refusing = createServer((socket) => {
      attempts += 1;
      socket.destroy();
    });
    await new Promise<void>((resolve) => refusing.listen(0, '127.0.0.1', resolve));
    const port = (refusing.address() as AddressInfo).port;
    const connection = new UpstreamConnection(
      { url: `mqtt://127.0.0.1:${port}`, site: SITE, session: randomUUID(), firmware: '0.1.0', reconnectInitialMs: 20, reconnectMaxMs: 100 },
      new ManualClock(PERIOD_START),
      silentLogger(),
    );
    const late = new EmbeddedBroker({ port, logger: silentLogger() });
    let connects = 0;
    connection.on('connected', () => {
      connects += 1;
    });
    try {
      await connection.start();
      await waitFor(() => attempts >= 3, 'three connection attempts');
      expect(connection.connected).toBe(false);
      await new Promise<void>((resolve) => refusing.close(() => resolve()));
      await late.start();
      await waitFor(() => connection.connected, 'connected after the broker appeared');
      expect(connects).toBe(1);
    } finally {
      await connection.stop();
      await late.stop();
    }
  });
});
