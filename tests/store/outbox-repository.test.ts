import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log/logger.js';
import { GatewayDatabase } from '../../src/store/open-database.js';
import { DEFAULT_OUTBOX_MAX_BYTES, OutboxRepository } from '../../src/store/outbox-repository.js';
import { thrownBy } from '../support/thrown-by.js';
import { makeTempDirectory, type TempDirectory } from './fixtures/temp-directory.js';

const TOPIC = 'helpline/v1/test-site/stats';

/** A payload of exactly `bytes` bytes carrying `seq`. */
function payload(seq: number, bytes = 100): string {
  const head = JSON.stringify({ seq, pad: '' });
  return head.replace('"pad":""', `"pad":"${'x'.repeat(bytes - head.length)}"`);
}

describe('OutboxRepository byte cap', () => {
  let dir: TempDirectory;
  let db: GatewayDatabase;

  beforeEach(() => {
    dir = makeTempDirectory();
    db = GatewayDatabase.open({ path: dir.databasePath, logger: silentLogger() });
  });

  afterEach(() => {
    db.close();
    dir.remove();
  });

  function enqueue(outbox: OutboxRepository, seq: number, bytes = 100): ReturnType<OutboxRepository['enqueue']> {
    expect(outbox.takeSequenceNumber()).toBe(seq);
    return outbox.enqueue({ topic: TOPIC, payload: payload(seq, bytes), qos: 1, retain: false, createdAt: seq });
  }

  it('defaults to 64 MiB and counts payload bytes (UTF-8)', () => {
    const outbox = new OutboxRepository(db);
    expect(outbox.maxBytes).toBe(DEFAULT_OUTBOX_MAX_BYTES);
    outbox.enqueue({ topic: TOPIC, payload: '{"seq":1,"t":"é"}', qos: 1, retain: false, createdAt: 0 });
    expect(outbox.waitingBytes()).toBe(18);
    expect(outbox.firstWaitingSeq()).toBe(1);
  });

  it('drops the oldest rows first when a new message would pass the cap, and records their seqs', () => {
    const outbox = new OutboxRepository(db, { maxBytes: 500 });
    for (let seq = 1; seq <= 5; seq += 1) expect(enqueue(outbox, seq).dropped).toBe(0);
    expect(outbox.waitingBytes()).toBe(500);

    const outcome = enqueue(outbox, 6, 250);
    expect(outcome).toMatchObject({ dropped: 3, droppedBytes: 300 });
    expect(outbox.oldest(10).map((row) => JSON.parse(row.payload).seq)).toEqual([4, 5, 6]);
    expect(outbox.waitingBytes()).toBe(450);
    expect(outbox.droppedReport()).toEqual({ count: 3, seqRanges: [[1, 3]] });
    expect(outbox.firstWaitingSeq()).toBe(4);
    expect(outbox.lastSequenceNumber()).toBe(6);

    enqueue(outbox, 7, 100);
    expect(outbox.droppedReport()).toEqual({ count: 4, seqRanges: [[1, 4]] });
  });

  it('refuses a message larger than the cap on its own, dropping nothing', () => {
    const outbox = new OutboxRepository(db, { maxBytes: 500 });
    enqueue(outbox, 1);
    const error = thrownBy(() => outbox.enqueue({ topic: TOPIC, payload: payload(2, 501), qos: 1, retain: false, createdAt: 0 }));
    expect(error).toMatchObject({ code: 'HGW_UPSTREAM_TOO_LARGE' });
    expect(String((error as Error).message)).toContain('501-byte');
    expect(outbox.count()).toBe(1);
    expect(outbox.droppedReport().count).toBe(0);
  });

  it("drops inside the caller's transaction: a rollback keeps the old rows and forgets the drop", () => {
    const outbox = new OutboxRepository(db, { maxBytes: 300 });
    for (let seq = 1; seq <= 3; seq += 1) enqueue(outbox, seq);
    expect(() =>
      db.transaction(() => {
        enqueue(outbox, 4);
        throw new Error('period could not be closed');
      }),
    ).toThrow('period could not be closed');
    expect(outbox.oldest(10).map((row) => JSON.parse(row.payload).seq)).toEqual([1, 2, 3]);
    expect(outbox.droppedReport().count).toBe(0);
    expect(outbox.lastSequenceNumber()).toBe(3);
  });

  it('forgets only what an acknowledged birth reported, keeping drops made after it', () => {
    const outbox = new OutboxRepository(db, { maxBytes: 300 });
    for (let seq = 1; seq <= 5; seq += 1) enqueue(outbox, seq);
    const reported = outbox.droppedReport();
    expect(reported).toEqual({ count: 2, seqRanges: [[1, 2]] });
    enqueue(outbox, 6);
    outbox.acknowledgeDropped(reported);
    expect(outbox.droppedReport()).toEqual({ count: 1, seqRanges: [[3, 3]] });
    outbox.acknowledgeDropped(outbox.droppedReport());
    expect(outbox.droppedReport()).toEqual({ count: 0, seqRanges: [] });
  });

  it('keeps the drop report across a reopen (persisted in meta)', () => {
    const outbox = new OutboxRepository(db, { maxBytes: 200 });
    for (let seq = 1; seq <= 3; seq += 1) enqueue(outbox, seq);
    db.close();
    db = GatewayDatabase.open({ path: dir.databasePath, logger: silentLogger() });
    expect(new OutboxRepository(db).droppedReport()).toEqual({ count: 1, seqRanges: [[1, 1]] });
  });
});
