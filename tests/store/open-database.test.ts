import fs from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isGatewayError } from '../../src/errors.js';
import { silentLogger } from '../../src/log/index.js';
import { lockDirectoryPathFor, pidFilePathFor } from '../../src/store/instance-guard.js';
import { GatewayDatabase, verifyPragmas, type JournalMode } from '../../src/store/open-database.js';
import { migrations } from '../../src/store/schema.js';
import { makeTempDirectory, type TempDirectory } from './fixtures/temp-directory.js';
import { thrownBy } from '../support/thrown-by.js';

let temp: TempDirectory;
const opened: GatewayDatabase[] = [];

function open(journalMode?: JournalMode): GatewayDatabase {
  const db = GatewayDatabase.open({ path: temp.databasePath, logger: silentLogger(), ...(journalMode ? { journalMode } : {}) });
  opened.push(db);
  return db;
}


beforeEach(() => {
  temp = makeTempDirectory();
});

afterEach(() => {
  for (const db of opened.splice(0)) db.close();
  temp.remove();
});

describe('GatewayDatabase.open', () => {
  it.each(['WAL', 'TRUNCATE'] as const)('reads back every pragma as set, in %s mode', (mode) => {
    const report = open(mode).pragmaReport();
    expect(report).toMatchObject({
      locking_mode: 'exclusive',
      journal_mode: mode.toLowerCase(),
      synchronous: 2,
      secure_delete: 1,
      temp_store: 2,
      foreign_keys: 1,
      cache_size: -65_536,
      user_version: migrations.length,
    });
  });

  it('uses WAL when no journal mode is given', () => {
    const db = open();
    expect(db.journalMode).toBe('WAL');
    expect(db.pragmaReport().journal_mode).toBe('wal');
  });

  it('reopens a WAL file in TRUNCATE mode and back', () => {
    open('WAL').close();
    expect(open('TRUNCATE').pragmaReport().journal_mode).toBe('truncate');
    opened.splice(0).forEach((db) => db.close());
    expect(open('WAL').pragmaReport().journal_mode).toBe('wal');
  });

  it('refuses a second open of the same file while the first is open', () => {
    open();
    const error = thrownBy(() => open());
    expect(isGatewayError(error, 'HGW_STORE_IN_USE')).toBe(true);
    expect(String((error as Error).message)).toContain(`pid file ${'gateway.db.pid'}`);
  });

  it('opens again once the first connection is closed, leaving no pid file or lock behind', () => {
    open().close();
    expect(fs.existsSync(pidFilePathFor(temp.databasePath))).toBe(false);
    expect(fs.existsSync(lockDirectoryPathFor(temp.databasePath))).toBe(false);
    expect(open().quickCheck()).toBe('ok');
  });

  it('runs quick_check and integrity_check', () => {
    const db = open();
    expect(db.quickCheck()).toBe('ok');
    expect(db.integrityCheck()).toBe('ok');
  });

  it('refuses a file that is not a database with HGW_STORE_INTEGRITY and releases the guard', () => {
    fs.writeFileSync(temp.databasePath, Buffer.alloc(8192, 0x5a));
    const error = thrownBy(() => open());
    expect(isGatewayError(error, 'HGW_STORE_INTEGRITY')).toBe(true);
    expect(fs.existsSync(pidFilePathFor(temp.databasePath))).toBe(false);
    expect(fs.existsSync(lockDirectoryPathFor(temp.databasePath))).toBe(false);
  });

  it('refuses a damaged database with HGW_STORE_INTEGRITY', () => {
    const db = open('TRUNCATE');
    db.transaction(() => {
      for (let i = 0; i < 2000; i += 1) db.run('INSERT INTO meta (key, value) VALUES (?, ?)', [`key-${i}`, 'v'.repeat(40)]);
    });
    const pageSize = Number(db.pragmaReport().page_size);
    db.close();
    opened.splice(0);
    const bytes = fs.readFileSync(temp.databasePath);
    // Scribble over every page but the first (the schema), as a failing flash block would.
    for (let offset = pageSize + 100; offset < bytes.length; offset += pageSize) bytes.fill(0xa5, offset, offset + 64);
    fs.writeFileSync(temp.databasePath, bytes);
    expect(isGatewayError(thrownBy(() => open('TRUNCATE')), 'HGW_STORE_INTEGRITY')).toBe(true);
  });
});

describe('verifyPragmas', () => {
  const good = { locking_mode: 'exclusive', journal_mode: 'wal', synchronous: 2, secure_delete: 1, temp_store: 2, foreign_keys: 1, cache_size: -65_536 };

  it('accepts the expected values', () => {
    expect(() => verifyPragmas(good, 'WAL')).not.toThrow();
  });

  it.each([
    ['locking_mode', 'normal'],
    ['journal_mode', 'delete'],
    ['synchronous', 1],
    ['secure_delete', 0],
    ['temp_store', 0],
    ['foreign_keys', 0],
    ['cache_size', -2000],
  ] as const)('names %s, the expected and the actual value when it did not take', (name, actual) => {
    const error = thrownBy(() => verifyPragmas({ ...good, [name]: actual }, 'WAL'));
    expect(isGatewayError(error, 'HGW_STORE_PRAGMA')).toBe(true);
    expect((error as Error).message).toMatch(new RegExp(`^pragma ${name}: expected \\S+, got ${actual}$`));
  });
});

describe('GatewayDatabase transactions and statements', () => {
  const count = (db: GatewayDatabase): number => db.get<{ n: number }>('SELECT count(*) AS n FROM meta')?.n ?? -1;

  it('commits a transaction and returns its value', () => {
    const db = open();
    expect(db.transaction(() => db.run('INSERT INTO meta (key, value) VALUES (?, ?)', ['a', '1']).changes)).toBe(1);
    expect(count(db)).toBe(1);
  });

  it('rolls back everything when the callback throws, nested calls included', () => {
    const db = open();
    expect(() =>
      db.transaction(() => {
        db.run('INSERT INTO meta (key, value) VALUES (?, ?)', ['a', '1']);
        db.transaction(() => {
          db.run('INSERT INTO meta (key, value) VALUES (?, ?)', ['b', '2']);
          throw new Error('inner failure');
        });
      }),
    ).toThrow('inner failure');
    expect(count(db)).toBe(0);
    expect(db.inTransaction).toBe(false);
  });

  it('lets a nested call join the outer transaction', () => {
    const db = open();
    db.transaction(() => {
      db.run('INSERT INTO meta (key, value) VALUES (?, ?)', ['a', '1']);
      db.transaction(() => db.run('INSERT INTO meta (key, value) VALUES (?, ?)', ['b', '2']));
      expect(db.inTransaction).toBe(true);
    });
    expect(count(db)).toBe(2);
  });

  it('refuses an async callback and rolls back what it did before its first await', () => {
    const db = open();
    expect(() =>
      db.transaction(async () => {
        db.run('INSERT INTO meta (key, value) VALUES (?, ?)', ['a', '1']);
        await Promise.resolve();
      }),
    ).toThrow(TypeError);
    expect(count(db)).toBe(0);
  });

  it('accepts named parameters and returns undefined for no row', () => {
    const db = open();
    db.run('INSERT INTO meta (key, value) VALUES (:key, :value)', { ':key': 'k', ':value': 'v' });
    expect(db.get<{ value: string }>('SELECT value FROM meta WHERE key = ?', ['k'])).toEqual({ value: 'v' });
    expect(db.get('SELECT value FROM meta WHERE key = ?', ['missing'])).toBeUndefined();
  });

  it('checkpoints after a read, and refuses to checkpoint inside a transaction', () => {
    const db = open('WAL');
    db.run('INSERT INTO meta (key, value) VALUES (?, ?)', ['a', '1']);
    db.get('SELECT key FROM meta');
    expect(() => db.checkpoint()).not.toThrow();
    expect(fs.statSync(`${temp.databasePath}-wal`).size).toBe(0);
    expect(() => db.transaction(() => db.checkpoint())).toThrow(/inside a transaction/);
  });

  it('commits a bulk transaction without its own fsync in WAL mode only, and is back to synchronous=FULL afterwards, also after a failure', () => {
    const synchronous = (db: GatewayDatabase): number | undefined => db.get<{ synchronous: number }>('PRAGMA synchronous')?.synchronous;
    const wal = open('WAL');
    const seen: (number | undefined)[] = [];
    wal.bulkTransaction(() => {
      seen.push(synchronous(wal));
      wal.run('INSERT INTO meta (key, value) VALUES (?, ?)', ['a', '1']);
    });
    expect(() => wal.bulkTransaction(() => {
      wal.run('INSERT INTO meta (key, value) VALUES (?, ?)', ['b', '2']);
      throw new Error('range failed');
    })).toThrow(/range failed/);
    expect([seen, synchronous(wal), count(wal)]).toEqual([[1], 2, 1]);
    wal.transaction(() => wal.bulkTransaction(() => seen.push(synchronous(wal))));
    expect(seen).toEqual([1, 2]);
    wal.close();

    const truncate = open('TRUNCATE');
    truncate.bulkTransaction(() => seen.push(synchronous(truncate)));
    expect(seen).toEqual([1, 2, 2]);
  });

  it('commits a call-path transaction to the WAL without waiting for its fsync, which follows off the event loop', async () => {
    const synchronous = (db: GatewayDatabase): number | undefined => db.get<{ synchronous: number }>('PRAGMA synchronous')?.synchronous;
    const wal = open('WAL');
    const seen: (number | undefined)[] = [];
    const value = wal.transactionSyncedInBackground(() => {
      seen.push(synchronous(wal));
      wal.run('INSERT INTO meta (key, value) VALUES (?, ?)', ['a', '1']);
      return 'kept';
    });
    expect([value, seen, synchronous(wal), count(wal)]).toEqual(['kept', [1], 2, 1]);
    await expect(wal.whenSynced()).resolves.toBeUndefined();
    expect(() => wal.transactionSyncedInBackground(() => {
      wal.run('INSERT INTO meta (key, value) VALUES (?, ?)', ['b', '2']);
      throw new Error('constraint');
    })).toThrow(/constraint/);
    expect([synchronous(wal), count(wal)]).toEqual([2, 1]);
    // Inside an ordinary transaction it joins, and the outer commit is the durable one.
    wal.transaction(() => wal.transactionSyncedInBackground(() => seen.push(synchronous(wal))));
    expect(seen).toEqual([1, 2]);
    // A connection already below FULL stays where it was.
    wal.exec('PRAGMA synchronous = OFF');
    wal.transactionSyncedInBackground(() => seen.push(synchronous(wal)));
    expect([seen, synchronous(wal)]).toEqual([[1, 2, 0], 0]);
    wal.close();

    const truncate = open('TRUNCATE');
    truncate.transactionSyncedInBackground(() => seen.push(synchronous(truncate)));
    expect(seen).toEqual([1, 2, 0, 2]);
    await expect(truncate.whenSynced()).resolves.toBeUndefined();
  });

  it('sets the automatic checkpoint size, refusing what is not a positive whole number', () => {
    const db = open('WAL');
    db.setAutocheckpointPages(250);
    expect(db.get<{ wal_autocheckpoint: number }>('PRAGMA wal_autocheckpoint')?.wal_autocheckpoint).toBe(250);
    expect(() => db.setAutocheckpointPages(0)).toThrow(TypeError);
    expect(() => db.setAutocheckpointPages(1.5)).toThrow(TypeError);
  });

  it('refuses statements after close, and closing twice is harmless', () => {
    const db = open();
    db.get('SELECT count(*) AS n FROM meta');
    db.close();
    db.close();
    expect(db.isOpen).toBe(false);
    expect(() => db.get('SELECT count(*) AS n FROM meta')).toThrow(/closed/);
  });
});
