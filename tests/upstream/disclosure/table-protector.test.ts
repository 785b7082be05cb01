import { readdirSync, readFileSync } from 'node:fs';
import { getPriority } from 'node:os';
import { afterAll, describe, expect, it } from 'vitest';
import { protectTable } from '../../../src/upstream/disclosure/protect-table.js';
import { WorkerTableProtector, type TableToProtect } from '../../../src/upstream/disclosure/table-protector.js';
import { statsDimensions } from '../../../src/upstream/stats-table.js';

const dimensions = statsDimensions({ topics: ['bullying', 'home', 'love'], ageBands: ['0-11', '12-15', '16-18'], outcomes: ['advice', 'referred'] });
const CELLS = 3 * 4 * 4 * 3;
// Mostly zeros, some small counts, a few large ones: primary and secondary suppression both have work.
const cells = Array.from({ length: CELLS }, (_, cell) => (cell % 7 === 0 ? 40 + cell : cell % 5 === 0 ? (cell % 9) + 1 : 0));
const table: TableToProtect = { dimensions, cells, settings: { threshold: 5, protectionWidth: 2 } };

const protector = new WorkerTableProtector();
afterAll(() => protector.close());

describe('WorkerTableProtector', () => {
  it('protects a table on its worker exactly as protectTable does on this thread', async () => {
    const onThread = protectTable(dimensions, cells, table.settings);
    expect(onThread.primary + onThread.secondary).toBeGreaterThan(0);
    expect(await protector.protect(table)).toEqual(onThread);
    // Reused: a second table goes to the same worker.
    expect(await protector.protect(table)).toEqual(onThread);
  });

  it('adds the noise in the worker, with coins of its own', async () => {
    const plain = await protector.protect(table);
    const noisy = await protector.protect({ ...table, noise: { epsilon: 1, sensitivity: 3 } });
    expect(noisy.cells).toHaveLength(CELLS);
    // 144 cells each moved with probability about 0.43: the same table again would take a miracle.
    expect(noisy.cells).not.toEqual(plain.cells);
    const again = await protector.protect({ ...table, noise: { epsilon: 1, sensitivity: 3 } });
    expect(again.cells).not.toEqual(noisy.cells);
  });

  it('answers several tables in flight, each to its own caller', async () => {
    const small = { ...table, cells: cells.map((count) => Math.min(count, 3)) };
    const [first, second] = await Promise.all([protector.protect(table), protector.protect(small)]);
    expect(first).toEqual(protectTable(dimensions, cells, table.settings));
    expect(second).toEqual(protectTable(dimensions, small.cells, table.settings));
  });

  it('rejects a table the disclosure control refuses, with its reason, and goes on answering', async () => {
    await expect(protector.protect({ ...table, cells: cells.slice(1) })).rejects.toThrow(`disclosure control failed: expected ${CELLS} cells, got ${CELLS - 1}`);
    await expect(protector.protect(table)).resolves.toMatchObject({ cells: expect.any(Array) });
  });

  it('runs its worker at a lower priority than the event loop: 10 nicer, on its own thread only (Linux)', async () => {
    await protector.protect(table);
    // /proc/<pid>/task/<tid>/stat: the fields after the command name, the nice value 17th of them.
    const niceness = readdirSync('/proc/self/task').map((tid) => Number(readFileSync(`/proc/self/task/${tid}/stat`, 'utf8').split(') ')[1]?.split(' ')[16]));
    const worker = Math.min(19, getPriority() + 10);
    expect(niceness).toContain(worker);
    expect(niceness.filter((nice) => nice !== worker).every((nice) => nice === getPriority())).toBe(true);
  });

  it('close() fails the table in flight at once; the next table starts a new worker', async () => {
    const inFlight = expect(protector.protect(table)).rejects.toThrow('statistics worker stopped');
    await protector.close();
    await inFlight;
    expect(await protector.protect(table)).toEqual(protectTable(dimensions, cells, table.settings));
  });
});
