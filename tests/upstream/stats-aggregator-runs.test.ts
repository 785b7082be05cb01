import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StatsRepository } from '../../src/store/stats-repository.js';
import { ManualClock } from '../../src/time/clock.js';
import { protectTable, type ProtectedTable } from '../../src/upstream/disclosure/protect-table.js';
import type { TableProtector, TableToProtect } from '../../src/upstream/disclosure/table-protector.js';
import { countAt, type StatsMessage } from '../../src/upstream/stats-message.js';
import { validateOutgoing } from '../../src/upstream/topics.js';
import { HOUR, TempStore } from './upstream-fixture.js';

// 10:00-11:00 in Amsterdam (CEST) on 2 June 2025.
const PERIOD_START = Date.parse('2025-06-02T08:00:00Z');
const session = randomUUID();

/** Holds every table until released; close() fails the ones held, as the worker's does. */
class GatedProtector implements TableProtector {
  readonly #held: Array<{ table: TableToProtect; resolve: (table: ProtectedTable) => void; reject: (error: Error) => void }> = [];
  calls = 0;
  mostAtOnce = 0;

  get held(): number {
    return this.#held.length;
  }

  protect(table: TableToProtect): Promise<ProtectedTable> {
    this.calls += 1;
    return new Promise((resolve, reject) => {
      this.#held.push({ table, resolve, reject });
      this.mostAtOnce = Math.max(this.mostAtOnce, this.#held.length);
    });
  }

  release(): void {
    for (const { table, resolve } of this.#held.splice(0)) resolve(protectTable(table.dimensions, table.cells, table.settings));
  }

  close(): Promise<void> {
    for (const { reject } of this.#held.splice(0)) reject(new Error('statistics worker stopped'));
    return Promise.resolve();
  }
}

async function turnsUntil(condition: () => boolean): Promise<void> {
  for (let turn = 0; turn < 1000 && !condition(); turn += 1) await new Promise((resolve) => setImmediate(resolve));
  if (!condition()) throw new Error('condition not reached');
}

function statsMessages(store: TempStore): StatsMessage[] {
  return store.outbox.oldest(100).map((row) => validateOutgoing(row.topic, row.payload) as StatsMessage);
}

function rowCount(store: TempStore, table: string): number {
  return Number(store.db.get<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table}`)?.n);
}

describe('StatsAggregator runs: off the event loop, one at a time, cancelled cleanly', () => {
  let store: TempStore;

  beforeEach(() => {
    store = new TempStore();
  });

  afterEach(() => {
    store.cleanup();
  });

  it('gives the event loop turns while it counts a period in chunks and while the table is protected', async () => {
    store.register(PERIOD_START + 60_000, { channel: 'chat', topic: 'love', ageBand: '12-15' }, 1_200);
    const aggregator = store.aggregator(new ManualClock(PERIOD_START + HOUR), session);
    let turns = 0;
    let watching = true;
    const watch = (): void => {
      turns += 1;
      if (watching) setImmediate(watch);
    };
    setImmediate(watch);
    expect(await aggregator.closeDuePeriods()).toBe(1);
    watching = false;
    // 1,200 registrations are 12 reads of 100, each on a turn of its own, then the worker: all on
    // one turn, the loop would not have turned at all.
    expect(turns).toBeGreaterThanOrEqual(12);
    const [message] = statsMessages(store);
    expect(message && countAt(message, [], {})).toBe(1_200);
  });

  it('never runs two closes at once: a call made while one is in flight waits for it, and the period is closed once', async () => {
    store.register(PERIOD_START + 60_000, { channel: 'chat', topic: 'love', ageBand: '12-15' }, 6);
    const gate = new GatedProtector();
    const aggregator = store.aggregator(new ManualClock(PERIOD_START + HOUR), session, {}, { protector: gate });
    const first = aggregator.closeDuePeriods();
    const second = aggregator.closeDuePeriods();
    await turnsUntil(() => gate.held === 1);
    gate.release();
    expect(await first).toBe(1);
    expect(await second).toBe(0);
    expect(gate).toMatchObject({ calls: 1, mostAtOnce: 1 });
    expect([rowCount(store, 'outbox'), rowCount(store, 'published_stats'), rowCount(store, 'stats_periods')]).toEqual([1, 1, 1]);
  });

  it('closes a period once even when two aggregators (two processes) work on it at the same time: the write transaction checks again', async () => {
    store.register(PERIOD_START + 60_000, { channel: 'chat', topic: 'love', ageBand: '12-15' }, 6);
    const gate = new GatedProtector();
    const clock = new ManualClock(PERIOD_START + HOUR);
    const runs = [store.aggregator(clock, session, {}, { protector: gate }).closeDuePeriods(), store.aggregator(clock, session, {}, { protector: gate }).closeDuePeriods()];
    await turnsUntil(() => gate.held === 2);
    gate.release();
    expect((await Promise.all(runs)).sort()).toEqual([0, 1]);
    expect([rowCount(store, 'outbox'), rowCount(store, 'published_stats'), rowCount(store, 'stats_periods')]).toEqual([1, 1, 1]);
    expect(statsMessages(store).map((message) => message.seq)).toEqual([1]);
  });

  it('stop() ends a close in flight, reading or protecting: nothing is written, the period stays open and closes on the next run', async () => {
    store.register(PERIOD_START + 60_000, { channel: 'chat', topic: 'love', ageBand: '12-15' }, 1_200);
    const gate = new GatedProtector();
    const clock = new ManualClock(PERIOD_START + HOUR);
    const aggregator = store.aggregator(clock, session, {}, { protector: gate });
    const protecting = aggregator.closeDuePeriods();
    await turnsUntil(() => gate.held === 1);
    await aggregator.stop();
    expect(await protecting).toBe(0);
    expect([rowCount(store, 'outbox'), rowCount(store, 'published_stats'), rowCount(store, 'stats_periods')]).toEqual([0, 0, 0]);
    expect(store.outbox.lastSequenceNumber()).toBe(0);

    // Stopped after the first of 12 reads: the table never reaches the protector.
    const reading = aggregator.closeDuePeriods();
    await new Promise((resolve) => setImmediate(resolve));
    await aggregator.stop();
    expect(await reading).toBe(0);
    expect(gate.calls).toBe(1);
    expect(rowCount(store, 'outbox')).toBe(0);

    // start() runs the first close before it returns.
    const next = store.aggregator(clock, session);
    await next.start();
    expect(statsMessages(store).map((message) => [message.seq, countAt(message, [], {})])).toEqual([[1, 1_200]]);
    await next.stop();
  });

  it('leaves the period open when the disclosure control fails, and closes it on the next run', async () => {
    store.register(PERIOD_START + 60_000, { channel: 'chat', topic: 'love', ageBand: '12-15' }, 6);
    let failing = true;
    const flaky: TableProtector = {
      protect: (table) => (failing ? Promise.reject(new Error('disclosure control failed: simplex did not converge')) : Promise.resolve(protectTable(table.dimensions, table.cells, table.settings))),
      close: () => Promise.resolve(),
    };
    const aggregator = store.aggregator(new ManualClock(PERIOD_START + HOUR), session, {}, { protector: flaky });
    await expect(aggregator.closeDuePeriods()).rejects.toThrow('simplex did not converge');
    expect([rowCount(store, 'outbox'), rowCount(store, 'stats_periods')]).toEqual([0, 0]);
    failing = false;
    expect(await aggregator.closeDuePeriods()).toBe(1);
  });

  it('leaves the period open when the privacy-budget ledger changed while its table was protected, then decides afresh', async () => {
    store.register(PERIOD_START + 60_000, { channel: 'chat', topic: 'love', ageBand: '12-15' }, 6);
    let intrude = true;
    const protector: TableProtector = {
      protect: (table) => {
        // What no second writer of the ledger should ever do: spend from the same year meanwhile.
        if (intrude) store.db.run('INSERT INTO privacy_budget (period_start, year, epsilon, spent_at) VALUES (?, 2025, 1, ?)', [PERIOD_START - HOUR, PERIOD_START]);
        intrude = false;
        return Promise.resolve(protectTable(table.dimensions, table.cells, table.settings));
      },
      close: () => Promise.resolve(),
    };
    const noise = { epsilonPerPeriod: 1, yearlyBudget: 1 };
    const aggregator = store.aggregator(new ManualClock(PERIOD_START + HOUR), session, { disclosure: { noise } }, { protector, budget: true });
    await expect(aggregator.closeDuePeriods()).rejects.toThrow('the privacy-budget ledger changed while the period was being closed');
    expect([rowCount(store, 'outbox'), rowCount(store, 'stats_periods'), rowCount(store, 'privacy_budget')]).toEqual([0, 0, 1]);
    expect(new StatsRepository(store.db).isClosed(PERIOD_START)).toBe(false);
    // The year's budget is now spent: the period goes out withheld, and no second ledger row.
    expect(await aggregator.closeDuePeriods()).toBe(1);
    expect(statsMessages(store).map((message) => message.withheld)).toEqual(['privacy-budget-spent']);
    expect(rowCount(store, 'privacy_budget')).toBe(1);
  });
});
