import { dirname, join } from 'node:path';
import { GatewayError, isGatewayError } from '../errors.js';
import type { Clock } from '../time/clock.js';
import type { BundleLimits, EntrySpan } from './bundle-container.js';
import type { ByteSource } from './byte-source.js';
import { SLOT_RECORD_DIRECTORY, shownPath } from './bundle-paths.js';
import { alignCommittedLink } from './boot-check.js';
import { inParallel } from './in-parallel.js';
import { loadPinnedKeys } from './pinned-keys.js';
import { SLOT_MANIFEST, SLOT_SIGNATURE } from './slot-check.js';
import { currentSlot, loadState, saveState } from './state-store.js';
import type { StepHook, UpdateFiles } from './update-files.js';
import { currentLink, slotDirectory, slotLinkTarget, slotsDirectory, type UpdatePaths } from './update-paths.js';
import { beginTrial, otherSlot, result, type SlotName, type UpdateState } from './update-state.js';
import { hashSpan, verifyBundle, type VerifiedBundle } from './verify-bundle.js';

export interface UpdateProgress {
  readonly phase: 'verifying' | 'staging' | 'switching' | 'done';
  readonly doneBytes: number;
  readonly totalBytes: number;
}

export interface ApplyOptions {
  readonly files: UpdateFiles;
  readonly paths: UpdatePaths;
  readonly bundlePath: string;
  /** The version of the code that runs now; used as the committed version while there is no state file. */
  readonly installedVersion: string;
  readonly hardwareId: string;
  readonly limits: BundleLimits;
  readonly clock: Clock;
  readonly reached?: StepHook;
  readonly progress?: (progress: UpdateProgress) => void;
}

export interface AppliedUpdate {
  readonly version: string;
  readonly previousVersion: string;
  readonly slot: SlotName;
  readonly files: number;
  readonly bytes: number;
}

/**
 * The apply steps, in order (file-written repeats once per file). Each step is durable when it is
 * reached; `current` moves only in the last, so a crash anywhere leaves the old version running and
 * either an unused, possibly partial inactive slot (staging) or a complete one on record as the trial
 * (which boot-check finishes switching to).
 */
/** Files written (and fsynced) at once while staging. */
const STAGING_PARALLELISM = 8;

export const APPLY_STEPS = ['verified', 'slot-cleared', 'file-written', 'slot-synced', 'slot-recorded', 'state-written', 'current-switched'] as const;

/** Writes the last result into the state file for the technician; a failure to do so is not the update's failure. */
async function recordOutcome(files: UpdateFiles, paths: UpdatePaths, state: UpdateState, clock: Clock, error: unknown): Promise<void> {
  if (!isGatewayError(error)) return;
  const outcome = error.code === 'HGW_UPDATE_IO' ? 'failed' : 'refused';
  await saveState(files, paths, { ...state, lastResult: result(clock.now(), outcome, error.message, { code: error.code }) }).catch(() => undefined);
}

/**
 * Verifies the bundle completely, then stages it into the inactive slot, records it as the trial
 * and switches `current` to it. The new version starts on trial at the next start of the service
 * (boot-check, then the running gateway's health check commits it). Refusals are HGW_UPDATE_*
 * GatewayErrors; the running slot and `current` are untouched by any of them.
 */
export async function applyUpdate(options: ApplyOptions): Promise<AppliedUpdate> {
  const { files, paths, clock } = options;
  const reached = options.reached ?? (() => undefined);
  const progress = options.progress ?? (() => undefined);
  const state = await loadState(files, paths, options.installedVersion);
  if (state.trial) {
    throw new GatewayError('HGW_UPDATE_TRIAL_PENDING', `version ${state.trial.version} is on trial in slot ${state.trial.slot}: start the service so it can pass its health check, or run \`update rollback\`, before applying another`);
  }
  const active = await currentSlot(files, paths);
  if (active !== state.committed.slot) {
    throw new GatewayError('HGW_UPDATE_STATE', `current points at slot ${active} but version ${state.committed.version} is committed in slot ${state.committed.slot}: run \`update boot-check\` first`);
  }

  const source = await files.open(options.bundlePath);
  try {
    let verified: VerifiedBundle;
    try {
      const pinnedKeys = await loadPinnedKeys(files, paths.keysDir);
      verified = await verifyBundle(
        source,
        { pinnedKeys, runningVersion: state.committed.version, floor: state.floor, hardwareId: options.hardwareId, limits: options.limits },
        (step) => progress({ phase: 'verifying', ...step }),
      );
    } catch (error) {
      await recordOutcome(files, paths, state, clock, error);
      throw error;
    }
    // `committed` may still name the slot about to be overwritten (a commit since the last start).
    await alignCommittedLink(files, paths, state);
    reached('verified');
    progress({ phase: 'staging', doneBytes: 0, totalBytes: verified.payloadBytes });
    const target = otherSlot(active);
    try {
      await stageSlot(files, slotDirectory(paths, target), source, verified, reached, (doneBytes) => progress({ phase: 'staging', doneBytes, totalBytes: verified.payloadBytes }));
    } catch (error) {
      // The half-written slot is not used by anything; leave no trace of it.
      await files.removeTree(slotDirectory(paths, target)).catch(() => undefined);
      await recordOutcome(files, paths, state, clock, error);
      throw error;
    }
    await files.syncDirectory(slotsDirectory(paths));
    reached('slot-recorded');
    progress({ phase: 'switching', doneBytes: verified.payloadBytes, totalBytes: verified.payloadBytes });
    await saveState(files, paths, beginTrial(state, { version: verified.manifest.version, slot: target, at: clock.now() }));
    reached('state-written');
    await files.replaceSymlink(currentLink(paths), slotLinkTarget(target));
    reached('current-switched');
    progress({ phase: 'done', doneBytes: verified.payloadBytes, totalBytes: verified.payloadBytes });
    return { version: verified.manifest.version, previousVersion: state.committed.version, slot: target, files: verified.manifest.files.length, bytes: verified.payloadBytes };
  } finally {
    await source.close();
  }
}

/**
 * Writes every file into the emptied slot, hashing the very bytes it writes (a bundle changed on
 * the stick since it was verified is caught here), fsyncs files and folders, and writes the signed
 * manifest into `.bundle/` last: the mark that the slot is complete.
 */
async function stageSlot(
  files: UpdateFiles,
  slotDir: string,
  source: ByteSource,
  verified: VerifiedBundle,
  reached: StepHook,
  staged: (doneBytes: number) => void,
): Promise<void> {
  await files.removeTree(slotDir);
  reached('slot-cleared');
  await files.makeDirectory(slotDir);
  const folders = new Set<string>([slotDir]);
  for (const file of verified.manifest.files) {
    for (let folder = dirname(join(slotDir, file.path)); !folders.has(folder); folder = dirname(folder)) folders.add(folder);
  }
  // Parents before children; each made once, before any file is written into it.
  for (const folder of [...folders].sort((a, b) => a.length - b.length)) await files.makeDirectory(folder);
  let doneBytes = 0;
  await inParallel(verified.manifest.files, STAGING_PARALLELISM, async (file) => {
    const sink = await files.create(join(slotDir, file.path), file.executable ? 0o755 : 0o644);
    let digest: string;
    try {
      digest = await hashSpan(source, verified.layout.files.get(file.path) as EntrySpan, (chunk) => sink.write(chunk));
    } catch (error) {
      await sink.discard();
      throw error;
    }
    if (digest !== file.sha256) {
      await sink.discard();
      throw new GatewayError('HGW_UPDATE_FILE_MISMATCH', `${shownPath(file.path)} changed after it was verified (was the stick pulled or the file replaced?): nothing was switched`);
    }
    await sink.finish();
    doneBytes += file.size;
    staged(doneBytes);
    reached('file-written');
  });
  // Deepest first, so each folder's entry in its parent is flushed after the folder itself.
  for (const folder of [...folders].sort((a, b) => b.length - a.length)) await files.syncDirectory(folder);
  reached('slot-synced');
  await files.makeDirectory(join(slotDir, SLOT_RECORD_DIRECTORY));
  await files.writeAtomic(join(slotDir, SLOT_SIGNATURE), verified.signature, 0o644);
  await files.writeAtomic(join(slotDir, SLOT_MANIFEST), verified.manifestBytes, 0o644);
  await files.syncDirectory(slotDir);
}
