import { describe, expect, it } from 'vitest';
import { renderOutboxReplayReport, runOutboxReplayBench } from '../../scripts/bench/outbox-replay-bench.js';

// The figures live in the README; this only proves the bench runs end to end against Mosquitto, small.
describe('the outbox replay bench at a small scale (one day, daily and hourly periods)', () => {
  it('drains the box outbox and the bare baseline, and renders the table', async () => {
    const results = await runOutboxReplayBench({ days: 1, contactsPerDay: 200, periodLengths: ['hour', 'day'], windows: [4], rttsMs: [0, 10], repetitions: 1 });
    expect(results.stores.map((store) => [store.periodLength, store.periods, store.messages])).toEqual([['hour', 24, 48], ['day', 1, 2]]);
    expect(results.rows).toHaveLength(4);
    for (const row of results.rows) {
      for (const figures of [row.box, row.baseline]) expect(Number.isFinite(figures.drainMs) && figures.drainMs > 0 && figures.messagesPerSecond > 0).toBe(true);
    }
    const report = renderOutboxReplayReport(results);
    expect(report).toMatch(/^### Outbox replay after 1 day offline/);
    expect(report).toMatch(/\| hour \| 10 ms \| 4 \| .* ms \|/);
  }, 60_000);
});
