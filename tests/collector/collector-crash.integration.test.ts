import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { CollectorCondition } from '../../src/collector/index.js';
import { freePort } from '../upstream/mqtt-harness.js';
import { CollectorDatabase, PersistentMosquitto, Publisher, statsPayload, TestCollector } from './collector-harness.js';
import { PostgresProcess } from './postgres-harness.js';
import { waitFor } from '../support/wait-for.js';

const CLI = path.join(import.meta.dirname, '..', '..', 'src', 'cli', 'helpline-gateway.ts');
const SITE = 'utrecht-1';
const TOPIC = `helpline/v1/${SITE}/stats`;

/**
 * `helpline-gateway collector` as its own process; resolves once its health probe says the
 * database and the broker are up (its subscriptions are in place).
 */
async function startCollectorProcess(brokerUrl: string, dbUrl: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, 'collector', '--broker', brokerUrl, '--db', dbUrl, '--listen', '127.0.0.1:0', '--client-id', 'collector-crash', '--log-level', 'silent'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const dashboard = await new Promise<string>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /dashboard on (\S+)/.exec(output);
      if (match?.[1]) resolve(match[1]);
    });
    child.once('exit', (code) => reject(new Error(`collector exited with ${code}`)));
  });
  await waitFor(async () => (await fetch(new URL('healthz', dashboard)).catch(() => undefined))?.status === 200, 'collector healthy');
  return child;
}

describe('a collector that dies or loses its database before committing', () => {
  let postgres: PostgresProcess;
  let dir: string;
  let mosquitto: PersistentMosquitto;
  let dbUrl: string;
  let database: CollectorDatabase;
  let publisher: Publisher;

  beforeAll(async () => {
    postgres = await PostgresProcess.create();
  });

  afterAll(async () => {
    await postgres.destroy();
  });

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hgw-collector-crash-'));
    mosquitto = new PersistentMosquitto(dir, await freePort());
    await mosquitto.start();
    dbUrl = await postgres.newDatabase();
    database = new CollectorDatabase(dbUrl);
    publisher = await Publisher.connect(mosquitto.url);
  });

  afterEach(async () => {
    await publisher.close();
    await database.close();
    await mosquitto.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('gets the message again after a SIGKILL while its commit was waiting, and stores it once', async () => {
    let child = await startCollectorProcess(mosquitto.url, dbUrl);
    const blocker = new pg.Client({ connectionString: dbUrl });
    blocker.on('error', () => undefined);
    try {
      await publisher.publish(TOPIC, statsPayload(SITE, 1));
      await waitFor(async () => (await database.seqs(SITE)).length === 1, 'seq 1 stored');

      // Hold the site's row: the collector's next transaction waits on it, uncommitted.
      await blocker.connect();
      await blocker.query('BEGIN');
      await blocker.query('SELECT 1 FROM sites WHERE site = $1 FOR UPDATE', [SITE]);
      await publisher.publish(TOPIC, statsPayload(SITE, 2));
      const waiting = async (): Promise<number> =>
        Number((await database.query<{ n: string }>(`SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = 'helpline-collector' AND wait_event_type = 'Lock'`))[0]?.n);
      await waitFor(async () => (await waiting()) === 1, 'the collector waiting on the row lock');

      child.kill('SIGKILL');
      await new Promise((resolve) => child.once('exit', resolve));
      await blocker.query('ROLLBACK');
      expect(await database.seqs(SITE)).toEqual([1]);

      // Same client id: the broker still holds seq 2, never acknowledged, and sends it again.
      child = await startCollectorProcess(mosquitto.url, dbUrl);
      await waitFor(async () => (await database.seqs(SITE)).length === 2, 'seq 2 stored after the restart');
      expect(await database.seqs(SITE)).toEqual([1, 2]);
      expect(await database.openGaps()).toEqual([]);
      expect(await database.site(SITE)).toMatchObject({ messages: '2', duplicates: '0' });
    } finally {
      await blocker.end().catch(() => undefined);
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await new Promise((resolve) => child.once('exit', resolve));
      }
    }
  });

  it('stops taking messages while PostgreSQL is down, says so once, and stores what arrived meanwhile when it is back', async () => {
    const collector = new TestCollector({ brokerUrl: mosquitto.url, dbUrl, clientId: 'collector-outage' });
    const conditions: CollectorCondition[] = [];
    collector.collector.on('condition', (condition) => conditions.push(condition));
    try {
      await collector.start();
      await publisher.publish(TOPIC, statsPayload(SITE, 1));
      await waitFor(() => collector.collector.counts.stored === 1, 'seq 1 stored');

      await postgres.stop();
      await publisher.publish(TOPIC, statsPayload(SITE, 2));
      await publisher.publish(TOPIC, statsPayload(SITE, 3));
      await waitFor(() => collector.collector.health().database === 'down', 'database noticed down');
      expect(collector.collector.health().broker).toBe('paused');
      // Let it retry a few times: still one line.
      await new Promise((resolve) => setTimeout(resolve, 600));
      expect(conditions.filter((c) => c.code === 'HGW_COLLECTOR_DATABASE' && !c.resolved)).toHaveLength(1);
      expect(conditions[0]?.message).toMatch(/^database unavailable \(\w+\); not taking messages/);

      await postgres.start();
      await waitFor(() => collector.collector.counts.stored === 3, 'seqs 2 and 3 stored after the database is back', 15_000);
      expect(await database.seqs(SITE)).toEqual([1, 2, 3]);
      expect(await database.openGaps()).toEqual([]);
      expect(conditions.some((c) => c.code === 'HGW_COLLECTOR_DATABASE' && c.resolved)).toBe(true);
    } finally {
      await collector.stop();
    }
  });
});
