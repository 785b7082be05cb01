import { GatewayError } from '../errors.js';
import type { UpdateFiles } from './update-files.js';
import { currentLink, slotOfLinkTarget, stateFile, type UpdatePaths } from './update-paths.js';
import { initialState, parseState, serializeState, type SlotName, type UpdateResult, type UpdateState } from './update-state.js';

/** Readable by the service user's group; it holds versions and codes only. */
const STATE_MODE = 0o640;

export async function readState(files: UpdateFiles, paths: UpdatePaths): Promise<UpdateState | undefined> {
  const text = await files.readText(stateFile(paths));
  return text === undefined ? undefined : parseState(text, stateFile(paths));
}

/** The slot `current` points at, or HGW_UPDATE_STATE when it points nowhere a slot can be. */
export async function currentSlot(files: UpdateFiles, paths: UpdatePaths): Promise<SlotName> {
  const target = await files.readLink(currentLink(paths));
  const slot = slotOfLinkTarget(paths, target);
  if (!slot) {
    throw new GatewayError('HGW_UPDATE_STATE', `${currentLink(paths)} ${target === undefined ? 'is not a symlink' : `points at ${JSON.stringify(target)}, not at slots/a or slots/b`}: the box is not installed in A/B slots (docs/updates.md)`);
  }
  return slot;
}

/**
 * The state file, or for a box installed by hand (no file yet) the state it implies: the version
 * it runs, committed in the slot `current` points at, with that version as the floor.
 */
export async function loadState(files: UpdateFiles, paths: UpdatePaths, installedVersion: string): Promise<UpdateState> {
  return (await readState(files, paths)) ?? initialState({ version: installedVersion, slot: await currentSlot(files, paths) });
}

export async function saveState(files: UpdateFiles, paths: UpdatePaths, state: UpdateState): Promise<void> {
  await files.makeDirectory(paths.stateDir);
  await files.writeAtomic(stateFile(paths), new TextEncoder().encode(serializeState(state)), STATE_MODE);
}

/** The last result for the technician, recorded without failing the caller (a refusal must still be reported). */
export async function recordResult(files: UpdateFiles, paths: UpdatePaths, installedVersion: string, lastResult: UpdateResult): Promise<void> {
  try {
    const state = await loadState(files, paths, installedVersion);
    await saveState(files, paths, { ...state, lastResult });
  } catch {
    // The state file is unreadable or unwritable: the refusal itself still reaches the caller.
  }
}
