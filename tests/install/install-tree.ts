import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join, relative } from 'node:path';

export const REPOSITORY = join(import.meta.dirname, '..', '..');
const INSTALL = join(REPOSITORY, 'scripts', 'install.sh');

export interface InstallRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** scripts/install.sh --root ROOT --non-interactive ARGS…, as a site would run it (stdin not a terminal). */
export function install(root: string, ...args: string[]): InstallRun {
  const result = spawnSync('bash', [INSTALL, '--root', root, '--non-interactive', ...args], { cwd: REPOSITORY, encoding: 'utf8', timeout: 300_000, stdio: ['ignore', 'pipe', 'pipe'] });
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** The lines `doctor` printed at the end of a run. */
export function doctorLines(run: InstallRun): string[] {
  const at = run.stdout.indexOf('\ndoctor:\n');
  return at < 0 ? [] : run.stdout.slice(at + '\ndoctor:\n'.length).trim().split('\n');
}

/** Type, mode, owner of a path under the root; `-> target` for a symlink. */
export function describePath(root: string, path: string): string {
  const full = join(root, path);
  const stats = lstatSync(full);
  if (stats.isSymbolicLink()) return `link -> ${readlinkSync(full)}`;
  const type = stats.isDirectory() ? 'dir' : 'file';
  return `${type} ${(stats.mode & 0o7777).toString(8).padStart(4, '0')} ${stats.uid}:${stats.gid}`;
}

/**
 * Every path under the root with its type, mode and owner, and each file's SHA-256. The code slot
 * is summed up by its manifest and its inode (a slot rebuilt in place gets a new directory).
 */
export function snapshot(root: string): Record<string, string> {
  const result: Record<string, string> = {};
  const slot = join(root, 'opt', 'helpline-gateway', 'slots', 'a');
  const walk = (directory: string): void => {
    for (const name of readdirSync(directory).sort()) {
      const full = join(directory, name);
      const path = relative(root, full);
      const stats = lstatSync(full);
      if (full === slot) {
        result[path] = `slot inode ${stats.ino} manifest ${digest(readFileSync(join(slot, 'MANIFEST.sha256')))}`;
        continue;
      }
      result[path] = describePath(root, path) + (stats.isFile() ? ` ${digest(readFileSync(full))}` : '');
      if (stats.isDirectory()) walk(full);
    }
  };
  walk(root);
  return result;
}

export function digest(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
