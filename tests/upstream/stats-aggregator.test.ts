import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/time/clock.js';
import { countAt, STATS_MARGIN_GROUPS, type StatsMessage } from '../../src/upstream/stats-message.js';
import { validateOutgoing } from '../../src/upstream/topics.js';
import { HOUR, SITE, TempStore } from './upstream-fixture.js';

// 10:00-11:00 in Amsterdam (CEST) on 2 June 2025.
const PERIOD_START = Date.parse('2025-06-02T08:00:00Z');

function statsMessages(store: TempStore): StatsMessage[] {
  return store.outbox.oldest(100).map((row) => {
    expect(row.topic).toBe(`helpline/v1/${SITE}/stats`);
    expect(row.qos).toBe(1);
    return validateOutgoing(row.topic, row.payload) as StatsMessage;
  });
}

/** A cell's published count (null: suppressed), outcome 'advice' unless given. */
function cell(message: StatsMessage, channel: string, topic: string, ageBand: string, outcome = 'advice'): number | null | undefined {
  return countAt(message, ['channel', 'topic', 'ageBand', 'outcome'], { channel, topic, ageBand, outcome });
}

describe('StatsAggregator', () => {
  let store: TempStore;
  const session = randomUUID();

  beforeEach(() => {
    store = new TempStore();
  });

  afterEach(() => {
    store.cleanup();
  });

  it('publishes a cell for every channel × topic × age band × outcome, zeros included, with other for unlisted values', async () => {
    store.register(PERIOD_START + 60_000, { channel: 'chat', topic: 'bullying', ageBand: '12-15' }, 6);
    const clock = new ManualClock(PERIOD_START + HOUR);
    expect(await store.aggregator(clock, session).closeDuePeriods()).toBe(1);

    const [message] = statsMessages(store);
    if (!message) throw new Error('no message');
    expect(message.dimensions).toEqual({
      channel: ['phone', 'chat', 'mail'],
      topic: ['bullying', 'home', 'love', 'other'],
      ageBand: ['0-11', '12-15', '16-18', 'other'],
      outcome: ['advice', 'referred', 'other'],
    });
    // 3 channels × (3 topics + other) × (3 age bands + other) × (2 outcomes + other)
    expect(message.cells).toHaveLength(3 * 4 * 4 * 3);
    expect(cell(message, 'chat', 'bullying', '12-15')).toBe(6);
    expect(cell(message, 'phone', 'home', '0-11')).toBe(0);
    expect(message.cells.filter((count) => count !== 0)).toEqual([6]);
    expect(message.margins.map((margin) => margin.by)).toEqual(STATS_MARGIN_GROUPS);
    expect(countAt(message, [], {})).toBe(6);
    expect(countAt(message, ['channel'], { channel: 'chat' })).toBe(6);
    expect(countAt(message, ['topic', 'ageBand'], { topic: 'bullying', ageBand: '12-15' })).toBe(6);
    expect(message).toMatchObject({
      schema: 'helpline.stats/2',
      site: SITE,
      session,
      seq: 1,
      disclosure: { threshold: 5, contributionCap: 3, secondarySuppression: 'interval-audit', protectionWidth: 2, noise: null },
      withheld: null,
      period: { start: '2025-06-02T10:00:00+02:00', end: '2025-06-02T11:00:00+02:00', length: 'hour' },
    });
  });

  it('suppresses a count of 2 under threshold 5 as null, publishes 0 as it is, and keeps the 2 from being worked back from the totals', async () => {
    store.register(PERIOD_START + 1, { channel: 'phone', topic: 'home', ageBand: '16-18' }, 2);
    store.register(PERIOD_START + 2, { channel: 'mail', topic: 'love', ageBand: '0-11' }, 5);
    await store.aggregator(new ManualClock(PERIOD_START + HOUR), session).closeDuePeriods();
    const [message] = statsMessages(store);
    if (!message) throw new Error('no message');
    expect(cell(message, 'phone', 'home', '16-18')).toBeNull();
    // Every total the 2 is part of is small as well, so suppressed.
    expect(countAt(message, ['channel'], { channel: 'phone' })).toBeNull();
    expect(countAt(message, ['topic'], { topic: 'home' })).toBeNull();
    expect(countAt(message, ['channel', 'outcome'], { channel: 'phone', outcome: 'advice' })).toBeNull();
    // Grand total 7 minus the mail cell 5 would give the 2 back: one of them is suppressed too.
    const total = countAt(message, [], {});
    const mail = cell(message, 'mail', 'love', '0-11');
    expect(total === null || mail === null).toBe(true);
    expect(message.cells.filter((count) => count !== null && count !== 0)).toEqual(mail === null ? [] : [5]);
    expect(countAt(message, ['channel'], { channel: 'chat' })).toBe(0);
  });

  it('counts a topic and an age band outside the configured lists under other', async () => {
    store.register(PERIOD_START + 10, { channel: 'phone', topic: 'not-in-list', ageBand: '99-100' }, 7);
    await store.aggregator(new ManualClock(PERIOD_START + HOUR), session).closeDuePeriods();
    const [message] = statsMessages(store);
    if (!message) throw new Error('no message');
    expect(cell(message, 'phone', 'other', 'other')).toBe(7);
    expect(JSON.stringify(message)).not.toContain('not-in-list');
  });

  it('counts only registrations inside [start, end) and leaves the running period open', async () => {
    store.register(PERIOD_START - 1, { channel: 'chat', topic: 'love', ageBand: '0-11' }, 5);
    store.register(PERIOD_START, { channel: 'chat', topic: 'love', ageBand: '12-15' }, 5);
    store.register(PERIOD_START + HOUR, { channel: 'chat', topic: 'love', ageBand: '16-18' }, 5);
    const aggregator = store.aggregator(new ManualClock(PERIOD_START + HOUR + 30 * 60_000), session, { firstPeriodFrom: PERIOD_START });
    expect(await aggregator.closeDuePeriods()).toBe(1);
    const [message] = statsMessages(store);
    if (!message) throw new Error('no message');
    expect(cell(message, 'chat', 'love', '0-11')).toBe(0);
    expect(cell(message, 'chat', 'love', '12-15')).toBe(5);
    expect(cell(message, 'chat', 'love', '16-18')).toBe(0);
  });

  it('closes a period only once: a second run adds no outbox row', async () => {
    store.register(PERIOD_START + 5, { channel: 'phone', topic: 'home', ageBand: '0-11' });
    const aggregator = store.aggregator(new ManualClock(PERIOD_START + HOUR + 1), session);
    expect(await aggregator.closeDuePeriods()).toBe(1);
    expect(await aggregator.closeDuePeriods()).toBe(0);
    expect(store.outbox.count()).toBe(1);
  });

  it('catches up after the box was off for 3 periods: 3 messages in order with consecutive seq', async () => {
    const clock = new ManualClock(PERIOD_START + HOUR);
    store.register(PERIOD_START + 5, { channel: 'phone', topic: 'home', ageBand: '0-11' });
    const aggregator = store.aggregator(clock, session);
    expect(await aggregator.closeDuePeriods()).toBe(1);

    clock.advance(3 * HOUR);
    expect(await aggregator.closeDuePeriods()).toBe(3);
    const messages = statsMessages(store);
    expect(messages.map((m) => m.seq)).toEqual([1, 2, 3, 4]);
    expect(messages.map((m) => m.period.start)).toEqual([
      '2025-06-02T10:00:00+02:00',
      '2025-06-02T11:00:00+02:00',
      '2025-06-02T12:00:00+02:00',
      '2025-06-02T13:00:00+02:00',
    ]);
  });

  it('tells once that the clock went back behind the last closed period, closes nothing meanwhile, and tells again when it has passed', async () => {
    const clock = new ManualClock(PERIOD_START + 2 * HOUR);
    store.register(PERIOD_START + 5, { channel: 'phone', topic: 'home', ageBand: '0-11' });
    const aggregator = store.aggregator(clock, session);
    const told: boolean[] = [];
    aggregator.onClockBehind((behind) => told.push(behind));
    expect(await aggregator.closeDuePeriods()).toBe(2);
    expect(told).toEqual([]);

    clock.advance(-3 * HOUR);
    expect(await aggregator.closeDuePeriods()).toBe(0);
    clock.advance(HOUR);
    expect(await aggregator.closeDuePeriods()).toBe(0);
    expect(told).toEqual([true]);

    clock.advance(2 * HOUR);
    expect(await aggregator.closeDuePeriods()).toBe(0);
    expect(told).toEqual([true, false]);
    clock.advance(HOUR);
    expect(await aggregator.closeDuePeriods()).toBe(1);
    expect(statsMessages(store).map((m) => m.seq)).toEqual([1, 2, 3]);
  });

  it('starts from the configured first period when there are no registrations yet', async () => {
    const aggregator = store.aggregator(new ManualClock(PERIOD_START + 2 * HOUR), session, { firstPeriodFrom: PERIOD_START });
    expect(await aggregator.closeDuePeriods()).toBe(2);
    expect(statsMessages(store).every((m) => m.cells.every((count) => count === 0) && m.margins.every((margin) => margin.counts.every((count) => count === 0)))).toBe(true);
  });

  it('closes nothing without registrations or a configured start', async () => {
    expect(await store.aggregator(new ManualClock(PERIOD_START + 10 * HOUR), session).closeDuePeriods()).toBe(0);
  });

  it('waits closeDelayMs after the end before closing, for late wrap-ups', async () => {
    store.register(PERIOD_START + 5, { channel: 'phone', topic: 'home', ageBand: '0-11' });
    const clock = new ManualClock(PERIOD_START + HOUR + 60_000);
    const aggregator = store.aggregator(clock, session, { closeDelayMs: 5 * 60_000 });
    expect(await aggregator.closeDuePeriods()).toBe(0);
    clock.advance(4 * 60_000);
    expect(await aggregator.closeDuePeriods()).toBe(1);
  });

  it('continues the sequence number after the database is reopened, under a new session', async () => {
    const clock = new ManualClock(PERIOD_START + HOUR);
    store.register(PERIOD_START + 5, { channel: 'phone', topic: 'home', ageBand: '0-11' });
    await store.aggregator(clock, session).closeDuePeriods();
    store.reopen();

    const secondSession = randomUUID();
    clock.advance(2 * HOUR);
    expect(await store.aggregator(clock, secondSession).closeDuePeriods()).toBe(2);
    const messages = statsMessages(store);
    expect(messages.map((m) => [m.seq, m.session])).toEqual([
      [1, session],
      [2, secondSession],
      [3, secondSession],
    ]);
  });

  it('never reuses a sequence number even after the outbox was emptied by PUBACKs', async () => {
    const clock = new ManualClock(PERIOD_START + HOUR);
    store.register(PERIOD_START + 5, { channel: 'phone', topic: 'home', ageBand: '0-11' });
    const aggregator = store.aggregator(clock, session);
    await aggregator.closeDuePeriods();
    for (const row of store.outbox.oldest(10)) store.outbox.deleteSent(row);
    clock.advance(HOUR);
    await aggregator.closeDuePeriods();
    expect(statsMessages(store).map((m) => m.seq)).toEqual([2]);
  });

  it('closes a 23-hour DST day as one period', async () => {
    const dstDay = Date.parse('2025-03-29T23:00:00Z');
    store.register(dstDay + 22 * HOUR + 30 * 60_000, { channel: 'chat', topic: 'love', ageBand: '12-15' }, 5);
    const aggregator = store.aggregator(new ManualClock(Date.parse('2025-03-30T22:00:00Z')), session, { periodLength: 'day' });
    expect(await aggregator.closeDuePeriods()).toBe(1);
    const [message] = statsMessages(store);
    expect(message?.period).toEqual({ start: '2025-03-30T00:00:00+01:00', end: '2025-03-31T00:00:00+02:00', length: 'day' });
    expect(message && cell(message, 'chat', 'love', '12-15')).toBe(5);
  });

  it('keeps every message it enqueued, as enqueued, for the annual report', async () => {
    store.register(PERIOD_START + 5, { channel: 'phone', topic: 'home', ageBand: '0-11' }, 5);
    const clock = new ManualClock(PERIOD_START + 3 * HOUR);
    await store.aggregator(clock, session).closeDuePeriods();
    const kept = store.db.all<{ seq: number; period_start: number; period_end: number; payload: string }>('SELECT seq, period_start, period_end, payload FROM published_stats ORDER BY seq');
    expect(kept.map((row) => [row.seq, row.period_start, row.period_end])).toEqual([
      [1, PERIOD_START, PERIOD_START + HOUR],
      [2, PERIOD_START + HOUR, PERIOD_START + 2 * HOUR],
      [3, PERIOD_START + 2 * HOUR, PERIOD_START + 3 * HOUR],
    ]);
    expect(kept.map((row) => row.payload)).toEqual(store.outbox.oldest(10).map((row) => row.payload));
  });

  it('refuses a category that is not a short code, so free text cannot reach a payload', () => {
    expect(() => store.aggregator(new ManualClock(0), session, { categories: { topics: ['call me on 0612345678'], ageBands: ['0-11'], outcomes: ['advice'] } })).toThrow(TypeError);
  });
});
