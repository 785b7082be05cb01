import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log/logger.js';
import { OutboxRepository } from '../../src/store/outbox-repository.js';
import { PrivacyBudgetRepository } from '../../src/store/privacy-budget-repository.js';
import { StatsRepository } from '../../src/store/stats-repository.js';
import { ManualClock } from '../../src/time/clock.js';
import { protectTable } from '../../src/upstream/disclosure/protect-table.js';
import type { RandomBits } from '../../src/upstream/disclosure/random-source.js';
import type { TableProtector } from '../../src/upstream/disclosure/table-protector.js';
import { StatsAggregator, type StatsSettings } from '../../src/upstream/stats-aggregator.js';
import { countAt, type StatsMessage } from '../../src/upstream/stats-message.js';
import { validateOutgoing } from '../../src/upstream/topics.js';
import { TempStore, testProtector, testSettings } from './upstream-fixture.js';

const DAY = 86_400_000;
// Monday 2 June 2025, 00:00 in Amsterdam.
const MONDAY = Date.parse('2025-06-01T22:00:00Z');

function messages(store: TempStore): StatsMessage[] {
  return store.outbox.oldest(1000).filter((row) => row.topic.endsWith('/stats')).map((row) => validateOutgoing(row.topic, row.payload) as StatsMessage);
}

/** A registration of a contact with the given 16-byte pseudonym (null: withheld number). */
function registerCaller(store: TempStore, at: number, pseudonym: Buffer | null, registration = { channel: 'phone', topic: 'home', ageBand: '12-15', outcome: 'advice' }): void {
  const reference = randomUUID();
  store.db.run(
    `INSERT INTO contacts (reference, channel, presentation, link_epoch, pseudonym, prior_contacts, opened_at, state) VALUES (?, ?, ?, ?, ?, 0, ?, 'registered')`,
    [reference, registration.channel, pseudonym ? 'number' : 'withheld', pseudonym ? '2025-06' : null, pseudonym, at],
  );
  const contact = store.db.get<{ id: number }>('SELECT id FROM contacts WHERE reference = ?', [reference])?.id ?? null;
  store.db.run(
    'INSERT INTO registrations (contact_id, channel, occurred_at, age_band, topic, outcome, registered_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    [contact, registration.channel, at, registration.ageBand, registration.topic, registration.outcome, at + 60_000],
  );
}

/** The disclosure control on this thread, drawing the noise's coins from the given source instead of the worker's node:crypto. */
function protectingWith(random: RandomBits): TableProtector {
  return {
    protect: (table) => Promise.resolve(protectTable(table.dimensions, table.cells, table.settings, table.noise && { ...table.noise, random })),
    close: () => Promise.resolve(),
  };
}

function aggregator(store: TempStore, clock: ManualClock, settings: Partial<StatsSettings>, protector: TableProtector = testProtector): StatsAggregator {
  return new StatsAggregator({
    database: store.db,
    stats: new StatsRepository(store.db),
    outbox: new OutboxRepository(store.db),
    budget: new PrivacyBudgetRepository(store.db),
    clock,
    logger: silentLogger(),
    settings: { ...testSettings, periodLength: 'week', ...settings },
    session: randomUUID(),
    protector,
  });
}

describe('StatsAggregator disclosure control', () => {
  let store: TempStore;
  beforeEach(() => {
    store = new TempStore();
  });
  afterEach(() => {
    store.cleanup();
  });

  it('counts at most contributionCap registrations of one caller per period, and every withheld-number registration as its own caller', async () => {
    const frequent = Buffer.alloc(16, 7);
    for (let i = 0; i < 9; i += 1) registerCaller(store, MONDAY + i * 3_600_000, frequent);
    for (let i = 0; i < 4; i += 1) registerCaller(store, MONDAY + DAY + i, Buffer.alloc(16, 10 + i));
    for (let i = 0; i < 3; i += 1) registerCaller(store, MONDAY + 2 * DAY + i, null);
    await aggregator(store, new ManualClock(MONDAY + 7 * DAY), { disclosure: { contributionCap: 3 } }).closeDuePeriods();
    const [message] = messages(store);
    // 3 of the frequent caller + 4 single callers + 3 withheld numbers.
    expect(message && countAt(message, [], {})).toBe(10);
    expect(message?.disclosure.contributionCap).toBe(3);
  });

  it('the cap counts no pseudonym out of the database: the repository returns counts only', () => {
    registerCaller(store, MONDAY + 1, Buffer.alloc(16, 1));
    const reading = new StatsRepository(store.db).cappedCount({ start: MONDAY, end: MONDAY + DAY }, 3);
    while (reading.readChunk());
    expect(reading.counts()).toEqual([{ channel: 'phone', topic: 'home', ageBand: '12-15', outcome: 'advice', count: 1 }]);
    expect(() => new StatsRepository(store.db).cappedCount({ start: MONDAY, end: MONDAY + DAY }, 0)).toThrow(RangeError);
  });

  it('adds noise and spends the budget per period until the year is spent, then publishes withheld periods; a new year starts afresh', async () => {
    // Weeks that start in December 2025, then into January 2026 (Amsterdam). Budget: 3 weeks' worth.
    const first = Date.parse('2025-12-07T23:00:00Z'); // Monday 8 December 00:00 local
    for (let week = 0; week < 6; week += 1) for (let i = 0; i < 40; i += 1) registerCaller(store, first + week * 7 * DAY + i * 60_000, null);
    const clock = new ManualClock(first + 6 * 7 * DAY);
    const noise = { epsilonPerPeriod: 0.5, yearlyBudget: 1.5 };
    const run = aggregator(store, clock, { threshold: 5, firstPeriodFrom: first, maxPeriodsPerRun: 10, disclosure: { contributionCap: 2, noise } });
    expect(await run.closeDuePeriods()).toBe(6);
    const published = messages(store);
    expect(published.map((m) => m.period.start)).toEqual([
      '2025-12-08T00:00:00+01:00',
      '2025-12-15T00:00:00+01:00',
      '2025-12-22T00:00:00+01:00',
      '2025-12-29T00:00:00+01:00',
      '2026-01-05T00:00:00+01:00',
      '2026-01-12T00:00:00+01:00',
    ]);
    expect(published.map((m) => m.withheld)).toEqual([null, null, null, 'privacy-budget-spent', null, null]);
    expect(published.map((m) => m.disclosure.noise?.budget)).toEqual([
      { year: 2025, spent: 0.5, total: 1.5 },
      { year: 2025, spent: 1, total: 1.5 },
      { year: 2025, spent: 1.5, total: 1.5 },
      { year: 2025, spent: 1.5, total: 1.5 },
      { year: 2026, spent: 0.5, total: 1.5 },
      { year: 2026, spent: 1, total: 1.5 },
    ]);
    // The week of 29 December spans two link months: one caller can appear under two pseudonyms.
    expect(published.map((m) => m.disclosure.noise?.sensitivity)).toEqual([2, 2, 2, 4, 2, 2]);
    expect(published[3]).toMatchObject({ cells: [], margins: [] });
    // The ledger holds exactly the releases made.
    const ledger = store.db.all<{ year: number; epsilon: number }>('SELECT year, epsilon FROM privacy_budget ORDER BY period_start', []);
    expect(ledger).toEqual([
      { year: 2025, epsilon: 0.5 },
      { year: 2025, epsilon: 0.5 },
      { year: 2025, epsilon: 0.5 },
      { year: 2026, epsilon: 0.5 },
      { year: 2026, epsilon: 0.5 },
    ]);
    // And the annual report's copy is the same message.
    expect(store.db.all<{ n: number }>('SELECT COUNT(*) AS n FROM published_stats', [])[0]?.n).toBe(6);
  });

  it('publishes noisy counts whose margins are sums of the noisy cells, drawing its coins from the given source', async () => {
    for (let i = 0; i < 300; i += 1) registerCaller(store, MONDAY + i * 60_000, null);
    let state = 0x2545f491;
    let drawn = 0;
    const seeded: RandomBits = {
      nextBit: () => {
        drawn += 1;
        state ^= state << 13;
        state ^= state >>> 17;
        state ^= state << 5;
        return (state & 1) === 1 ? 1 : 0;
      },
    };
    await aggregator(store, new ManualClock(MONDAY + 7 * DAY), { threshold: 5, disclosure: { noise: { epsilonPerPeriod: 1, yearlyBudget: 10 } } }, protectingWith(seeded)).closeDuePeriods();
    const [message] = messages(store);
    expect(drawn).toBeGreaterThan(0);
    expect(message?.withheld).toBeNull();
    expect(message?.disclosure.noise).toMatchObject({ mechanism: 'discrete-laplace', epsilon: 1, sensitivity: 3 });
    // 300 registrations in one cell: that noisy cell is published near 300; the empty cells got noise too.
    if (!message) throw new Error('no message');
    const big = countAt(message, ['channel', 'topic', 'ageBand', 'outcome'], { channel: 'phone', topic: 'home', ageBand: '12-15', outcome: 'advice' });
    expect(typeof big === 'number' && Math.abs(big - 300) < 60).toBe(true);
    expect(message.cells.filter((count) => count !== 0).length).toBeGreaterThan(1);
    // A published total is the sum of the noisy cells, so it is at least the published ones.
    const total = countAt(message, [], {});
    const publishedSum = message.cells.reduce<number>((sum, count) => sum + (count ?? 0), 0);
    if (total !== null && total !== undefined) expect(total).toBeGreaterThanOrEqual(publishedSum);
  });

  it('refuses noise without a ledger, a budget below one period, and a bad cap', () => {
    const settings = { ...testSettings, disclosure: { noise: { epsilonPerPeriod: 1, yearlyBudget: 0.5 } } };
    const base = { database: store.db, stats: new StatsRepository(store.db), outbox: new OutboxRepository(store.db), clock: new ManualClock(0), logger: silentLogger(), session: randomUUID() };
    expect(() => new StatsAggregator({ ...base, settings, budget: new PrivacyBudgetRepository(store.db) })).toThrow(TypeError);
    expect(() => new StatsAggregator({ ...base, settings: { ...testSettings, disclosure: { noise: { epsilonPerPeriod: 1, yearlyBudget: 2 } } } })).toThrow(TypeError);
    expect(() => new StatsAggregator({ ...base, settings: { ...testSettings, disclosure: { contributionCap: 0 } } })).toThrow(TypeError);
  });
});
