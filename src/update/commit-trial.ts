import { GatewayError } from '../errors.js';
import type { Clock } from '../time/clock.js';
import { discardDatabaseBackup } from './database-backup.js';
import { readState, saveState } from './state-store.js';
import type { UpdateFiles } from './update-files.js';
import type { UpdatePaths } from './update-paths.js';
import { commitTrial, type UpdateState } from './update-state.js';

/**
 * The running version passed its health check: if it is the version on trial, it becomes the
 * committed one and the floor rises to it; the database backup is no longer needed. Runs as the
 * service user (the state folder is its own); a key rotation the version carries is pinned by the
 * next root-run step (boot-check or apply).
 */
export async function commitRunningTrial(options: { readonly files: UpdateFiles; readonly paths: UpdatePaths; readonly runningVersion: string; readonly clock: Clock }): Promise<UpdateState> {
  const state = await readState(options.files, options.paths);
  const trial = state?.trial;
  if (!state || !trial) throw new GatewayError('HGW_UPDATE_NO_TRIAL', 'no version is on trial: nothing to commit');
  if (trial.reverting) throw new GatewayError('HGW_UPDATE_NO_TRIAL', `version ${trial.version} is being reverted: it cannot be committed`);
  if (trial.version !== options.runningVersion) {
    throw new GatewayError('HGW_UPDATE_NO_TRIAL', `version ${trial.version} is on trial, but this is version ${options.runningVersion}: only the trial version commits itself`);
  }
  const committed = commitTrial(state, options.clock.now());
  await saveState(options.files, options.paths, committed);
  await discardDatabaseBackup(options.files, options.paths);
  return committed;
}
