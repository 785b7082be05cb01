import { randomBytes } from 'node:crypto';
import { closeSync, fchmodSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { GatewayError } from '../errors.js';

/**
 * Files the export and report commands write: complete or absent after a crash (a temporary file
 * beside the target, fsynced, renamed into place, the directory fsynced), with an exact mode.
 */

function unwritable(path: string, error: unknown): GatewayError {
  const code = (error as NodeJS.ErrnoException).code ?? 'error';
  return new GatewayError('HGW_EXPORT_UNWRITABLE', `${path}: cannot write (${code}); nothing was written`, { cause: error });
}

function syncDirectory(directory: string): void {
  const fd = openSync(directory, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** A fresh temporary file in the target's directory holding `bytes`, fsynced; its path. */
function temporaryCopy(path: string, bytes: Uint8Array, mode: number): string {
  const temporary = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  let fd: number;
  try {
    fd = openSync(temporary, 'wx', mode);
  } catch (error) {
    throw unwritable(path, error);
  }
  try {
    // The umask could have taken bits away; the mode must be exact.
    fchmodSync(fd, mode);
    let written = 0;
    while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written);
    fsyncSync(fd);
  } catch (error) {
    closeSync(fd);
    rmSync(temporary, { force: true });
    throw unwritable(path, error);
  }
  closeSync(fd);
  return temporary;
}

/**
 * Writes `path`, which must not exist: the name is claimed with an exclusive create (so a file
 * someone else made meanwhile is never replaced), then the complete temporary file is renamed over
 * the claim. Works on any file system, a USB stick's included (no hard links needed).
 */
export function writeNewFile(path: string, text: string, mode: number): void {
  const temporary = temporaryCopy(path, Buffer.from(text, 'utf8'), mode);
  try {
    closeSync(openSync(path, 'wx', mode));
  } catch (error) {
    rmSync(temporary, { force: true });
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw new GatewayError('HGW_EXPORT_EXISTS', `${path} already exists; nothing was written (choose a new file name)`);
    throw unwritable(path, error);
  }
  try {
    renameSync(temporary, path);
    syncDirectory(dirname(path));
  } catch (error) {
    rmSync(temporary, { force: true });
    rmSync(path, { force: true });
    throw unwritable(path, error);
  }
}

/** Writes `path` whether or not it exists, replacing an earlier version in one rename. */
export function replaceFile(path: string, text: string, mode: number): void {
  const temporary = temporaryCopy(path, Buffer.from(text, 'utf8'), mode);
  try {
    renameSync(temporary, path);
    syncDirectory(dirname(path));
  } catch (error) {
    rmSync(temporary, { force: true });
    throw unwritable(path, error);
  }
}
