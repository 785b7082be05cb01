import { describe, expect, it } from 'vitest';
import { FaultRegister, StoreFaultWatch } from '../../src/health/index.js';
import type { RaiseIncident } from '../../src/incidents/index.js';
import { silentLogger } from '../../src/log/logger.js';
import { storageFailureOf, type StorageFailure } from '../../src/store/storage-failure.js';
import { GatewayError } from '../../src/errors.js';
import { ManualScheduler } from '../../src/time/scheduler.js';

describe('storageFailureOf', () => {
  it.each<[string, unknown, StorageFailure | undefined]>([
    ['SQLITE_FULL', new Error('database or disk is full'), 'full'],
    ['SQLITE_IOERR', new Error('disk I/O error'), 'io-error'],
    ['SQLITE_READONLY', new Error('attempt to write a readonly database'), 'read-only'],
    ['ENOSPC from fs', Object.assign(new Error('write failed'), { code: 'ENOSPC' }), 'full'],
    ['EIO from fs', Object.assign(new Error('fsync failed'), { code: 'EIO' }), 'io-error'],
    ['EROFS from fs', Object.assign(new Error('open failed'), { code: 'EROFS' }), 'read-only'],
    ['a failed fsync wrapped in HGW_STORE_UNWRITABLE', new GatewayError('HGW_STORE_UNWRITABLE', 'wal fsync failed', { cause: Object.assign(new Error('x'), { code: 'EIO' }) }), 'io-error'],
    ['a constraint', new Error('UNIQUE constraint failed: contacts.reference'), undefined],
    ['not an error', 'database or disk is full', undefined],
  ])('%s', (_name, error, expected) => {
    expect(storageFailureOf(error)).toBe(expected);
  });
});

function watched(diskFull = false, readOnly = false) {
  const scheduler = new ManualScheduler(0);
  const faults = new FaultRegister({ clock: scheduler.clock, logger: silentLogger() });
  const listeners = new Set<(failure: StorageFailure) => void>();
  const incidents: RaiseIncident[] = [];
  let writable = false;
  const watch = new StoreFaultWatch({
    failures: { onStorageFailure: (listener) => (listeners.add(listener), () => listeners.delete(listener)) },
    probe: () => {
      if (!writable) throw new Error('disk I/O error');
    },
    faults,
    incidents: { raise: (incident) => (incidents.push(incident), { incident: {} as never, folded: false }) },
    scheduler,
    logger: silentLogger(),
    diskFull: () => diskFull,
    readOnly: () => readOnly,
  });
  watch.start();
  const fail = (failure: StorageFailure): void => listeners.forEach((listener) => listener(failure));
  return { scheduler, faults, incidents, watch, fail, setWritable: (value: boolean) => (writable = value), listeners };
}

describe('StoreFaultWatch', () => {
  it('raises HGW_STORE_IO_ERROR and one integrity incident for an SD card I/O error, probes every 30 s and clears when a write succeeds', () => {
    const { scheduler, faults, incidents, fail, setWritable } = watched();
    fail('io-error');
    fail('io-error');
    expect(faults.codes()).toEqual(['HGW_STORE_IO_ERROR']);
    expect(faults.accepting()).toBe(false);
    expect(incidents).toEqual([expect.objectContaining({ kind: 'integrity-failure', severity: 'high' })]);
    scheduler.advance(30_000);
    expect(faults.codes()).toEqual(['HGW_STORE_IO_ERROR']);
    setWritable(true);
    scheduler.advance(29_999);
    expect(faults.accepting()).toBe(false);
    scheduler.advance(1);
    expect(faults.codes()).toEqual([]);
    expect(scheduler.pending).toBe(0);
  });

  it('takes an I/O error on a full disk for what it is (node-sqlite3-wasm reports ENOSPC so): HGW_STORE_UNWRITABLE, no incident', () => {
    const { faults, incidents, fail } = watched(true);
    fail('io-error');
    expect(faults.codes()).toEqual(['HGW_STORE_UNWRITABLE']);
    expect(incidents).toEqual([]);
  });

  it('takes an I/O error on a file system the kernel made read-only for what it is (EROFS is reported so too): HGW_STORE_UNWRITABLE, no incident', () => {
    const { faults, incidents, fail } = watched(false, true);
    fail('io-error');
    expect(faults.codes()).toEqual(['HGW_STORE_UNWRITABLE']);
    expect(incidents).toEqual([]);
  });

  it('raises HGW_STORE_UNWRITABLE without an incident for a full or read-only store, and stops listening when stopped', () => {
    const { faults, incidents, fail, watch, listeners, scheduler } = watched();
    fail('full');
    fail('read-only');
    expect(faults.codes()).toEqual(['HGW_STORE_UNWRITABLE']);
    expect(incidents).toEqual([]);
    watch.stop();
    expect(listeners.size).toBe(0);
    expect(scheduler.pending).toBe(0);
  });
});
