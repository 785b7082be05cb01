import { isAbsolute, join, relative } from 'node:path';
import type { SlotName } from './update-state.js';

/**
 * Where the update machinery keeps things (docs/updates.md, "Files on the box"):
 *   <root>/slots/a, <root>/slots/b   the two code slots
 *   <root>/current                   symlink to slots/a or slots/b: what the service runs
 *   <root>/committed                 symlink to the committed slot: where the root-run start check
 *                                    (boot-check) comes from, so a broken trial cannot break it
 *   <stateDir>/state.json            committed, trial, floor, last result
 *   <stateDir>/db-backup/            the database as it was before the trial's first start
 *   <stateDir>/staging/, incoming/   uploads being received, and verified ones for the apply agent
 *   <keysDir>/*.pub                  the pinned release keys (one or two)
 */
export interface UpdatePaths {
  readonly root: string;
  readonly stateDir: string;
  readonly keysDir: string;
  /** The gateway's database file (its -wal and -journal sit beside it). */
  readonly databasePath: string;
}

export const STATE_FILE = 'state.json';
export const PROGRESS_FILE = 'progress.json';

export const slotsDirectory = (paths: UpdatePaths): string => join(paths.root, 'slots');
export const slotDirectory = (paths: UpdatePaths, slot: SlotName): string => join(paths.root, 'slots', slot);
export const currentLink = (paths: UpdatePaths): string => join(paths.root, 'current');
export const committedLink = (paths: UpdatePaths): string => join(paths.root, 'committed');
export const stateFile = (paths: UpdatePaths): string => join(paths.stateDir, STATE_FILE);
export const progressFile = (paths: UpdatePaths): string => join(paths.stateDir, PROGRESS_FILE);
export const backupDirectory = (paths: UpdatePaths): string => join(paths.stateDir, 'db-backup');
export const stagingDirectory = (paths: UpdatePaths): string => join(paths.stateDir, 'staging');
export const incomingDirectory = (paths: UpdatePaths): string => join(paths.stateDir, 'incoming');

/** The symlink target for a slot: relative, so the tree can be moved or inspected from a rescue system. */
export function slotLinkTarget(slot: SlotName): string {
  return `slots/${slot}`;
}

/** Which slot a `current` target names, or undefined for anything else. */
export function slotOfLinkTarget(paths: UpdatePaths, target: string | undefined): SlotName | undefined {
  if (target === undefined) return undefined;
  const inRoot = isAbsolute(target) ? relative(paths.root, target) : target;
  const match = /^slots\/(a|b)\/?$/.exec(inRoot);
  return match ? (match[1] as SlotName) : undefined;
}
