import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../upstream/mqtt-harness.js';
import { CollectorDatabase, PersistentMosquitto, Publisher, statsPayload, statusPayload, TestCollector } from './collector-harness.js';
import { PostgresProcess } from './postgres-harness.js';
import { waitFor } from '../support/wait-for.js';

const SITES = ['utrecht-1', 'gent-2', 'zwolle-3'];
const PER_SITE = 60;

describe('two collectors sharing the load', () => {
  let postgres: PostgresProcess;

  beforeAll(async () => {
    postgres = await PostgresProcess.create();
  });

  afterAll(async () => {
    await postgres.destroy();
  });

  it('with one shared subscription group: each message stored once, both collectors took some, no gaps left open, every status seen by both', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hgw-shared-'));
    const mosquitto = new PersistentMosquitto(dir, await freePort());
    await mosquitto.start();
    const dbUrl = await postgres.newDatabase();
    const database = new CollectorDatabase(dbUrl);
    const first = new TestCollector({ brokerUrl: mosquitto.url, dbUrl, clientId: 'collector-a', group: 'collectors' });
    const second = new TestCollector({ brokerUrl: mosquitto.url, dbUrl, clientId: 'collector-b', group: 'collectors' });
    const boxes = await Promise.all(SITES.map(() => Publisher.connect(mosquitto.url)));
    try {
      await Promise.all([first.start(), second.start()]);
      for (const [i, site] of SITES.entries()) await boxes[i]?.publish(`helpline/v1/${site}/status`, statusPayload(site, 'online'), { retain: true });
      // The sites publish at once, each in its own order, as boxes do.
      await Promise.all(
        SITES.map(async (site, i) => {
          for (let seq = 1; seq <= PER_SITE; seq += 1) await boxes[i]?.publish(`helpline/v1/${site}/stats`, statsPayload(site, seq));
        }),
      );
      const total = SITES.length * PER_SITE;
      const stored = (): number => first.collector.counts.stored + second.collector.counts.stored;
      await waitFor(() => stored() === total, 'every message stored by one of the two', 20_000);
      await waitFor(() => first.collector.counts.status === SITES.length && second.collector.counts.status === SITES.length, 'both saw every status');

      expect(first.collector.counts.stored).toBeGreaterThan(0);
      expect(second.collector.counts.stored).toBeGreaterThan(0);
      for (const site of SITES) {
        expect(await database.seqs(site)).toEqual(Array.from({ length: PER_SITE }, (_, i) => i + 1));
        expect(await database.site(site)).toMatchObject({ messages: String(PER_SITE), duplicates: '0', status_state: 'online' });
      }
      // Gaps opened while one collector committed ahead of the other are filled: none stays open.
      expect(await database.openGaps()).toEqual([]);
      const statusRows = await database.query<{ n: string }>('SELECT count(*) AS n FROM status_events');
      expect(Number(statusRows[0]?.n)).toBe(SITES.length);
    } finally {
      for (const box of boxes) await box.close();
      await first.stop();
      await second.stop();
      await database.close();
      await mosquitto.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
