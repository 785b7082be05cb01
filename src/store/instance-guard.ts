import fs from 'node:fs';
import path from 'node:path';
import { GatewayError } from '../errors.js';

/**
 * One process per database file. node-sqlite3-wasm locks with a `<db>.lock` directory that a
 * crashed process leaves behind, after which every open fails with "database is locked". The lock
 * directory cannot say whether its owner is alive; this pid file can, so the stale lock is removed
 * only once the guard has proved that the process that held it is gone.
 *
 * The pid file's first line is the pid (so `kill $(head -1 <db>.pid)` works); the second records
 * the boot id and the process start time, so a pid reused after a reboot, or by another process,
 * is not mistaken for the owner.
 */
interface ProcessIdentity {
  readonly pid: number;
  readonly bootId: string | undefined;
  readonly startTicks: string | undefined;
}

/** Attempts at claiming a pid file that keeps changing under us before giving up. */
const CLAIM_ATTEMPTS = 3;

export function pidFilePathFor(databasePath: string): string {
  return `${databasePath}.pid`;
}

export function lockDirectoryPathFor(databasePath: string): string {
  return `${databasePath}.lock`;
}

export class InstanceGuard {
  readonly databasePath: string;
  readonly pidFilePath: string;
  /** True when the guard took over the pid file of an owner that is no longer running. */
  readonly tookOverFromDeadOwner: boolean;
  /** The dead owner's pid, when its pid file could be read. */
  readonly deadOwnerPid: number | undefined;
  #held = true;

  private constructor(databasePath: string, deadOwner: { pid: number | undefined } | undefined) {
    this.databasePath = databasePath;
    this.pidFilePath = pidFilePathFor(databasePath);
    this.tookOverFromDeadOwner = deadOwner !== undefined;
    this.deadOwnerPid = deadOwner?.pid;
  }

  /** Claims the database for this process, or throws HGW_STORE_IN_USE naming the live owner's pid. */
  static acquire(databasePath: string): InstanceGuard {
    const pidPath = pidFilePathFor(databasePath);
    const self = identityOf(process.pid);
    let deadOwner: { pid: number | undefined } | undefined;
    for (let attempt = 0; attempt < CLAIM_ATTEMPTS; attempt += 1) {
      if (writeExclusively(pidPath, self)) return new InstanceGuard(databasePath, deadOwner);
      const text = readIfPresent(pidPath);
      if (text === undefined) continue;
      const owner = parsePidFile(text);
      if (owner && isAlive(owner)) {
        const who = owner.pid === process.pid ? 'this process' : `process ${owner.pid}`;
        throw new GatewayError('HGW_STORE_IN_USE', `database is already open in ${who} (pid file ${path.basename(pidPath)})`);
      }
      moveAsideIfUnchanged(pidPath, text);
      deadOwner = { pid: owner?.pid };
    }
    throw new GatewayError('HGW_STORE_IN_USE', `pid file ${path.basename(pidPath)} keeps changing: another process is starting on this database`);
  }

  get held(): boolean {
    return this.#held;
  }

  /**
   * Removes a `<db>.lock` directory left by a crash. Only a guard that took over from a dead owner
   * may do so: a lock directory with no pid file belongs to something that is not this gateway,
   * and deleting it could let two writers corrupt the file. Returns whether a lock was removed.
   */
  removeStaleLockDirectory(): boolean {
    if (!this.#held) throw new Error('instance guard already released');
    const lockPath = lockDirectoryPathFor(this.databasePath);
    if (!fs.existsSync(lockPath)) return false;
    if (!this.tookOverFromDeadOwner) {
      throw new GatewayError(
        'HGW_STORE_IN_USE',
        `${path.basename(lockPath)} exists but no gateway process owned the database: another program may have it open`,
      );
    }
    fs.rmdirSync(lockPath);
    return true;
  }

  release(): void {
    if (!this.#held) return;
    this.#held = false;
    const text = readIfPresent(this.pidFilePath);
    // Never delete a pid file another process has since claimed.
    if (text !== undefined && parsePidFile(text)?.pid === process.pid) fs.rmSync(this.pidFilePath, { force: true });
  }
}

/** Creates the pid file only if none exists; written and synced before the database is touched. */
function writeExclusively(pidPath: string, identity: ProcessIdentity): boolean {
  let fd: number;
  try {
    fd = fs.openSync(pidPath, 'wx', 0o600);
  } catch (error) {
    if (errorCode(error) === 'EEXIST') return false;
    throw new GatewayError('HGW_STORE_UNWRITABLE', `cannot create pid file ${path.basename(pidPath)}: ${errorCode(error) ?? 'unknown error'}`, { cause: error });
  }
  try {
    fs.writeSync(fd, `${identity.pid}\nboot ${identity.bootId ?? '-'} start ${identity.startTicks ?? '-'}\n`);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  syncDirectory(path.dirname(pidPath));
  return true;
}

/**
 * Moves a stale pid file out of the way, then checks that what was moved is the file judged stale:
 * two processes starting at once could otherwise delete each other's fresh claim.
 */
function moveAsideIfUnchanged(pidPath: string, staleText: string): void {
  const aside = `${pidPath}.stale-${process.pid}`;
  try {
    fs.renameSync(pidPath, aside);
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return;
    throw error;
  }
  const moved = readIfPresent(aside);
  if (moved !== staleText) {
    try {
      fs.linkSync(aside, pidPath);
    } catch {
      // The other process has claimed again meanwhile; its newer file stands.
    }
    fs.rmSync(aside, { force: true });
    throw new GatewayError('HGW_STORE_IN_USE', `another process took over ${path.basename(pidPath)} at the same time`);
  }
  fs.rmSync(aside, { force: true });
}

function parsePidFile(text: string): ProcessIdentity | undefined {
  const [first, second] = text.split('\n');
  const pid = Number(first?.trim());
  if (!Number.isSafeInteger(pid) || pid <= 0) return undefined;
  const match = /^boot (\S+) start (\S+)$/.exec(second?.trim() ?? '');
  const known = (value: string | undefined): string | undefined => (value === undefined || value === '-' ? undefined : value);
  return { pid, bootId: known(match?.[1]), startTicks: known(match?.[2]) };
}

function isAlive(owner: ProcessIdentity): boolean {
  const bootId = currentBootId();
  if (owner.bootId !== undefined && bootId !== undefined && owner.bootId !== bootId) return false;
  try {
    process.kill(owner.pid, 0);
  } catch (error) {
    // EPERM: it exists but belongs to another user, which still means alive.
    if (errorCode(error) === 'ESRCH') return false;
  }
  const startTicks = startTicksOf(owner.pid);
  return owner.startTicks === undefined || startTicks === undefined || owner.startTicks === startTicks;
}

function identityOf(pid: number): ProcessIdentity {
  return { pid, bootId: currentBootId(), startTicks: startTicksOf(pid) };
}

/** Linux only; elsewhere undefined and the guard falls back to the pid alone. */
function currentBootId(): string | undefined {
  return readIfPresent('/proc/sys/kernel/random/boot_id')?.trim() || undefined;
}

/** Field 22 of /proc/<pid>/stat: start time in clock ticks since boot. */
function startTicksOf(pid: number): string | undefined {
  const stat = readIfPresent(`/proc/${pid}/stat`);
  if (stat === undefined) return undefined;
  // The command name (field 2) may hold spaces and parentheses; fields after it are plain.
  const fieldsAfterName = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return fieldsAfterName[19];
}

function readIfPresent(filePath: string): string | undefined {
  try {
    return fs.readFileSync(filePath, 'utf8');
  } catch {
    return undefined;
  }
}

function syncDirectory(directory: string): void {
  try {
    const fd = fs.openSync(directory, 'r');
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    // Some file systems refuse fsync on a directory; the file itself is already synced.
  }
}

function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}
