/**
 * Measures the collector's intake: 20 sites × 50 daily `helpline.stats/2` messages of a realistic
 * size (12 topics, 6 age bands, 5 outcomes: 1,638 cells, ~4.8 kB), published at once through a
 * Mosquitto and stored in a PostgreSQL, both started here (as the tests start them, fsync off),
 * first by one collector, then by two sharing a group. Prints messages per second and the
 * database size (docs/collector.md, "Sizing").
 *
 *   node --import tsx scripts/measure-collector.ts
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { encodeStatsMessage, formatLocalIso, STATS_SCHEMA, statsDimensions, protectTable, tabulateCounts, type StatsMessage } from '../src/upstream/index.js';
import { freePort } from '../tests/upstream/mqtt-harness.js';
import { waitFor } from '../tests/support/wait-for.js';
import { CollectorDatabase, PersistentMosquitto, Publisher, TestCollector } from '../tests/collector/collector-harness.js';
import { PostgresProcess } from '../tests/collector/postgres-harness.js';

const say = (...parts: unknown[]): void => {
  process.stdout.write(`${parts.map((part) => (typeof part === 'string' ? part : JSON.stringify(part))).join(' ')}\n`);
};

const TOPICS = ['bullying', 'home', 'love', 'school', 'friends', 'body', 'sexuality', 'abuse', 'selfharm', 'suicide', 'loneliness', 'identity'];
const DIMENSIONS = statsDimensions({ topics: TOPICS, ageBands: ['0-11', '12-13', '14-15', '16-17', '18-24', 'unknown'], outcomes: ['listened', 'advice', 'referred', 'hung-up', 'test'] });
const DAY = 86_400_000;

/** One site's day: every topic on every channel for three age bands, counts from 0 to 22. */
function realistic(site: string, seq: number): string {
  const counts = ['phone', 'chat', 'mail'].flatMap((channel) =>
    TOPICS.flatMap((topic) => ['12-13', '14-15', '16-17'].map((ageBand) => ({ channel, topic, ageBand, outcome: 'listened', count: (seq * 7 + topic.length) % 23 }))),
  );
  const { cells, margins } = protectTable(DIMENSIONS, tabulateCounts(counts, DIMENSIONS).cells, { threshold: 10, protectionWidth: 2 });
  const start = Date.parse('2025-01-01T00:00:00Z') + seq * DAY;
  const message: StatsMessage = {
    schema: STATS_SCHEMA,
    site,
    session: '3f1c9a52-8d0e-4b7a-9c61-2e5f0b7d4a18',
    seq,
    period: { start: formatLocalIso(start, 'Europe/Amsterdam'), end: formatLocalIso(start + DAY, 'Europe/Amsterdam'), length: 'day' },
    dimensions: DIMENSIONS,
    disclosure: { threshold: 10, contributionCap: null, secondarySuppression: 'interval-audit', protectionWidth: 2, noise: null },
    withheld: null,
    cells,
    margins,
  };
  return encodeStatsMessage(message);
}

async function measure(): Promise<void> {
  const postgres = await PostgresProcess.create();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hgw-measure-'));
  const mosquitto = new PersistentMosquitto(dir, await freePort());
  await mosquitto.start();
  const dbUrl = await postgres.newDatabase();
  const sites = Array.from({ length: 20 }, (_, i) => `site-${i}`);
  const payloads = sites.flatMap((site) => Array.from({ length: 50 }, (_, i) => [site, realistic(site, i + 1)] as const));
  const sample = payloads[0]?.[1] ?? '{}';
  say('payload bytes', sample.length, 'cells', (JSON.parse(sample) as { cells?: unknown[] }).cells?.length);
  const publisher = await Publisher.connect(mosquitto.url);
  for (const mode of ['one', 'two']) {
    const url = mode === 'one' ? dbUrl : await postgres.newDatabase();
    const collectors =
      mode === 'one'
        ? [new TestCollector({ brokerUrl: mosquitto.url, dbUrl: url, clientId: 'measure-1' })]
        : ['measure-2', 'measure-3'].map((clientId) => new TestCollector({ brokerUrl: mosquitto.url, dbUrl: url, clientId, group: 'measure' }));
    for (const c of collectors) await c.start();
    const t0 = Date.now();
    await Promise.all(payloads.map(([site, payload]) => publisher.publish(`helpline/v1/${site}/stats`, payload)));
    await waitFor(() => collectors.reduce((n, c) => n + c.collector.counts.stored, 0) === payloads.length, 'all', 110_000);
    const ms = Date.now() - t0;
    say(mode, 'collector(s):', payloads.length, 'messages in', ms, 'ms =', Math.round(payloads.length / (ms / 1000)), 'msg/s');
    const db = new CollectorDatabase(url);
    say(await db.query(`SELECT pg_size_pretty(pg_database_size(current_database())) AS size, (SELECT count(*) FROM stats_counts) AS cells, (SELECT count(*) FROM stats_margins) AS margins`));
    await db.close();
    for (const c of collectors) await c.stop();
  }
  await publisher.close();
  await mosquitto.stop();
  await postgres.destroy();
}

await measure();
