import { z } from 'zod';
import type { UpdateProgress } from './apply-update.js';
import { readKeyFiles } from './pinned-keys.js';
import { currentSlot, loadState, readState } from './state-store.js';
import type { UpdateFiles } from './update-files.js';
import { incomingDirectory, progressFile, type UpdatePaths } from './update-paths.js';
import type { SlotName, UpdateResult } from './update-state.js';

/**
 * What `update status` and the technician's Update section show: versions, slots, the trial, the
 * floor, key ids and the last result. Versions, times and codes only: no personal data exists here.
 */
export interface UpdateStatusView {
  /** `slot` is null on a machine not installed in A/B slots (a development machine, the demo). */
  readonly committed: { readonly version: string; readonly slot: SlotName | null };
  readonly currentSlot: SlotName | undefined;
  readonly trial: { readonly version: string; readonly slot: SlotName; readonly starts: number; readonly maxStarts: number; readonly databaseBackedUp: boolean } | null;
  readonly floor: string;
  readonly lastResult: UpdateResult | null;
  readonly pinnedKeyIds: readonly string[];
  readonly hardwareId: string | undefined;
  /** Verified uploads waiting for the apply agent. */
  readonly waiting: number;
  readonly progress: (UpdateProgress & { readonly at: number }) | null;
}

const progressSchema = z.object({
  phase: z.enum(['verifying', 'staging', 'switching', 'done']),
  doneBytes: z.number().int().min(0),
  totalBytes: z.number().int().min(0),
  at: z.number().int(),
});

export async function readUpdateStatus(
  files: UpdateFiles,
  paths: UpdatePaths,
  box: { readonly installedVersion: string; readonly hardwareId: string | undefined; readonly maxStartAttempts: number },
): Promise<UpdateStatusView> {
  const current = await currentSlot(files, paths).catch(() => undefined);
  const recorded = await readState(files, paths);
  if (!recorded && current === undefined) {
    return { committed: { version: box.installedVersion, slot: null }, currentSlot: undefined, trial: null, floor: box.installedVersion, lastResult: null, pinnedKeyIds: [], hardwareId: box.hardwareId, waiting: 0, progress: null };
  }
  const state = recorded ?? (await loadState(files, paths, box.installedVersion));
  const keys = await readKeyFiles(files, paths.keysDir).catch(() => []);
  const progressText = await files.readText(progressFile(paths)).catch(() => undefined);
  let progress: UpdateStatusView['progress'] = null;
  try {
    progress = progressText === undefined ? null : progressSchema.parse(JSON.parse(progressText));
  } catch {
    progress = null;
  }
  const waiting = (await files.list(incomingDirectory(paths))).filter((name) => name.endsWith('.hgwb')).length;
  return {
    committed: state.committed,
    currentSlot: current,
    trial: state.trial
      ? { version: state.trial.version, slot: state.trial.slot, starts: state.trial.attempts, maxStarts: box.maxStartAttempts, databaseBackedUp: state.trial.backup !== null }
      : null,
    floor: state.floor,
    lastResult: state.lastResult,
    pinnedKeyIds: keys.map((key) => key.id),
    hardwareId: box.hardwareId,
    waiting,
    progress,
  };
}

/**
 * Writes apply's progress to progress.json for the technician's page: at each phase change and
 * every tenth of the bytes, each write replacing the last (the page polls it).
 */
export function progressRecorder(files: UpdateFiles, paths: UpdatePaths, now: () => number): { readonly record: (progress: UpdateProgress) => void; flushed(): Promise<void> } {
  let last: { phase: string; tenth: number } | undefined;
  let chain: Promise<void> = Promise.resolve();
  return {
    record(progress) {
      const tenth = progress.totalBytes === 0 ? 10 : Math.floor((progress.doneBytes * 10) / progress.totalBytes);
      if (last && last.phase === progress.phase && last.tenth === tenth) return;
      last = { phase: progress.phase, tenth };
      const bytes = new TextEncoder().encode(`${JSON.stringify({ ...progress, at: now() })}\n`);
      chain = chain.then(() => files.writeAtomic(progressFile(paths), bytes, 0o644)).catch(() => undefined);
    },
    flushed: () => chain,
  };
}
