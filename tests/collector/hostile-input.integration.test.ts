import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log/logger.js';
import { freePort } from '../upstream/mqtt-harness.js';
import { emailAddressProbe, ipAddressProbe, probeFor, scanBytes, scanDirectory } from '../support/identifier-scanner.js';
import { CollectorDatabase, PersistentMosquitto, Publisher, statsPayload, TestCollector } from './collector-harness.js';
import { PostgresProcess } from './postgres-harness.js';
import { waitFor } from '../support/wait-for.js';

const SITE = 'utrecht-1';
// Digits that PostgreSQL's own catalogs do not spell (its WAL holds "1 2 3 4 5 6 7 8" in view definitions).
const PHONE = { name: 'Dutch mobile', e164: '+31641729358', countryCode: '31', areaCodeLength: 1 };
const EMAIL = 'kind.in.nood@example.nl';
const IP = '203.0.113.77';
const PROBES = [probeFor(PHONE), emailAddressProbe('e-mail', EMAIL), ipAddressProbe('IPv4', IP)];

/** A valid message's JSON with one field changed or added. */
function tampered(seq: number, change: (message: Record<string, unknown>) => void): string {
  const message = JSON.parse(statsPayload(SITE, seq)) as Record<string, unknown>;
  change(message);
  return JSON.stringify(message);
}

describe('hostile input to the collector', () => {
  let postgres: PostgresProcess;

  beforeAll(async () => {
    postgres = await PostgresProcess.create();
  });

  afterAll(async () => {
    await postgres.destroy();
  });

  it('counts, quarantines (size, hash and error paths only) and goes on; nothing personal reaches the database, its files or the log', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hgw-hostile-'));
    const mosquitto = new PersistentMosquitto(dir, await freePort());
    await mosquitto.start();
    const dbUrl = await postgres.newDatabase();
    const database = new CollectorDatabase(dbUrl);
    let logText = '';
    const logger = createLogger({
      level: 'debug',
      destination: new Writable({
        write(chunk: Buffer, _encoding, done) {
          logText += chunk.toString();
          done();
        },
      }),
    });
    const collector = new TestCollector({ brokerUrl: mosquitto.url, dbUrl, clientId: 'collector-hostile', logger });
    const publisher = await Publisher.connect(mosquitto.url);
    const stats = `helpline/v1/${SITE}/stats`;
    try {
      await collector.start();
      await publisher.publish(stats, statsPayload(SITE, 1));
      await publisher.publish(stats, Buffer.from([0xff, 0xfe, 0x00, 0x13, 0x37, 0x80, 0x81]));
      await publisher.publish(stats, `{"schema":"helpline.stats/2","site":"${SITE}","seq":`);
      await publisher.publish(stats, tampered(2, (m) => { m['caller'] = '06 4172 9358'; }));
      await publisher.publish(stats, tampered(2, (m) => { (m['dimensions'] as Record<string, string[]>)['topic'] = [EMAIL, 'other']; }));
      await publisher.publish(stats, tampered(2, (m) => { m['site'] = 'amsterdam-2'; }));
      await publisher.publish(stats, tampered(2, (m) => { m['seq'] = 1e20; }));
      await publisher.publish(stats, statsPayload(SITE, 9_000_000));
      await publisher.publish(stats, statsPayload(SITE, 1, { registrations: [['chat', 'love', 9]] }));
      await publisher.publish(`helpline/v1/0641729358/stats`, statsPayload(SITE, 3));
      await publisher.publish(`helpline/v1/${SITE}/diagnostics`, JSON.stringify({ schema: 'helpline.diagnostics/1', site: SITE, restarts: [40, 42] }));
      await publisher.publish(`helpline/v1/${SITE}/diagnostics`, JSON.stringify({ schema: 'helpline.diagnostics/1', site: SITE, restarts: [40, 42] }));
      await publisher.publish(`helpline/v1/${SITE}/debug`, JSON.stringify({ lastCaller: '+31 6 41729358', from: IP }));
      await publisher.publish(`helpline/v1/${SITE}/incident`, '[1,2,3]', { qos: 0 });
      await publisher.publish(stats, statsPayload(SITE, 2));
      await waitFor(() => collector.collector.counts.stored === 2, 'the valid messages stored', 15_000);
      await waitFor(() => collector.collector.counts.quarantined + collector.collector.counts.conflict >= 11, 'every refusal recorded', 15_000);

      expect(await database.seqs(SITE)).toEqual([1, 2]);
      expect(await database.openGaps()).toEqual([]);
      const reasons = await database.query<{ reason: string; n: string }>('SELECT reason, count(*) AS n FROM quarantine GROUP BY reason ORDER BY reason');
      expect(Object.fromEntries(reasons.map((row) => [row.reason, Number(row.n)]))).toEqual({
        'bad-topic': 1,
        invalid: 5,
        'not-json': 2,
        'seq-ahead': 1,
        'seq-conflict': 1,
        'unknown-kind-refused': 1,
      });
      // A refusal names the paths that failed, never a value.
      const invalid = await database.query<{ error: string; topic: string | null; site: string | null; size_bytes: number }>(`SELECT error, topic, site, size_bytes FROM quarantine WHERE reason = 'invalid' ORDER BY id`);
      expect(invalid[0]?.error).toMatch(/unrecognized_keys/);
      expect(invalid.every((row) => row.site === SITE && row.size_bytes > 0)).toBe(true);
      const badTopic = await database.query<{ topic: string | null; site: string | null }>(`SELECT topic, site FROM quarantine WHERE reason = 'bad-topic'`);
      expect(badTopic).toEqual([{ topic: null, site: null }]);
      const unknown = await database.query<{ kind: string; receipts: number; payload: unknown }>('SELECT kind, receipts, payload FROM unknown_messages');
      expect(unknown).toEqual([{ kind: 'diagnostics', receipts: 2, payload: { schema: 'helpline.diagnostics/1', site: SITE, restarts: [40, 42] } }]);
      expect(await database.site(SITE)).toMatchObject({ messages: '2', highest_seq: '2', conflicts: '1', unknown_kind: '2', duplicates: '0' });

      const tables = await database.query<{ table_name: string }>(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'`);
      let dump = '';
      for (const { table_name: table } of tables) {
        for (const row of await database.query<{ line: string }>(`SELECT row_to_json(t)::text AS line FROM "${table}" t`)) dump += `${row.line}\n`;
      }
      expect(scanBytes('database rows', Buffer.from(dump), PROBES)).toEqual([]);
      expect(scanBytes('collector log', Buffer.from(logText), PROBES)).toEqual([]);
      await postgres.stop();
      const files = scanDirectory(path.join(postgres.dir, 'data'), PROBES);
      await postgres.start();
      expect(files.bytesScanned).toBeGreaterThan(1_000_000);
      expect(files.sightings).toEqual([]);
    } finally {
      await publisher.close();
      await collector.stop();
      await database.close();
      await mosquitto.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
