import { describe, expect, it } from 'vitest';
import { DiskSpaceWatch, FaultRegister, type FileSystemStats } from '../../src/health/index.js';
import { silentLogger } from '../../src/log/logger.js';
import { ManualScheduler } from '../../src/time/scheduler.js';

const MB = 1024 * 1024;

function watchedDisk() {
  const scheduler = new ManualScheduler(0);
  const faults = new FaultRegister({ clock: scheduler.clock, logger: silentLogger() });
  let free = 2_000 * MB;
  let broken = false;
  const statfs = (): FileSystemStats => {
    if (broken) throw Object.assign(new Error('statfs failed'), { code: 'EIO' });
    return { bavail: free / 4096, blocks: (8_000 * MB) / 4096, bsize: 4096 };
  };
  const watch = new DiskSpaceWatch({ path: '/var/lib/helpline-gateway/data', faults, scheduler, logger: silentLogger(), warnBelowBytes: 500 * MB, stopBelowBytes: 100 * MB, intervalMs: 60_000, statfs });
  return { scheduler, faults, watch, setFree: (mb: number) => (free = mb * MB), breakStatfs: () => (broken = true) };
}

describe('DiskSpaceWatch', () => {
  it('warns below 500 MB, stops intake below 100 MB, and resumes 10 % above the threshold', () => {
    const { faults, watch, setFree } = watchedDisk();
    expect(watch.check()).toEqual({ freeBytes: 2_000 * MB, totalBytes: 8_000 * MB });
    expect(faults.codes()).toEqual([]);
    setFree(499);
    watch.check();
    expect(faults.codes()).toEqual(['HGW_DISK_LOW']);
    expect(faults.accepting()).toBe(true);
    setFree(99);
    watch.check();
    expect(faults.codes()).toEqual(['HGW_DISK_FULL']);
    expect(faults.accepting()).toBe(false);
    // Freed a little: not yet 110 MB, intake stays stopped (no flapping at the line).
    setFree(105);
    watch.check();
    expect(faults.codes()).toEqual(['HGW_DISK_FULL']);
    setFree(111);
    watch.check();
    expect(faults.codes()).toEqual(['HGW_DISK_LOW']);
    expect(faults.accepting()).toBe(true);
    setFree(600);
    watch.check();
    expect(faults.codes()).toEqual([]);
    expect(watch.lastReading()).toEqual({ freeBytes: 600 * MB, totalBytes: 8_000 * MB });
  });

  it('looks at start and then every interval on the scheduler, and keeps the last reading when statfs fails', () => {
    const { scheduler, faults, watch, setFree, breakStatfs } = watchedDisk();
    watch.start();
    expect(watch.lastReading()?.freeBytes).toBe(2_000 * MB);
    setFree(50);
    scheduler.advance(59_999);
    expect(faults.codes()).toEqual([]);
    scheduler.advance(1);
    expect(faults.codes()).toEqual(['HGW_DISK_FULL']);
    breakStatfs();
    scheduler.advance(60_000);
    expect(watch.lastReading()?.freeBytes).toBe(50 * MB);
    expect(faults.codes()).toEqual(['HGW_DISK_FULL']);
    watch.stop();
    expect(scheduler.pending).toBe(0);
  });

  it('refuses a stop threshold above the warning one', () => {
    const scheduler = new ManualScheduler(0);
    const faults = new FaultRegister({ clock: scheduler.clock, logger: silentLogger() });
    expect(() => new DiskSpaceWatch({ path: '/', faults, scheduler, logger: silentLogger(), warnBelowBytes: MB, stopBelowBytes: 2 * MB, intervalMs: 1000 })).toThrow(TypeError);
  });
});
