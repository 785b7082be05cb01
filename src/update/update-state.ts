import { z } from 'zod';
import { GatewayError, type GatewayErrorCode } from '../errors.js';
import { compareVersions, isSemanticVersion } from './semver.js';

/**
 * The update state file (`<update.stateDir>/state.json`): which version is committed in which slot,
 * the version on trial (if any) with its start count and database backup, the version floor, and
 * the last result for the technician. Pure data and pure transitions; update-files.ts writes it
 * atomically. It holds versions, times and codes, never personal data.
 */
export const SLOTS = ['a', 'b'] as const;
export type SlotName = (typeof SLOTS)[number];

export function otherSlot(slot: SlotName): SlotName {
  return slot === 'a' ? 'b' : 'a';
}

const version = z.string().refine(isSemanticVersion, 'a semantic version');
const slot = z.enum(SLOTS);

const backupFile = z.object({ name: z.string().regex(/^[A-Za-z0-9._-]{1,128}$/), size: z.number().int().min(0), sha256: z.string().regex(/^[0-9a-f]{64}$/) });

const stateSchema = z
  .object({
    format: z.literal(1),
    committed: z.object({ version, slot }),
    trial: z
      .object({
        version,
        slot,
        /** Starts of the trial version so far (counted by boot-check before each start). */
        attempts: z.number().int().min(0),
        appliedAt: z.number().int(),
        /** The database files as they were before the trial's first start (its migrations). */
        backup: z.object({ fromVersion: version, files: z.array(backupFile) }).nullable(),
        /** Set before a revert starts, so a crash part-way makes the next boot-check finish it. */
        reverting: z.boolean().optional(),
      })
      
      .nullable(),
    floor: version,
    lastResult: z
      .object({
        at: z.number().int(),
        outcome: z.enum(['applied', 'received', 'committed', 'reverted', 'rolled-back', 'refused', 'failed', 'resumed']),
        version: version.optional(),
        code: z.string().regex(/^HGW_[A-Z_]+$/).optional(),
        message: z.string().max(500),
      })
      
      .nullable(),
  })
  // Not strict: the committed version's start check reads a state file its successor may have
  // written; fields it does not know are dropped, never fatal (docs/updates.md, "The state file").
  .refine((state) => state.trial === null || state.trial.slot !== state.committed.slot, { message: 'the trial and the committed version share a slot', path: ['trial', 'slot'] });

export type UpdateState = z.output<typeof stateSchema>;
export type TrialState = NonNullable<UpdateState['trial']>;
export type DatabaseBackupRecord = NonNullable<TrialState['backup']>;
export type UpdateResult = NonNullable<UpdateState['lastResult']>;
export type UpdateOutcome = UpdateResult['outcome'];

/** The state of a box that was installed by hand (no state file yet): its version is the floor. */
export function initialState(installed: { readonly version: string; readonly slot: SlotName }): UpdateState {
  return { format: 1, committed: { version: installed.version, slot: installed.slot }, trial: null, floor: installed.version, lastResult: null };
}

export function parseState(text: string, path: string): UpdateState {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new GatewayError('HGW_UPDATE_STATE', `${path} is not JSON: repair it by hand (docs/updates.md, "Recovery by hand")`);
  }
  const parsed = stateSchema.safeParse(json);
  if (!parsed.success) {
    const problem = parsed.error.issues[0];
    throw new GatewayError('HGW_UPDATE_STATE', `${path}: ${problem ? `${problem.path.map(String).join('.') || '(top level)'}: ${problem.message}` : 'invalid'}: repair it by hand (docs/updates.md, "Recovery by hand")`);
  }
  return parsed.data;
}

export function serializeState(state: UpdateState): string {
  return `${JSON.stringify(state, null, 2)}\n`;
}

export function result(at: number, outcome: UpdateOutcome, message: string, extra: { readonly version?: string; readonly code?: GatewayErrorCode } = {}): UpdateResult {
  return { at, outcome, message: message.slice(0, 500), ...(extra.version === undefined ? {} : { version: extra.version }), ...(extra.code === undefined ? {} : { code: extra.code }) };
}

export function beginTrial(state: UpdateState, trial: { readonly version: string; readonly slot: SlotName; readonly at: number }): UpdateState {
  if (state.trial) throw new GatewayError('HGW_UPDATE_TRIAL_PENDING', `version ${state.trial.version} is still on trial: it must be committed or rolled back first`);
  if (trial.slot === state.committed.slot) throw new RangeError('a trial goes into the slot that is not committed');
  return {
    ...state,
    trial: { version: trial.version, slot: trial.slot, attempts: 0, appliedAt: trial.at, backup: null },
    lastResult: result(trial.at, 'applied', `version ${trial.version} is staged in slot ${trial.slot}; it starts on trial at the next start of the service`, { version: trial.version }),
  };
}

export function withTrial(state: UpdateState, change: (trial: TrialState) => TrialState): UpdateState {
  if (!state.trial) throw new GatewayError('HGW_UPDATE_NO_TRIAL', 'no version is on trial');
  return { ...state, trial: change(state.trial) };
}

/** The trial passed its health check: it becomes the committed version and the floor rises to it. */
export function commitTrial(state: UpdateState, at: number): UpdateState {
  const trial = state.trial;
  if (!trial) throw new GatewayError('HGW_UPDATE_NO_TRIAL', 'no version is on trial: nothing to commit');
  const floor = compareVersions(trial.version, state.floor) > 0 ? trial.version : state.floor;
  return {
    ...state,
    committed: { version: trial.version, slot: trial.slot },
    trial: null,
    floor,
    lastResult: result(at, 'committed', `version ${trial.version} passed its health check and is committed; the version floor is now ${floor}`, { version: trial.version }),
  };
}

/** The trial is given up (reverted by boot-check, rolled back by hand, or its slot was incomplete). */
export function endTrial(state: UpdateState, at: number, outcome: 'reverted' | 'rolled-back' | 'failed', message: string): UpdateState {
  const trial = state.trial;
  if (!trial) throw new GatewayError('HGW_UPDATE_NO_TRIAL', 'no version is on trial: nothing to roll back');
  return { ...state, trial: null, lastResult: result(at, outcome, message, { version: trial.version }) };
}
