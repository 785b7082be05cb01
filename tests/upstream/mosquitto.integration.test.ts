import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log/logger.js';
import { ManualClock } from '../../src/time/clock.js';
import { UpstreamService } from '../../src/upstream/upstream-service.js';
import { freePort, MosquittoProcess, Subscriber, TcpProxy } from './mqtt-harness.js';
import { HOUR, SITE, TempStore, testSettings } from './upstream-fixture.js';
import { waitFor } from '../support/wait-for.js';

const PERIOD_START = Date.parse('2025-06-02T08:00:00Z');
const FILTER = `helpline/v1/${SITE}/#`;

describe('upstream against real Mosquitto', () => {
  let dir: string;
  let mosquitto: MosquittoProcess;
  let proxy: TcpProxy;
  let store: TempStore;
  let clock: ManualClock;
  const services: UpstreamService[] = [];
  const subscribers: Subscriber[] = [];

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hgw-mosquitto-'));
    mosquitto = new MosquittoProcess(dir, await freePort());
    await mosquitto.start();
    proxy = new TcpProxy(mosquitto.port);
    await proxy.start();
    store = new TempStore();
    clock = new ManualClock(PERIOD_START + HOUR + 1);
  });

  afterEach(async () => {
    for (const service of services.splice(0)) await service.stop();
    for (const subscriber of subscribers.splice(0)) await subscriber.close();
    await proxy.stop();
    await mosquitto.stop();
    store.cleanup();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  function gateway(url: string, outboxMaxBytes?: number): UpstreamService {
    const { site: _site, ...stats } = testSettings;
    const service = new UpstreamService({
      database: store.db,
      clock,
      logger: silentLogger(),
      site: SITE,
      stats,
      outboxMaxBytes,
      mqtt: { url, firmware: '0.1.0', reconnectInitialMs: 50, reconnectMaxMs: 200, stopTimeoutMs: 2_000 },
    });
    services.push(service);
    return service;
  }

  /** The size of one stats message of testSettings (an empty period: every period here is). */
  async function statsMessageBytes(): Promise<number> {
    const probe = new TempStore();
    try {
      await probe.aggregator(new ManualClock(PERIOD_START + HOUR), randomUUID(), { firstPeriodFrom: PERIOD_START }).closeDuePeriods();
      return probe.outbox.waitingBytes();
    } finally {
      probe.cleanup();
    }
  }

  async function subscribe(): Promise<Subscriber> {
    const subscriber = await Subscriber.connect(mosquitto.url, FILTER);
    subscribers.push(subscriber);
    return subscriber;
  }

  it('delivers a closed period with QoS 1, deletes the outbox row after PUBACK and leaves a retained online status', async () => {
    store.register(PERIOD_START + 60_000, { channel: 'phone', topic: 'home', ageBand: '12-15' }, 6);
    const central = await subscribe();
    const service = gateway(mosquitto.url);
    await service.start();

    await waitFor(() => central.on('stats').length === 1 && store.outbox.count() === 0, 'stats delivered and outbox emptied');
    const [stats] = central.on('stats');
    expect(stats?.qos).toBe(1);
    expect(stats?.payload).toMatchObject({ schema: 'helpline.stats/2', site: SITE, session: service.session, seq: 1 });

    const late = await subscribe();
    await waitFor(() => late.on('status').length > 0, 'retained status');
    expect(late.on('status')[0]).toMatchObject({ retain: true, payload: { state: 'online', session: service.session, site: SITE } });
  });

  it('has the broker publish the Last Will offline, with the same session, when the connection dies uncleanly; then comes back online', async () => {
    const central = await subscribe();
    const service = gateway(proxy.url);
    await service.start();
    await waitFor(() => central.on('status').some((m) => m.payload['state'] === 'online'), 'online status');

    proxy.cut();
    await waitFor(() => central.on('status').some((m) => m.payload['state'] === 'offline'), 'Last Will');
    const will = central.on('status').find((m) => m.payload['state'] === 'offline');
    expect(will?.payload).toMatchObject({ schema: 'helpline.status/1', session: service.session, site: SITE, state: 'offline' });

    await waitFor(() => central.on('status').filter((m) => m.payload['state'] === 'online').length === 2, 'online again after reconnect');
    expect(central.on('status').at(-1)?.payload['session']).toBe(service.session);
  });

  it('keeps a period closed while the broker is down in the outbox and delivers it exactly once after mosquitto restarts', async () => {
    const service = gateway(proxy.url);
    await service.start();
    await waitFor(() => service.connection.connected, 'gateway connected');

    proxy.blocked = true;
    await mosquitto.stop();
    await waitFor(() => !service.connection.connected, 'gateway notices the broker is gone');

    store.register(PERIOD_START + HOUR + 10, { channel: 'chat', topic: 'love', ageBand: '16-18' }, 5);
    clock.advance(HOUR);
    expect(await service.aggregator.closeDuePeriods()).toBe(1);
    expect(store.outbox.count()).toBe(1);

    await mosquitto.start();
    const central = await subscribe();
    proxy.blocked = false;
    await waitFor(() => central.on('stats').length === 1 && store.outbox.count() === 0, 'delivery after restart');

    // A second period as a sentinel: the same client's QoS 1 messages arrive in order, so any
    // repeat of seq 1 would have come before seq 2.
    store.register(PERIOD_START + 2 * HOUR + 10, { channel: 'chat', topic: 'love', ageBand: '16-18' }, 5);
    clock.advance(HOUR);
    expect(await service.aggregator.closeDuePeriods()).toBe(1);
    await waitFor(() => central.on('stats').length >= 2 && store.outbox.count() === 0, 'sentinel delivered');
    expect(central.on('stats').map((m) => m.payload['seq'])).toEqual([1, 2]);
  });

  it('while the broker is down for a while: fills the capped outbox, reconnects within the backoff bound after the restart, sends its birth with the outbox report, then replays in order', async () => {
    const oneMessage = await statsMessageBytes();
    store.register(PERIOD_START + HOUR + 10, { channel: 'chat', topic: 'love', ageBand: '16-18' }, 5);
    const service = gateway(proxy.url, Math.floor(oneMessage * 3.5));
    await service.start();
    await waitFor(() => service.connection.connected, 'gateway connected');

    proxy.blocked = true;
    await mosquitto.stop();
    await waitFor(() => !service.connection.connected, 'gateway notices the broker is gone');
    clock.advance(5 * HOUR);
    // The running box closes at most 4 periods per turn while catching up.
    expect(await service.aggregator.closeDuePeriods()).toBe(4);
    expect(await service.aggregator.closeDuePeriods()).toBe(1);
    expect(store.outbox.droppedReport()).toEqual({ count: 2, seqRanges: [[1, 2]] });
    // Backoff bounded by reconnectMaxMs (200 ms, ±20 % jitter): eight more attempts take under 2 s;
    // doubling without the bound (from 50 ms) would take over 25 s.
    const attempts = proxy.accepted;
    await waitFor(() => proxy.accepted >= attempts + 8, 'eight more attempts while the broker is down', 5_000);

    await mosquitto.start();
    const central = await subscribe();
    const reopened = Date.now();
    proxy.blocked = false;
    await waitFor(() => service.connection.connected, 'reconnected');
    expect(Date.now() - reopened).toBeLessThan(3_000);
    await waitFor(() => central.on('stats').length === 3 && store.outbox.count() === 0, 'replay delivered');

    const kinds = central.messages.map((message) => message.topic.split('/').at(-1));
    expect(kinds).toEqual(['status', 'birth', 'stats', 'stats', 'stats']);
    expect(central.on('birth')[0]).toMatchObject({ qos: 1, retain: false });
    expect(central.on('birth')[0]?.payload).toMatchObject({
      schema: 'helpline.birth/1',
      session: service.session,
      outbox: { waiting: 3, firstWaitingSeq: 3, lastSeq: 5, dropped: { count: 2, seqRanges: [[1, 2]] } },
    });
    expect(central.on('stats').map((message) => message.payload['seq'])).toEqual([3, 4, 5]);
    expect(store.outbox.droppedReport()).toEqual({ count: 0, seqRanges: [] });
  });

  it('publishes a retained offline status on a planned stop', async () => {
    const service = gateway(mosquitto.url);
    await service.start();
    await waitFor(() => service.connection.connected, 'gateway connected');
    await service.stop();

    const late = await subscribe();
    await waitFor(() => late.on('status').length > 0, 'retained status');
    expect(late.on('status')[0]).toMatchObject({ retain: true, payload: { state: 'offline', session: service.session } });
  });
});
