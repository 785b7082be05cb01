import { basename, dirname, join } from 'node:path';
import { GatewayError } from '../errors.js';
import type { UpdateFiles } from './update-files.js';
import { backupDirectory, type UpdatePaths } from './update-paths.js';
import type { DatabaseBackupRecord } from './update-state.js';
import { hashSpan } from './verify-bundle.js';

/**
 * The database as the committed version knows it, copied before a trial version's first start
 * (which may migrate it forward; migrations only go forward). Reverting a trial puts these exact
 * files back, so the old code finds the schema version it knows. Runs while the service is stopped
 * (the caller holds the database's instance guard).
 */
const JOURNAL_SUFFIXES = ['-wal', '-journal'] as const;
const DATABASE_MODE = 0o600;

/** A way to hold the database while its files are copied: the store's single-instance guard. */
export type DatabaseLock = () => { release(): void };

async function digestOf(files: UpdateFiles, path: string): Promise<{ size: number; sha256: string }> {
  const source = await files.open(path);
  try {
    return { size: source.size, sha256: await hashSpan(source, { offset: 0, size: source.size }) };
  } finally {
    await source.close();
  }
}

export async function backupDatabase(files: UpdateFiles, paths: UpdatePaths, fromVersion: string): Promise<DatabaseBackupRecord> {
  const directory = backupDirectory(paths);
  const partial = `${directory}.partial`;
  await files.removeTree(partial);
  await files.makeDirectory(partial);
  const saved: DatabaseBackupRecord['files'][number][] = [];
  for (const path of [paths.databasePath, ...JOURNAL_SUFFIXES.map((suffix) => `${paths.databasePath}${suffix}`)]) {
    if (!(await files.exists(path))) continue;
    const copy = join(partial, basename(path));
    await files.copy(path, copy, DATABASE_MODE);
    saved.push({ name: basename(path), ...(await digestOf(files, copy)) });
  }
  await files.syncDirectory(partial);
  await files.removeTree(directory);
  await files.rename(partial, directory);
  await files.syncDirectory(paths.stateDir);
  return { fromVersion, files: saved };
}

/**
 * Puts the backup back: checks every saved file first (a damaged backup is refused and the trial's
 * database left as it is), removes the trial's journals before the main file is replaced (a journal
 * must never meet a main file it was not written for), then copies and renames each file in place.
 */
export async function restoreDatabase(files: UpdateFiles, paths: UpdatePaths, record: DatabaseBackupRecord): Promise<void> {
  const directory = backupDirectory(paths);
  for (const saved of record.files) {
    const path = join(directory, saved.name);
    const found = (await files.exists(path)) ? await digestOf(files, path) : undefined;
    if (!found || found.size !== saved.size || found.sha256 !== saved.sha256) {
      throw new GatewayError('HGW_UPDATE_STATE', `the database backup ${path} is missing or damaged: the database was left as the trial version wrote it (docs/updates.md, "Recovery by hand")`);
    }
  }
  const dataDir = dirname(paths.databasePath);
  // No data folder: the box never ran, so there is nothing the trial could have changed.
  if (record.files.length === 0 && !(await files.exists(dataDir))) return;
  for (const suffix of JOURNAL_SUFFIXES) await files.remove(`${paths.databasePath}${suffix}`);
  await files.syncDirectory(dataDir);
  const mainName = basename(paths.databasePath);
  const ordered = [...record.files].sort((a, b) => Number(b.name === mainName) - Number(a.name === mainName));
  // No main file in the backup: the trial made the database; without it the old version starts afresh.
  if (!ordered.some((saved) => saved.name === mainName)) await files.remove(paths.databasePath);
  for (const saved of ordered) {
    const target = join(dataDir, saved.name);
    await files.copy(join(directory, saved.name), `${target}.restoring`, DATABASE_MODE);
    await files.rename(`${target}.restoring`, target);
  }
  await files.syncDirectory(dataDir);
}

export async function discardDatabaseBackup(files: UpdateFiles, paths: UpdatePaths): Promise<void> {
  await files.removeTree(backupDirectory(paths));
  await files.removeTree(`${backupDirectory(paths)}.partial`);
}
