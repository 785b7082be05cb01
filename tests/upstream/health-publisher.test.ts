import { describe, expect, it } from 'vitest';
import type { HealthReport } from '../../src/health/index.js';
import { silentLogger } from '../../src/log/logger.js';
import { ManualScheduler } from '../../src/time/scheduler.js';
import { HEALTH_INTERVAL_MS, HealthPublisher, healthMessageOf, validateOutgoing, type PublishOptions } from '../../src/upstream/index.js';
import { healthTopic } from '../../src/upstream/topics.js';

const SESSION = '3f1c9a52-8d0e-4b7a-9c61-2e5f0b7d4a18';

function report(overrides: Partial<HealthReport> = {}): HealthReport {
  return {
    at: '2026-03-02T09:15:00.000Z',
    firmware: '0.2.0',
    node: 'v20.19.4',
    schemas: { database: 8, upstream: {} },
    startedAt: '2026-02-27T05:12:40.000Z',
    uptimeSeconds: 273_140,
    disk: { freeBytes: 88_080_384, totalBytes: 31_270_952_960 },
    queues: { outbox: 3, chatQueue: 1, mailsUndelivered: 0, contactsLive: 2 },
    retention: { lastRunAt: '2026-03-02T09:00:00.000Z', outcome: 'ok' },
    incidents: { open: 1 },
    faults: ['HGW_DISK_FULL'],
    intake: 'stopped',
    maintenance: { active: false, until: null },
    panel: { kind: 'firmata', connection: 'connected', leds: { ready: 'on', line: 'on', upstream: 'on', fault: 'on' } },
    ...overrides,
  };
}

/** A connection as the publisher sees it: connected or not, with every publish recorded. */
function fakeConnection() {
  const listeners = new Set<() => void>();
  const published: { topic: string; payload: string; options: PublishOptions }[] = [];
  const connection = {
    connected: false,
    on: (_event: 'connected' | 'disconnected', listener: () => void) => (listeners.add(listener), () => listeners.delete(listener)),
    publish: (topic: string, payload: string, options: PublishOptions) => {
      published.push({ topic, payload, options });
      return Promise.resolve(validateOutgoing(topic, payload));
    },
    connect: () => {
      connection.connected = true;
      listeners.forEach((listener) => listener());
    },
  };
  return { connection, published };
}

describe('the health message', () => {
  it('carries the report in MiB and minutes, and nothing of the LEDs or contacts in progress', () => {
    const message = healthMessageOf(report({ update: { committed: '0.2.0', trial: '0.3.0' } }), 'utrecht-1', SESSION);
    expect(message).toEqual({
      schema: 'helpline.health/1',
      site: 'utrecht-1',
      session: SESSION,
      at: '2026-03-02T09:15:00.000Z',
      firmware: '0.2.0',
      node: 'v20.19.4',
      databaseSchema: 8,
      uptimeMinutes: 4552,
      disk: { freeMiB: 84, totalMiB: 29822 },
      queues: { outbox: 3, chatQueue: 1, mailsUndelivered: 0 },
      retention: { lastRunAt: '2026-03-02T09:00:00.000Z', outcome: 'ok' },
      incidentsOpen: 1,
      faults: ['HGW_DISK_FULL'],
      intakeStopped: true,
      maintenance: false,
      panel: 'connected',
      update: { committed: '0.2.0', trial: '0.3.0' },
    });
    expect(() => validateOutgoing(healthTopic('utrecht-1'), JSON.stringify(message))).not.toThrow();
  });

  it('is refused with an extra field, an unknown fault code or a negative count', () => {
    const valid = healthMessageOf(report(), 'utrecht-1', SESSION);
    const refused = (message: unknown): boolean => {
      try {
        validateOutgoing(healthTopic('utrecht-1'), JSON.stringify(message));
        return false;
      } catch (error) {
        return (error as { code?: string }).code === 'HGW_UPSTREAM_PAYLOAD';
      }
    };
    expect(refused(valid)).toBe(false);
    expect(refused({ ...valid, lastCaller: 'x' })).toBe(true);
    expect(refused({ ...valid, faults: ['HGW_SOMETHING_ELSE'] })).toBe(true);
    expect(refused({ ...valid, queues: { ...valid.queues, outbox: -1 } })).toBe(true);
    expect(refused({ ...valid, site: 'another-site' })).toBe(true);
  });
});

describe('HealthPublisher', () => {
  it('publishes retained at QoS 1 on connect and every 15 minutes, never while offline, and on request', async () => {
    const scheduler = new ManualScheduler(0);
    const { connection, published } = fakeConnection();
    const publisher = new HealthPublisher({ connection, site: 'utrecht-1', session: SESSION, report: () => report(), scheduler, logger: silentLogger() });
    publisher.start();
    scheduler.advance(HEALTH_INTERVAL_MS);
    expect(published).toEqual([]);
    expect(await publisher.publish()).toBe(false);
    connection.connect();
    expect(published).toHaveLength(1);
    expect(published[0]).toMatchObject({ topic: 'helpline/v1/utrecht-1/health', options: { qos: 1, retain: true } });
    expect(JSON.parse(published[0]?.payload ?? '{}')).toMatchObject({ schema: 'helpline.health/1', faults: ['HGW_DISK_FULL'] });
    scheduler.advance(HEALTH_INTERVAL_MS);
    expect(published).toHaveLength(2);
    expect(await publisher.publish()).toBe(true);
    expect(published).toHaveLength(3);
    publisher.stop();
    expect(scheduler.pending).toBe(0);
  });
});
