import { dirname, join } from 'node:path';
import { GatewayError } from '../errors.js';
import type { Clock } from '../time/clock.js';
import { backupDatabase, discardDatabaseBackup, restoreDatabase, type DatabaseLock } from './database-backup.js';
import { rotatePinnedKeys } from './key-rotation.js';
import { loadPinnedKeys } from './pinned-keys.js';
import { checkSlot } from './slot-check.js';
import { currentSlot, readState, saveState } from './state-store.js';
import type { StepHook, UpdateFiles } from './update-files.js';
import { backupDirectory, committedLink, currentLink, slotDirectory, slotLinkTarget, slotOfLinkTarget, stagingDirectory, type UpdatePaths } from './update-paths.js';
import { endTrial, result, withTrial, type UpdateState } from './update-state.js';

export interface TrialControlOptions {
  readonly files: UpdateFiles;
  readonly paths: UpdatePaths;
  readonly clock: Clock;
  /** Holds the database while its files are copied (the store's instance guard). */
  readonly lockDatabase: DatabaseLock;
  readonly reached?: StepHook;
}

export interface BootCheckOptions extends TrialControlOptions {
  /** Starts a trial version gets; at the next start after that many it is reverted. */
  readonly maxStartAttempts: number;
}

export type BootCheckAction = 'none' | 'repointed' | 'trial-start' | 'resumed' | 'abandoned' | 'reverted';

export interface BootCheckResult {
  readonly action: BootCheckAction;
  /** The version that is about to start. */
  readonly version: string;
  readonly message: string;
  readonly keysRotated: boolean;
}

/** Leftovers of a run that was cut off: temporary symlinks, half-made backups, uploads in progress. */
async function removeLeftovers(files: UpdateFiles, paths: UpdatePaths): Promise<void> {
  for (const name of await files.list(paths.root)) if (/^\.current\..*\.tmp$/.test(name)) await files.remove(join(paths.root, name));
  await files.removeTree(`${backupDirectory(paths)}.partial`);
  await files.removeTree(stagingDirectory(paths));
}

/**
 * Points `committed` at the committed slot. The running version commits itself as the service user,
 * which cannot move this root-owned link, so every root-run step (boot-check, apply, rollback)
 * brings it in line with the state file before it relies on it.
 */
export async function alignCommittedLink(files: UpdateFiles, paths: UpdatePaths, state: UpdateState): Promise<void> {
  if (slotOfLinkTarget(paths, await files.readLink(committedLink(paths))) === state.committed.slot) return;
  await files.replaceSymlink(committedLink(paths), slotLinkTarget(state.committed.slot));
}

/** Runs `work` holding the database's instance guard; a box whose data folder does not exist yet has nothing to hold. */
async function withDatabaseHeld<T>(options: TrialControlOptions, work: () => Promise<T>): Promise<T> {
  if (!(await options.files.exists(dirname(options.paths.databasePath)))) return work();
  const lock = options.lockDatabase();
  try {
    return await work();
  } finally {
    lock.release();
  }
}

async function pointCurrentAt(options: TrialControlOptions, slot: UpdateState['committed']['slot']): Promise<boolean> {
  if ((await currentSlot(options.files, options.paths)) === slot) return false;
  await options.files.replaceSymlink(currentLink(options.paths), slotLinkTarget(slot));
  return true;
}

/**
 * Gives a trial up: the database backup goes back (when the trial started at all), `current`
 * returns to the committed slot, and the state says so. The state is marked `reverting` first, so
 * a crash part-way through is finished by the next boot-check instead of starting the trial again.
 */
export async function revertTrial(options: TrialControlOptions, state: UpdateState, outcome: 'reverted' | 'rolled-back', message: string): Promise<UpdateState> {
  const { files, paths } = options;
  const reached = options.reached ?? (() => undefined);
  const trial = state.trial;
  if (!trial) throw new GatewayError('HGW_UPDATE_NO_TRIAL', 'no version is on trial: nothing to roll back (the floor forbids going below the committed version)');
  await alignCommittedLink(files, paths, state);
  const marked = trial.reverting ? state : withTrial(state, (current) => ({ ...current, reverting: true }));
  if (marked !== state) await saveState(files, paths, marked);
  reached('revert-marked');
  const backup = trial.backup;
  if (backup) await withDatabaseHeld(options, () => restoreDatabase(files, paths, backup));
  reached('database-restored');
  await pointCurrentAt(options, state.committed.slot);
  reached('current-reverted');
  const reverted = endTrial(marked, options.clock.now(), outcome, message);
  await saveState(files, paths, reverted);
  reached('revert-recorded');
  await discardDatabaseBackup(files, paths);
  return reverted;
}

/**
 * Runs before every start of the service (systemd ExecStartPre, as root, with the service stopped):
 * finishes what a crash cut off, pins a committed rotation's keys, and for a version on trial either
 * counts the start (backing the database up before the first one) or, after `maxStartAttempts`
 * starts without a commit, reverts to the committed version. Without a state file it only checks
 * that `current` names a slot.
 */
export async function bootCheck(options: BootCheckOptions): Promise<BootCheckResult> {
  const { files, paths, clock } = options;
  const reached = options.reached ?? (() => undefined);
  const loaded = await readState(files, paths);
  if (!loaded) {
    await currentSlot(files, paths);
    return { action: 'none', version: '(installed by hand)', message: 'no update has been applied on this box yet', keysRotated: false };
  }
  let state: UpdateState = loaded;
  await removeLeftovers(files, paths);
  await alignCommittedLink(files, paths, state);
  const keysRotated = await rotatePinnedKeys(files, paths, state, reached);
  const trial = state.trial;
  if (!trial) {
    await discardDatabaseBackup(files, paths);
    const repointed = await pointCurrentAt(options, state.committed.slot);
    return {
      action: repointed ? 'repointed' : 'none',
      version: state.committed.version,
      message: repointed ? `current pointed away from the committed slot: back to version ${state.committed.version} in slot ${state.committed.slot}` : `version ${state.committed.version} is committed`,
      keysRotated,
    };
  }
  if (trial.reverting) {
    await revertTrial(options, state, 'reverted', `version ${trial.version} was reverted to ${state.committed.version} (a revert that was cut off was finished)`);
    return { action: 'reverted', version: state.committed.version, message: `finished reverting to version ${state.committed.version}`, keysRotated };
  }
  if ((await currentSlot(files, paths)) !== trial.slot) {
    // Apply was cut off between recording the trial and switching: finish it if the slot is whole.
    const check = await checkSlot(files, slotDirectory(paths, trial.slot), await loadPinnedKeys(files, paths.keysDir));
    if (!check.complete || check.manifest.version !== trial.version) {
      const problem = check.complete ? `it holds version ${check.manifest.version}` : check.problem;
      state = endTrial(state, clock.now(), 'failed', `version ${trial.version} was not started: its slot is incomplete (${problem}); apply it again`);
      await saveState(files, paths, state);
      await pointCurrentAt(options, state.committed.slot);
      return { action: 'abandoned', version: state.committed.version, message: state.lastResult?.message ?? '', keysRotated };
    }
    await files.replaceSymlink(currentLink(paths), slotLinkTarget(trial.slot));
    state = { ...state, lastResult: result(clock.now(), 'resumed', `the switch to version ${trial.version} was finished after an interruption`, { version: trial.version }) };
    reached('switch-resumed');
  }
  if (trial.attempts >= options.maxStartAttempts) {
    const message = `version ${trial.version} did not pass its health check in ${trial.attempts} start(s): reverted to ${state.committed.version}`;
    await revertTrial(options, state, 'reverted', message);
    return { action: 'reverted', version: state.committed.version, message, keysRotated };
  }
  if (!trial.backup) {
    const backup = await withDatabaseHeld(options, () => backupDatabase(files, paths, state.committed.version));
    state = withTrial(state, (current) => ({ ...current, backup }));
    reached('database-backed-up');
  }
  state = withTrial(state, (current) => ({ ...current, attempts: current.attempts + 1 }));
  await saveState(files, paths, state);
  reached('start-counted');
  const attempts = state.trial?.attempts ?? 0;
  return {
    action: 'trial-start',
    version: trial.version,
    message: `version ${trial.version} starts on trial (start ${attempts} of ${options.maxStartAttempts}); it is committed once its health check passes`,
    keysRotated,
  };
}

/** `update rollback`: the trial is given up now, by hand, with the service stopped. */
export async function rollbackTrial(options: TrialControlOptions): Promise<UpdateState> {
  const state = await readState(options.files, options.paths);
  if (!state?.trial) throw new GatewayError('HGW_UPDATE_NO_TRIAL', 'no version is on trial: nothing to roll back (the floor forbids going below the committed version)');
  return revertTrial(options, state, 'rolled-back', `version ${state.trial.version} was rolled back by hand to ${state.committed.version}`);
}
