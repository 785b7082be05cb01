import fs from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isGatewayError } from '../../src/errors.js';
import { WalSync, type FsyncFunction } from '../../src/store/wal-sync.js';
import { captureLogger, makeTempDirectory, type TempDirectory } from './fixtures/temp-directory.js';

let temp: TempDirectory;
let walPath: string;

/** An fsync the test finishes by hand, one call at a time. */
function heldFsync(): { fsync: FsyncFunction; calls: number[]; finish: (error?: NodeJS.ErrnoException) => void } {
  const pending: Array<(error: NodeJS.ErrnoException | null) => void> = [];
  const calls: number[] = [];
  return {
    calls,
    fsync: (fd, done) => {
      calls.push(fd);
      pending.push(done);
    },
    finish: (error) => {
      const done = pending.shift();
      if (!done) throw new Error('no fsync is running');
      done(error ?? null);
    },
  };
}

/** The descriptor is opened off the event loop first: wait for the fsync to be asked for. */
async function untilFsyncCalls(held: { calls: number[] }, count: number): Promise<void> {
  for (let turn = 0; held.calls.length < count; turn++) {
    if (turn > 10_000) throw new Error(`fsync was called ${held.calls.length} times, not ${count}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

beforeEach(() => {
  temp = makeTempDirectory('hgw-wal-sync-');
  walPath = `${temp.databasePath}-wal`;
  fs.writeFileSync(walPath, 'frames');
});

afterEach(() => temp.remove());

describe('WalSync', () => {
  it('answers at once when nothing was requested', async () => {
    await expect(new WalSync(walPath, captureLogger().logger).whenSynced()).resolves.toBeUndefined();
  });

  it('lets the requests made while an fsync runs share the next one: a burst costs two fsyncs', async () => {
    const held = heldFsync();
    const sync = new WalSync(walPath, captureLogger().logger, held.fsync);
    sync.request();
    const first = sync.whenSynced();
    for (let i = 0; i < 10; i++) sync.request();
    const burst = sync.whenSynced();
    let burstDone = false;
    void burst.then(() => (burstDone = true));
    await untilFsyncCalls(held, 1);
    held.finish();
    await first;
    await untilFsyncCalls(held, 2);
    expect(burstDone).toBe(false);
    held.finish();
    await burst;
    expect(held.calls).toHaveLength(2);
  });

  it('rejects the waiters of a failed fsync with one clear line, and a later write gets a fresh fsync', async () => {
    const held = heldFsync();
    const { logger, lines } = captureLogger();
    const sync = new WalSync(walPath, logger, held.fsync);
    sync.request();
    const failed = sync.whenSynced();
    await untilFsyncCalls(held, 1);
    held.finish(Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' }));
    const error = await failed.catch((caught: unknown) => caught);
    expect(isGatewayError(error) && error.code).toBe('HGW_STORE_UNWRITABLE');
    expect((error as Error).message).toBe('fsync of the database journal failed: EIO');
    expect(lines.filter((line) => line.level === 50)).toHaveLength(1);

    sync.request();
    const later = sync.whenSynced();
    await untilFsyncCalls(held, 2);
    held.finish();
    await expect(later).resolves.toBeUndefined();
    expect(held.calls).toHaveLength(2);
  });

  it('says so when the journal file cannot be opened, and keeps no descriptor', async () => {
    fs.rmSync(walPath);
    const sync = new WalSync(walPath, captureLogger().logger);
    sync.request();
    await expect(sync.whenSynced()).rejects.toThrow(/fsync of the database journal failed: ENOENT/);
    fs.writeFileSync(walPath, 'frames');
    sync.request();
    await expect(sync.whenSynced()).resolves.toBeUndefined();
    sync.close();
  });

  it('closes its descriptor only after the running fsync, and ignores requests once closed', async () => {
    const held = heldFsync();
    const sync = new WalSync(walPath, captureLogger().logger, held.fsync);
    sync.request();
    const done = sync.whenSynced();
    await untilFsyncCalls(held, 1);
    sync.close();
    const fd = held.calls[0] ?? -1;
    expect(fs.fstatSync(fd).size).toBe('frames'.length);
    held.finish();
    await done;
    expect(() => fs.fstatSync(fd)).toThrow(/EBADF/);
    sync.request();
    expect(held.calls).toHaveLength(1);
  });

  it('syncs a real file with the real fsync', async () => {
    const sync = new WalSync(walPath, captureLogger().logger);
    sync.request();
    sync.request();
    await expect(sync.whenSynced()).resolves.toBeUndefined();
    sync.close();
  });
});
