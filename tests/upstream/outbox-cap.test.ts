import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StatsRepository } from '../../src/store/stats-repository.js';
import { ManualClock } from '../../src/time/clock.js';
import { captureLogger } from '../store/fixtures/temp-directory.js';
import { HOUR, TempStore } from './upstream-fixture.js';

const PERIOD_START = Date.parse('2025-06-02T08:00:00Z');

/** The closing side of the cap: what the aggregator does when the outbox is full. */
describe('the outbox byte cap when periods close', () => {
  let store: TempStore;

  beforeEach(() => {
    store = new TempStore();
  });

  afterEach(() => store.cleanup());

  async function statsBytes(): Promise<number> {
    const clock = new ManualClock(PERIOD_START + HOUR);
    const probe = new TempStore();
    try {
      await probe.aggregator(clock, randomUUID(), { firstPeriodFrom: PERIOD_START }).closeDuePeriods();
      return probe.outbox.waitingBytes();
    } finally {
      probe.cleanup();
    }
  }

  it('keeps closing periods while offline, dropping the oldest messages and logging counts only', async () => {
    const oneMessage = await statsBytes();
    const { logger, lines } = captureLogger();
    const clock = new ManualClock(PERIOD_START + 10 * HOUR);
    const aggregator = store.aggregator(clock, randomUUID(), { firstPeriodFrom: PERIOD_START }, { outboxMaxBytes: Math.floor(oneMessage * 4.5), logger });

    expect(await aggregator.closeDuePeriods()).toBe(10);
    const outbox = store.outbox;
    expect(outbox.oldest(10).map((row) => JSON.parse(row.payload).seq)).toEqual([7, 8, 9, 10]);
    expect(outbox.droppedReport()).toEqual({ count: 6, seqRanges: [[1, 6]] });
    // The box's own copy of every period is kept whatever the outbox dropped.
    expect(store.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM published_stats', [])?.n).toBe(10);

    const warnings = lines.filter((line) => line['msg'] === 'outbox full: oldest messages dropped');
    expect(warnings).toHaveLength(6);
    for (const warning of warnings) {
      expect(Object.keys(warning).sort()).toEqual(['component', 'dropped', 'droppedBytes', 'level', 'maxBytes', 'msg', 'time']);
    }
  });

  it('refuses a period whose message alone is larger than the cap: it stays open, nothing is dropped, and it closes once the cap allows', async () => {
    const oneMessage = await statsBytes();
    const clock = new ManualClock(PERIOD_START + 2 * HOUR);
    const session = randomUUID();
    const small = store.aggregator(clock, session, { firstPeriodFrom: PERIOD_START }, { outboxMaxBytes: oneMessage - 1 });

    await expect(small.closeDuePeriods()).rejects.toMatchObject({ code: 'HGW_UPSTREAM_TOO_LARGE' });
    const stats = new StatsRepository(store.db);
    expect(stats.isClosed(PERIOD_START)).toBe(false);
    expect(store.outbox.count()).toBe(0);
    expect(store.outbox.lastSequenceNumber()).toBe(0);
    expect(store.outbox.droppedReport().count).toBe(0);

    const raised = store.aggregator(clock, session, { firstPeriodFrom: PERIOD_START }, { outboxMaxBytes: oneMessage * 2 });
    expect(await raised.closeDuePeriods()).toBe(2);
    expect(store.outbox.oldest(10).map((row) => JSON.parse(row.payload).seq)).toEqual([1, 2]);
  });
});
