import { lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describeError } from '../events/typed-emitter.js';
import type { Logger } from '../log/logger.js';
import type { IncidentRaiser } from './incident-register.js';
import { RepeatingCheck } from './repeating-check.js';

/** The fields of an lstat the watch reads; injectable so a test can show an owner change without root. */
export interface KeyringEntryStats {
  readonly mode: number;
  readonly uid: number;
  isDirectory(): boolean;
  isFile(): boolean;
  isSymbolicLink(): boolean;
}

export interface KeyringPermissionWatchOptions {
  /** The keyring directory (config.keyringDir). */
  readonly directory: string;
  readonly incidents: IncidentRaiser;
  readonly logger: Logger;
  /** Time between checks after the one at start; five minutes unless a test says otherwise. */
  readonly intervalMs?: number;
  readonly lstat?: (path: string) => KeyringEntryStats;
  readonly readdir?: (path: string) => string[];
}

export interface KeyringPermissionResult {
  /** Every problem seen on this run, as the summary words them. */
  readonly problems: readonly string[];
  /** True when this run handed an incident to the register (which folds it into one from the last hour): a problem was new. */
  readonly raised: boolean;
}

const DIRECTORY_MODE = 0o700;
const FILE_MODE = 0o600;
const DEFAULT_INTERVAL_MS = 5 * 60_000;
/** The names the keyring writes (keyring.json, kek-<generation>.key, and their .tmp while writing). */
const KNOWN_NAME = /^(?:keyring\.json|kek-\d{1,6}\.key)(?:\.tmp)?$/;
const MAX_PROBLEMS_IN_SUMMARY = 6;

/**
 * Watches the keyring directory at start and every few minutes: a 'keyring-permissions' incident
 * (high) when the directory is not mode 0700, a file in it is not 0600, an entry is a symbolic link
 * or not a regular file, or an owner differs from the directory's owner at start. One incident per
 * change: a problem already reported on the last run raises nothing new (and the register folds
 * repeats within an hour). When everything is back to normal the watch says so in one log line.
 *
 * This folder does not open the keyring: it reads file modes only, so it cannot touch a key.
 */
export class KeyringPermissionWatch {
  readonly #directory: string;
  readonly #incidents: IncidentRaiser;
  readonly #logger: Logger;
  readonly #repeating: RepeatingCheck;
  readonly #lstat: (path: string) => KeyringEntryStats;
  readonly #readdir: (path: string) => string[];
  #owner: number | undefined;
  #known = new Set<string>();

  constructor(options: KeyringPermissionWatchOptions) {
    if (typeof options.directory !== 'string' || options.directory === '') throw new TypeError('keyring permission watch needs the keyring directory');
    this.#directory = options.directory;
    this.#incidents = options.incidents;
    this.#logger = options.logger.child({ component: 'incidents' });
    this.#repeating = new RepeatingCheck('keyring permission watch', options.intervalMs ?? DEFAULT_INTERVAL_MS, () => this.check());
    this.#lstat = options.lstat ?? lstatSync;
    this.#readdir = options.readdir ?? ((path) => readdirSync(path));
  }

  start(): Promise<void> {
    return this.#repeating.start();
  }

  stop(): Promise<void> {
    return this.#repeating.stop();
  }

  /** One look at the directory and its files; the timer calls it, tests may too. */
  check(): KeyringPermissionResult {
    const problems = this.#problems();
    const added = [...problems.keys()].filter((key) => !this.#known.has(key));
    const recovered = problems.size === 0 && this.#known.size > 0;
    this.#known = new Set(problems.keys());
    const worded = [...problems.values()];
    if (recovered) this.#logger.info('keyring permissions are back to normal');
    if (added.length === 0) return { problems: worded, raised: false };
    const fresh = added.map((key) => problems.get(key) ?? key);
    const shown = fresh.slice(0, MAX_PROBLEMS_IN_SUMMARY);
    const more = fresh.length - shown.length;
    const summary = `keyring permissions changed: ${shown.join('; ')}${more > 0 ? `; and ${more} more` : ''}`;
    this.#logger.warn({ problems: problems.size, added: added.length }, 'keyring permissions changed');
    try {
      this.#incidents.raise({ kind: 'keyring-permissions', severity: 'high', summary });
      return { problems: worded, raised: true };
    } catch (error) {
      this.#logger.error({ err: describeError(error) }, 'could not record a keyring-permissions incident');
      return { problems: worded, raised: false };
    }
  }

  /** Problem key (stable across runs while the problem lasts) to its wording. */
  #problems(): Map<string, string> {
    const problems = new Map<string, string>();
    let directory: KeyringEntryStats;
    try {
      directory = this.#lstat(this.#directory);
    } catch (error) {
      problems.set('directory:unreadable', isMissing(error) ? 'the keyring directory is missing' : 'the keyring directory cannot be read');
      return problems;
    }
    // The owner at the first look is the keyring's owner; a later change of it is itself a problem.
    this.#owner ??= directory.uid;
    if (directory.isSymbolicLink() || !directory.isDirectory()) {
      problems.set('directory:type', 'the keyring directory is not a plain directory');
      return problems;
    }
    const directoryMode = directory.mode & 0o777;
    if (directoryMode !== DIRECTORY_MODE) problems.set(`directory:mode:${octal(directoryMode)}`, `the keyring directory has mode ${octal(directoryMode)} (want 700)`);
    if (directory.uid !== this.#owner) problems.set(`directory:owner:${directory.uid}`, 'the keyring directory changed owner');
    let names: string[];
    try {
      names = this.#readdir(this.#directory);
    } catch {
      problems.set('directory:unlistable', 'the keyring directory cannot be listed');
      return problems;
    }
    for (const name of names.sort()) {
      let entry: KeyringEntryStats;
      try {
        entry = this.#lstat(join(this.#directory, name));
      } catch (error) {
        // The keyring removes its temporary and old KEK files; one may go between listing and looking.
        if (isMissing(error)) continue;
        problems.set(`${name}:unreadable`, `${wordedName(name)} cannot be read`);
        continue;
      }
      const label = wordedName(name);
      if (entry.isSymbolicLink()) problems.set(`${name}:symlink`, `${label} is a symbolic link`);
      else if (!entry.isFile()) problems.set(`${name}:type`, `${label} is not a regular file`);
      else {
        const mode = entry.mode & 0o777;
        if (mode !== FILE_MODE) problems.set(`${name}:mode:${octal(mode)}`, `${label} has mode ${octal(mode)} (want 600)`);
      }
      if (entry.uid !== this.#owner) problems.set(`${name}:owner:${entry.uid}`, `${label} has another owner than the keyring directory`);
    }
    return problems;
  }
}

/** A name the keyring writes is shown as is; anything else could hold any text, so it is not. */
function wordedName(name: string): string {
  return KNOWN_NAME.test(name) ? name : 'an unexpected entry';
}

function octal(mode: number): string {
  return mode.toString(8).padStart(3, '0');
}

function isMissing(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === 'ENOENT';
}
