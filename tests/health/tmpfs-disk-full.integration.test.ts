import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DiskSpaceWatch, FaultRegister, StoreFaultWatch } from '../../src/health/index.js';
import { silentLogger } from '../../src/log/logger.js';
import { GatewayDatabase } from '../../src/store/open-database.js';
import { ManualScheduler } from '../../src/time/scheduler.js';

const KB = 1024;
const MB = 1024 * KB;
let mountPoint: string | undefined;
let database: GatewayDatabase | undefined;

afterEach(() => {
  if (database?.isOpen) database.close();
  database = undefined;
  if (mountPoint) {
    execFileSync('umount', [mountPoint]);
    rmSync(mountPoint, { recursive: true, force: true });
  }
  mountPoint = undefined;
});

/** A 4 MB tmpfs in a temp dir; undefined (with the reason) where this user may not mount. */
function smallFileSystem(): { path: string } | { refused: string } {
  const path = mkdtempSync(join(tmpdir(), 'hgw-tmpfs-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m,mode=0700', 'tmpfs', path], { stdio: 'pipe' });
  } catch (error) {
    rmSync(path, { recursive: true, force: true });
    return { refused: String((error as { stderr?: Buffer }).stderr ?? error) };
  }
  mountPoint = path;
  return { path };
}

function put(db: GatewayDatabase, key: string, bytes: number): void {
  db.transaction(() => db.run('INSERT INTO meta (key, value) VALUES (?, ?)', [key, 'x'.repeat(bytes)]));
}

describe('a real file system that fills up (tmpfs of 4 MB)', () => {
  it('stops intake below the threshold and on SQLITE_FULL, keeps every committed row intact, and resumes once space is freed', async () => {
    const mounted = smallFileSystem();
    if ('refused' in mounted) {
      // Only root may mount; as anyone else this test says so instead of passing silently.
      expect(process.getuid?.(), `mounting a tmpfs was refused (${mounted.refused.trim()}); run as root to test a real full disk`).not.toBe(0);
      return;
    }
    const db = (database = GatewayDatabase.open({ path: join(mounted.path, 'gateway.db'), logger: silentLogger() }));
    const scheduler = new ManualScheduler(0);
    const faults = new FaultRegister({ clock: scheduler.clock, logger: silentLogger() });
    const incidents: string[] = [];
    const disk = new DiskSpaceWatch({ path: mounted.path, faults, scheduler, logger: silentLogger(), warnBelowBytes: 2 * MB, stopBelowBytes: 1 * MB, intervalMs: 60_000 });
    const store = new StoreFaultWatch({
      failures: db,
      diskFull: () => (disk.check(), faults.has('HGW_DISK_FULL')),
      probe: () => put(db, `probe-${scheduler.clock.now()}`, 16),
      faults,
      incidents: { raise: (incident) => (incidents.push(incident.kind), { incident: {} as never, folded: false }) },
      scheduler,
      logger: silentLogger(),
    });
    store.start();

    disk.check();
    expect(faults.codes()).toEqual([]);
    expect(disk.lastReading()?.totalBytes).toBe(4 * MB);

    // Something else fills the card (logs, say): below 1 MB free, intake stops before SQLite runs out.
    const ballast = join(mounted.path, 'ballast');
    writeFileSync(ballast, Buffer.alloc(Math.floor(3.2 * MB)));
    disk.check();
    expect(faults.codes()).toEqual(['HGW_DISK_FULL']);
    expect(faults.accepting()).toBe(false);

    // Whatever still writes runs into the wall, rolled back and reported. node-sqlite3-wasm's file
    // layer reports the full disk as "disk I/O error"; the watch asks the disk and does not take it
    // for a failing card: no HGW_STORE_IO_ERROR, no incident.
    let committed = 0;
    let refused: unknown;
    for (let i = 0; i < 1_000; i++) {
      try {
        put(db, `row-${i}`, 8 * KB);
        committed += 1;
      } catch (error) {
        refused = error;
        break;
      }
    }
    expect(String(refused)).toMatch(/database or disk is full|disk I\/O error/);
    expect(faults.codes()).toEqual(['HGW_DISK_FULL', 'HGW_STORE_UNWRITABLE']);
    expect(incidents).toEqual([]);
    expect(db.quickCheck()).toBe('ok');
    expect(db.get<{ n: number }>("SELECT count(*) AS n FROM meta WHERE key LIKE 'row-%'")?.n).toBe(committed);

    // Space is freed: the next looks clear both faults and intake resumes by itself.
    unlinkSync(ballast);
    disk.check();
    scheduler.advance(30_000);
    expect(faults.codes()).toEqual([]);
    expect(faults.accepting()).toBe(true);
    put(db, 'after', 8 * KB);
    expect(db.get<{ n: number }>("SELECT count(*) AS n FROM meta WHERE key LIKE 'row-%'")?.n).toBe(committed);
    expect(db.quickCheck()).toBe('ok');
    store.stop();
  });
});
