import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IncidentPeriodCounts } from '../../src/incidents/incident-register.js';
import { silentLogger } from '../../src/log/logger.js';
import { ManualClock } from '../../src/time/clock.js';
import type { Period } from '../../src/upstream/index.js';
import { UpstreamService } from '../../src/upstream/upstream-service.js';
import { freePort } from '../upstream/mqtt-harness.js';
import { HOUR, SITE, TempStore, testSettings } from '../upstream/upstream-fixture.js';
import { CollectorDatabase, PersistentMosquitto, TestCollector } from './collector-harness.js';
import { PostgresProcess } from './postgres-harness.js';
import { waitFor } from '../support/wait-for.js';

const PERIOD_START = Date.parse('2025-06-02T08:00:00Z');
const WEEK_OF_HOURS = 7 * 24;

/** A login burst every sixth hour, so the incident messages are not all alike. */
const incidents = {
  countsForPeriod(period: Period): IncidentPeriodCounts {
    const burst = Math.floor(period.start / HOUR) % 6 === 0 ? 1 : 0;
    return {
      detectedByKind: { 'login-burst': burst, 'integrity-failure': 0, 'keyring-permissions': 0, tamper: 0, 'break-glass-disclosure': 0, 'data-breach': 0, other: 0 },
      detectedBySeverity: { low: 0, medium: burst, high: 0, critical: 0 },
      open: burst,
      overdueUnreported: 0,
    };
  },
};

describe('a week without the broker', () => {
  let postgres: PostgresProcess;

  beforeAll(async () => {
    postgres = await PostgresProcess.create();
  });

  afterAll(async () => {
    await postgres.destroy();
  });

  it('the box keeps closing hourly periods in its outbox; after the broker returns the collector has every message exactly once, in seq order, with no gaps', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hgw-week-'));
    const mosquitto = new PersistentMosquitto(dir, await freePort());
    await mosquitto.start();
    const dbUrl = await postgres.newDatabase();
    const database = new CollectorDatabase(dbUrl);
    const store = new TempStore();
    const clock = new ManualClock(PERIOD_START + HOUR + 1);
    for (let hour = 0; hour <= WEEK_OF_HOURS; hour += 1) {
      const at = PERIOD_START + hour * HOUR + 60_000;
      store.register(at, { channel: 'phone', topic: 'home', ageBand: '12-15' }, 5 + (hour % 4));
      // 0, 5 or 10: nothing below the threshold, so every total is published and can be checked.
      store.register(at, { channel: 'chat', topic: 'love', ageBand: '16-18' }, (hour % 3) * 5);
    }
    const collector = new TestCollector({ brokerUrl: mosquitto.url, dbUrl, clientId: 'collector-week' });
    const { site: _site, ...stats } = testSettings;
    const box = new UpstreamService({
      database: store.db,
      clock,
      logger: silentLogger(),
      site: SITE,
      stats,
      incidents,
      mqtt: { url: mosquitto.url, firmware: '0.1.0', reconnectInitialMs: 50, reconnectMaxMs: 200, stopTimeoutMs: 1_000 },
    });
    try {
      await collector.start();
      await box.start();
      await waitFor(() => store.outbox.count() === 0 && box.connection.connected, 'first period delivered');
      await waitFor(() => collector.collector.counts.stored === 2, 'first period stored');

      await mosquitto.stop();
      await waitFor(() => !box.connection.connected && collector.collector.health().broker === 'down', 'both notice the broker is gone');
      for (let hour = 0; hour < WEEK_OF_HOURS; hour += 1) {
        clock.advance(HOUR);
        await box.aggregator.closeDuePeriods();
      }
      expect(store.outbox.count()).toBe(2 * WEEK_OF_HOURS);

      await mosquitto.start();
      const total = 2 + 2 * WEEK_OF_HOURS;
      await waitFor(() => store.outbox.count() === 0, 'outbox emptied', 20_000);
      await waitFor(() => collector.collector.counts.stored === total, 'every message stored', 20_000);

      const expected = Array.from({ length: total }, (_, i) => i + 1);
      expect(await database.seqs(SITE)).toEqual(expected);
      expect(await database.arrivalOrder(SITE)).toEqual(expected);
      expect(await database.openGaps()).toEqual([]);
      expect(await database.site(SITE)).toMatchObject({ messages: String(total), conflicts: '0', quarantined: '0', late_arrivals: '0', highest_seq: String(total) });
      expect(collector.collector.counts).toMatchObject({ gapsOpened: 0, quarantined: 0, conflict: 0 });
      // At least once: a broker stopped before it read the collector's last PUBACKs keeps those
      // messages in the session and sends them again after its restart. Only seqs 1 and 2 were
      // ever delivered before the stop; each repeat was counted and dropped.
      const site = await database.site(SITE);
      expect(Number(site?.['duplicates'])).toBe(collector.collector.counts.duplicate);
      expect(collector.collector.counts.duplicate).toBeLessThanOrEqual(2);

      // What the collector holds is what the box published, message for message.
      const published = store.db.all<{ seq: number; payload: string }>('SELECT seq, payload FROM published_stats ORDER BY seq', []);
      expect(published).toHaveLength(WEEK_OF_HOURS + 1);
      const stored = await database.query<{ seq: string; payload: unknown }>(`SELECT seq, payload FROM messages WHERE kind = 'stats' ORDER BY seq`);
      expect(stored.map((row) => ({ seq: Number(row.seq), payload: row.payload }))).toEqual(published.map((row) => ({ seq: Number(row.seq), payload: JSON.parse(row.payload) })));
      // The week's phone registrations, summed from the expanded margins, match what was registered.
      const [phone] = await database.query<{ total: string }>(`SELECT sum(count) AS total FROM stats_margins WHERE margin = 'channel' AND channel = 'phone'`);
      const registered = Array.from({ length: WEEK_OF_HOURS + 1 }, (_, hour) => 5 + (hour % 4)).reduce((a, b) => a + b, 0);
      expect(Number(phone?.total)).toBe(registered);
      const [bursts] = await database.query<{ total: string }>(`SELECT sum(count) AS total FROM incident_counts WHERE dimension = 'kind' AND category = 'login-burst'`);
      expect(Number(bursts?.total)).toBe(Array.from({ length: WEEK_OF_HOURS + 1 }, (_, hour) => (Math.floor((PERIOD_START + hour * HOUR) / HOUR) % 6 === 0 ? 1 : 0)).reduce((a: number, b) => a + b, 0));
      const [status] = await database.query<{ status_state: string; status_session: string }>('SELECT status_state, status_session FROM sites WHERE site = $1', [SITE]);
      expect(status).toEqual({ status_state: 'online', status_session: box.session });
    } finally {
      await box.stop();
      await collector.stop();
      await database.close();
      await mosquitto.stop();
      store.cleanup();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
