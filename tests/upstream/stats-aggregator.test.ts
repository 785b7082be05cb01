import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/time/clock.js';
import { validateOutgoing, type StatsCell, type StatsMessage } from '../../src/upstream/topics.js';
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

function cell(message: StatsMessage, channel: string, topic: string, ageBand: string): StatsCell | undefined {
  return message.cells.find((c) => c.channel === channel && c.topic === topic && c.ageBand === ageBand);
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

  it('publishes a cell for every channel × topic × age band, zeros included, with other for unlisted values', () => {
    store.register(PERIOD_START + 60_000, { channel: 'chat', topic: 'bullying', ageBand: '12-15' }, 6);
    const clock = new ManualClock(PERIOD_START + HOUR);
    expect(store.aggregator(clock, session).closeDuePeriods()).toBe(1);

    const [message] = statsMessages(store);
    if (!message) throw new Error('no message');
    // 3 channels × (3 topics + other) × (3 age bands + other)
    expect(message.cells).toHaveLength(3 * 4 * 4);
    for (const channel of ['phone', 'chat', 'mail']) {
      for (const topic of ['bullying', 'home', 'love', 'other']) {
        for (const ageBand of ['0-11', '12-15', '16-18', 'other']) {
          expect(cell(message, channel, topic, ageBand), `${channel}/${topic}/${ageBand}`).toBeDefined();
        }
      }
    }
    expect(cell(message, 'chat', 'bullying', '12-15')).toMatchObject({ count: 6, suppressed: false });
    expect(cell(message, 'phone', 'home', '0-11')).toEqual({ channel: 'phone', topic: 'home', ageBand: '0-11', count: 0, suppressed: false });
    expect(message).toMatchObject({
      schema: 'helpline.stats/1',
      site: SITE,
      session,
      seq: 1,
      threshold: 5,
      period: { start: '2025-06-02T10:00:00+02:00', end: '2025-06-02T11:00:00+02:00', length: 'hour' },
    });
  });

  it('suppresses a count of 2 under threshold 5 as null, and publishes 5 and 0 as they are', () => {
    store.register(PERIOD_START + 1, { channel: 'phone', topic: 'home', ageBand: '16-18' }, 2);
    store.register(PERIOD_START + 2, { channel: 'mail', topic: 'love', ageBand: '0-11' }, 5);
    store.aggregator(new ManualClock(PERIOD_START + HOUR), session).closeDuePeriods();
    const [message] = statsMessages(store);
    if (!message) throw new Error('no message');
    expect(cell(message, 'phone', 'home', '16-18')).toEqual({ channel: 'phone', topic: 'home', ageBand: '16-18', count: null, suppressed: true });
    expect(cell(message, 'mail', 'love', '0-11')).toMatchObject({ count: 5, suppressed: false });
    expect(message.cells.filter((c) => c.suppressed)).toHaveLength(1);
    // No totals anywhere that would give the suppressed 2 back by subtraction.
    expect(Object.keys(message).sort()).toEqual(['cells', 'period', 'schema', 'seq', 'session', 'site', 'threshold']);
  });

  it('counts a topic and an age band outside the configured lists under other', () => {
    store.register(PERIOD_START + 10, { channel: 'phone', topic: 'not-in-list', ageBand: '99-100' }, 7);
    store.aggregator(new ManualClock(PERIOD_START + HOUR), session).closeDuePeriods();
    const [message] = statsMessages(store);
    if (!message) throw new Error('no message');
    expect(cell(message, 'phone', 'other', 'other')).toMatchObject({ count: 7 });
    expect(JSON.stringify(message)).not.toContain('not-in-list');
  });

  it('counts only registrations inside [start, end) and leaves the running period open', () => {
    store.register(PERIOD_START - 1, { channel: 'chat', topic: 'love', ageBand: '0-11' }, 5);
    store.register(PERIOD_START, { channel: 'chat', topic: 'love', ageBand: '12-15' }, 5);
    store.register(PERIOD_START + HOUR, { channel: 'chat', topic: 'love', ageBand: '16-18' }, 5);
    const aggregator = store.aggregator(new ManualClock(PERIOD_START + HOUR + 30 * 60_000), session, { firstPeriodFrom: PERIOD_START });
    expect(aggregator.closeDuePeriods()).toBe(1);
    const [message] = statsMessages(store);
    if (!message) throw new Error('no message');
    expect(cell(message, 'chat', 'love', '0-11')?.count).toBe(0);
    expect(cell(message, 'chat', 'love', '12-15')?.count).toBe(5);
    expect(cell(message, 'chat', 'love', '16-18')?.count).toBe(0);
  });

  it('closes a period only once: a second run adds no outbox row', () => {
    store.register(PERIOD_START + 5, { channel: 'phone', topic: 'home', ageBand: '0-11' });
    const aggregator = store.aggregator(new ManualClock(PERIOD_START + HOUR + 1), session);
    expect(aggregator.closeDuePeriods()).toBe(1);
    expect(aggregator.closeDuePeriods()).toBe(0);
    expect(store.outbox.count()).toBe(1);
  });

  it('catches up after the box was off for 3 periods: 3 messages in order with consecutive seq', () => {
    const clock = new ManualClock(PERIOD_START + HOUR);
    store.register(PERIOD_START + 5, { channel: 'phone', topic: 'home', ageBand: '0-11' });
    const aggregator = store.aggregator(clock, session);
    expect(aggregator.closeDuePeriods()).toBe(1);

    clock.advance(3 * HOUR);
    expect(aggregator.closeDuePeriods()).toBe(3);
    const messages = statsMessages(store);
    expect(messages.map((m) => m.seq)).toEqual([1, 2, 3, 4]);
    expect(messages.map((m) => m.period.start)).toEqual([
      '2025-06-02T10:00:00+02:00',
      '2025-06-02T11:00:00+02:00',
      '2025-06-02T12:00:00+02:00',
      '2025-06-02T13:00:00+02:00',
    ]);
  });

  it('starts from the configured first period when there are no registrations yet', () => {
    const aggregator = store.aggregator(new ManualClock(PERIOD_START + 2 * HOUR), session, { firstPeriodFrom: PERIOD_START });
    expect(aggregator.closeDuePeriods()).toBe(2);
    expect(statsMessages(store).every((m) => m.cells.every((c) => c.count === 0))).toBe(true);
  });

  it('closes nothing without registrations or a configured start', () => {
    expect(store.aggregator(new ManualClock(PERIOD_START + 10 * HOUR), session).closeDuePeriods()).toBe(0);
  });

  it('waits closeDelayMs after the end before closing, for late wrap-ups', () => {
    store.register(PERIOD_START + 5, { channel: 'phone', topic: 'home', ageBand: '0-11' });
    const clock = new ManualClock(PERIOD_START + HOUR + 60_000);
    const aggregator = store.aggregator(clock, session, { closeDelayMs: 5 * 60_000 });
    expect(aggregator.closeDuePeriods()).toBe(0);
    clock.advance(4 * 60_000);
    expect(aggregator.closeDuePeriods()).toBe(1);
  });

  it('continues the sequence number after the database is reopened, under a new session', () => {
    const clock = new ManualClock(PERIOD_START + HOUR);
    store.register(PERIOD_START + 5, { channel: 'phone', topic: 'home', ageBand: '0-11' });
    store.aggregator(clock, session).closeDuePeriods();
    store.reopen();

    const secondSession = randomUUID();
    clock.advance(2 * HOUR);
    expect(store.aggregator(clock, secondSession).closeDuePeriods()).toBe(2);
    const messages = statsMessages(store);
    expect(messages.map((m) => [m.seq, m.session])).toEqual([
      [1, session],
      [2, secondSession],
      [3, secondSession],
    ]);
  });

  it('never reuses a sequence number even after the outbox was emptied by PUBACKs', () => {
    const clock = new ManualClock(PERIOD_START + HOUR);
    store.register(PERIOD_START + 5, { channel: 'phone', topic: 'home', ageBand: '0-11' });
    const aggregator = store.aggregator(clock, session);
    aggregator.closeDuePeriods();
    for (const row of store.outbox.oldest(10)) store.outbox.deleteSent(row);
    clock.advance(HOUR);
    aggregator.closeDuePeriods();
    expect(statsMessages(store).map((m) => m.seq)).toEqual([2]);
  });

  it('closes a 23-hour DST day as one period', () => {
    const dstDay = Date.parse('2025-03-29T23:00:00Z');
    store.register(dstDay + 22 * HOUR + 30 * 60_000, { channel: 'chat', topic: 'love', ageBand: '12-15' }, 5);
    const aggregator = store.aggregator(new ManualClock(Date.parse('2025-03-30T22:00:00Z')), session, { periodLength: 'day' });
    expect(aggregator.closeDuePeriods()).toBe(1);
    const [message] = statsMessages(store);
    expect(message?.period).toEqual({ start: '2025-03-30T00:00:00+01:00', end: '2025-03-31T00:00:00+02:00', length: 'day' });
    expect(message && cell(message, 'chat', 'love', '12-15')?.count).toBe(5);
  });

  it('refuses a category that is not a short code, so free text cannot reach a payload', () => {
    expect(() => store.aggregator(new ManualClock(0), session, { categories: { topics: ['call me on 0612345678'], ageBands: ['0-11'] } })).toThrow(TypeError);
  });
});
