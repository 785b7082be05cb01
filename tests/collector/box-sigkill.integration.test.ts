import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log/logger.js';
import { GatewayDatabase } from '../../src/store/open-database.js';
import { OutboxRepository } from '../../src/store/outbox-repository.js';
import { freePort, Subscriber } from '../upstream/mqtt-harness.js';
import { HOUR, SITE, TempStore } from '../upstream/upstream-fixture.js';
import { CollectorDatabase, PersistentMosquitto, TestCollector } from './collector-harness.js';
import { PostgresProcess } from './postgres-harness.js';
import { waitFor } from '../support/wait-for.js';

const PERIOD_START = Date.parse('2025-06-02T08:00:00Z');
const HOURS_PER_RUN = 50;
const KILLED_RUNS = 4;
const BOX = path.join(import.meta.dirname, 'fixtures', 'box-process.ts');

/** The box's upstream in a child process; resolves with its session once it has started. */
async function startBox(databasePath: string, brokerUrl: string, now: number): Promise<{ child: ChildProcess; session: string; drained: Promise<void>; exited: Promise<number | null> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', BOX, databasePath, brokerUrl, String(now)], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let output = '';
  let errors = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    errors += chunk.toString();
  });
  let markDrained: () => void = () => undefined;
  const drained = new Promise<void>((resolve) => {
    markDrained = resolve;
  });
  const session = await new Promise<string>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /session ([0-9a-f-]{36})/.exec(output);
      if (match?.[1]) resolve(match[1]);
      if (output.includes('drained')) markDrained();
    });
    void exited.then((code) => reject(new Error(`box process exited with ${code} before starting: ${errors.slice(0, 500)}`)));
  });
  return { child, session, drained, exited };
}

describe('the box killed with SIGKILL while it publishes a backlog', () => {
  let postgres: PostgresProcess;

  beforeAll(async () => {
    postgres = await PostgresProcess.create();
  });

  afterAll(async () => {
    await postgres.destroy();
  });

  // Five box processes start (~2.5 s each for tsx to load the store and the upstream).
  it('loses nothing: after dedup on (site, seq) the collector has every message once, no gaps, and counted every repeat', { timeout: 45_000 }, async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hgw-sigkill-'));
    const mosquitto = new PersistentMosquitto(dir, await freePort());
    await mosquitto.start();
    const dbUrl = await postgres.newDatabase();
    const database = new CollectorDatabase(dbUrl);
    const store = new TempStore();
    for (let hour = 0; hour < HOURS_PER_RUN * (KILLED_RUNS + 1); hour += 1) {
      store.register(PERIOD_START + hour * HOUR + 60_000, { channel: 'phone', topic: 'home', ageBand: '12-15' }, 5 + (hour % 3));
    }
    store.db.close();
    const collector = new TestCollector({ brokerUrl: mosquitto.url, dbUrl, clientId: 'collector-sigkill' });
    // Sees every delivery the broker makes, repeats included, as the collector does.
    const observer = await Subscriber.connect(mosquitto.url, 'helpline/v1/+/+');
    const children: ChildProcess[] = [];
    try {
      await collector.start();
      let interrupted = 0;
      for (let run = 0; run < KILLED_RUNS; run += 1) {
        const now = PERIOD_START + (run + 1) * HOURS_PER_RUN * HOUR + 1;
        const box = await startBox(store.file, mosquitto.url, now);
        children.push(box.child);
        // A random moment in the middle of the backlog (2 messages per period).
        const target = 1 + Math.floor(Math.random() * (2 * HOURS_PER_RUN - 10));
        const fromThisRun = (): number => observer.messages.filter((m) => m.payload['session'] === box.session && typeof m.payload['seq'] === 'number').length;
        await waitFor(() => fromThisRun() >= target || box.child.exitCode !== null, 'the box publishing its backlog', 15_000);
        box.child.kill('SIGKILL');
        await box.exited;
        const check = GatewayDatabase.open({ path: store.file, logger: silentLogger() });
        if (new OutboxRepository(check).count() > 0) interrupted += 1;
        check.close();
      }
      // The kills came while the outbox still held messages: mid-publish, not after.
      expect(interrupted).toBeGreaterThanOrEqual(KILLED_RUNS - 1);

      const last = await startBox(store.file, mosquitto.url, PERIOD_START + (KILLED_RUNS + 1) * HOURS_PER_RUN * HOUR + 1);
      children.push(last.child);
      await last.drained;
      expect(await last.exited).toBe(0);

      const check = GatewayDatabase.open({ path: store.file, logger: silentLogger() });
      const highest = Number(check.get<{ value: string }>(`SELECT value FROM meta WHERE key = 'upstream.seq'`, [])?.value);
      check.close();
      expect(highest).toBe(2 * HOURS_PER_RUN * (KILLED_RUNS + 1));
      await waitFor(() => collector.collector.counts.stored === highest, 'every message stored', 20_000);
      const delivered = (): number => observer.messages.filter((m) => typeof m.payload['seq'] === 'number').length;
      await waitFor(() => collector.collector.counts.stored + collector.collector.counts.duplicate === delivered(), 'the collector took every delivery', 10_000);

      expect(await database.seqs(SITE)).toEqual(Array.from({ length: highest }, (_, i) => i + 1));
      expect(await database.openGaps()).toEqual([]);
      const repeats = delivered() - new Set(observer.messages.map((m) => m.payload['seq']).filter((seq) => typeof seq === 'number')).size;
      const site = await database.site(SITE);
      expect(Number(site?.['duplicates'])).toBe(repeats);
      expect(site).toMatchObject({ messages: String(highest), conflicts: '0', quarantined: '0' });
    } finally {
      for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
      await observer.close();
      await collector.stop();
      await database.close();
      await mosquitto.stop();
      store.cleanup();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
