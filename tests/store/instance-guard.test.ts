import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isGatewayError } from '../../src/errors.js';
import { InstanceGuard, lockDirectoryPathFor, pidFilePathFor } from '../../src/store/instance-guard.js';
import { GatewayDatabase } from '../../src/store/open-database.js';
import { captureLogger, makeTempDirectory, type TempDirectory } from './fixtures/temp-directory.js';
import { thrownBy } from '../support/thrown-by.js';

let temp: TempDirectory;
let pidPath: string;
let lockPath: string;

/** The pid of a process that has already exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', '']);
  if (child.pid === undefined) throw new Error('could not start a short-lived process');
  return child.pid;
}


beforeEach(() => {
  temp = makeTempDirectory();
  pidPath = pidFilePathFor(temp.databasePath);
  lockPath = lockDirectoryPathFor(temp.databasePath);
});

afterEach(() => temp.remove());

describe('InstanceGuard', () => {
  it('writes our pid on the first line of <db>.pid and removes it on release', () => {
    const guard = InstanceGuard.acquire(temp.databasePath);
    expect(fs.readFileSync(pidPath, 'utf8').split('\n')[0]).toBe(String(process.pid));
    expect(guard.tookOverFromDeadOwner).toBe(false);
    guard.release();
    expect(fs.existsSync(pidPath)).toBe(false);
  });

  it('refuses when the pid file names another live process, naming its pid', () => {
    fs.writeFileSync(pidPath, `${process.ppid}\n`);
    const error = thrownBy(() => InstanceGuard.acquire(temp.databasePath));
    expect(isGatewayError(error, 'HGW_STORE_IN_USE')).toBe(true);
    expect((error as Error).message).toContain(`process ${process.ppid}`);
    expect(fs.readFileSync(pidPath, 'utf8')).toBe(`${process.ppid}\n`);
  });

  it('takes over from a dead owner', () => {
    const dead = deadPid();
    fs.writeFileSync(pidPath, `${dead}\n`);
    const guard = InstanceGuard.acquire(temp.databasePath);
    expect(guard.tookOverFromDeadOwner).toBe(true);
    expect(guard.deadOwnerPid).toBe(dead);
    expect(fs.readFileSync(pidPath, 'utf8').split('\n')[0]).toBe(String(process.pid));
    guard.release();
  });

  it('takes over when the recorded pid is alive but belongs to a process started later (pid reuse)', () => {
    fs.writeFileSync(pidPath, `${process.ppid}\nboot - start 1\n`);
    const guard = InstanceGuard.acquire(temp.databasePath);
    expect(guard.tookOverFromDeadOwner).toBe(true);
    guard.release();
  });

  it('takes over a pid file of its own pid written during an earlier boot', () => {
    fs.writeFileSync(pidPath, `${process.pid}\nboot 00000000-0000-0000-0000-000000000000 start 1\n`);
    const guard = InstanceGuard.acquire(temp.databasePath);
    expect(guard.tookOverFromDeadOwner).toBe(true);
    guard.release();
  });

  it('takes over an empty pid file (a crash between create and write)', () => {
    fs.writeFileSync(pidPath, '');
    const guard = InstanceGuard.acquire(temp.databasePath);
    expect(guard.tookOverFromDeadOwner).toBe(true);
    expect(guard.deadOwnerPid).toBeUndefined();
    guard.release();
  });

  it('removes a stale lock directory only after taking over from a dead owner', () => {
    fs.writeFileSync(pidPath, `${deadPid()}\n`);
    fs.mkdirSync(lockPath);
    const guard = InstanceGuard.acquire(temp.databasePath);
    expect(guard.removeStaleLockDirectory()).toBe(true);
    expect(fs.existsSync(lockPath)).toBe(false);
    guard.release();
  });

  it('refuses to remove a lock directory that no gateway pid file accounts for', () => {
    fs.mkdirSync(lockPath);
    const guard = InstanceGuard.acquire(temp.databasePath);
    expect(isGatewayError(thrownBy(() => guard.removeStaleLockDirectory()), 'HGW_STORE_IN_USE')).toBe(true);
    expect(fs.existsSync(lockPath)).toBe(true);
    guard.release();
  });

  it('does not delete a pid file another process claimed after this guard released', () => {
    const guard = InstanceGuard.acquire(temp.databasePath);
    fs.writeFileSync(pidPath, `${process.ppid}\n`);
    guard.release();
    expect(fs.existsSync(pidPath)).toBe(true);
  });
});

describe('GatewayDatabase.open after a crash', () => {
  it('removes the stale lock left by a dead owner, logs it, and opens', () => {
    GatewayDatabase.open({ path: temp.databasePath, logger: captureLogger().logger }).close();
    const dead = deadPid();
    fs.writeFileSync(pidPath, `${dead}\n`);
    fs.mkdirSync(lockPath);
    const { logger, lines } = captureLogger();
    const db = GatewayDatabase.open({ path: temp.databasePath, logger });
    try {
      expect(db.quickCheck()).toBe('ok');
      expect(lines.map((line) => line.msg)).toContain('removed stale database lock left by a crash');
      expect(lines.find((line) => line.deadOwnerPid === dead)).toBeDefined();
    } finally {
      db.close();
    }
  });

  it('refuses to open while a live process holds the pid file, leaving its lock alone', () => {
    fs.writeFileSync(pidPath, `${process.ppid}\n`);
    fs.mkdirSync(lockPath);
    const error = thrownBy(() => GatewayDatabase.open({ path: temp.databasePath, logger: captureLogger().logger }));
    expect(isGatewayError(error, 'HGW_STORE_IN_USE')).toBe(true);
    expect(fs.existsSync(lockPath)).toBe(true);
    expect(fs.readFileSync(pidPath, 'utf8')).toBe(`${process.ppid}\n`);
  });

  it('refuses to open when a lock directory exists without a pid file, and leaves no pid file', () => {
    fs.mkdirSync(lockPath);
    const error = thrownBy(() => GatewayDatabase.open({ path: temp.databasePath, logger: captureLogger().logger }));
    expect(isGatewayError(error, 'HGW_STORE_IN_USE')).toBe(true);
    expect(fs.existsSync(lockPath)).toBe(true);
    expect(fs.existsSync(pidPath)).toBe(false);
  });
});
