import { existsSync, mkdirSync, readFileSync, renameSync, rmdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * `SOAK=1` (what `npm run soak` sets) runs the resilience suites at full size; without it they
 * run reduced, as part of `npm test` and `.ci/run`.
 */
export const SOAK = process.env.SOAK === '1';

/** The reduced figure, or the full one under SOAK=1. */
export function bySize<T>(reduced: T, full: T): T {
  return SOAK ? full : reduced;
}

/** The bench's seeded generator (mulberry32), so a run that found something can be repeated. */
export { seededRandom } from '../../scripts/bench/statistics.js';

/** The seed from HGW_RESILIENCE_SEED, or a fresh one; the suites print it. */
export function resilienceSeed(): number {
  const given = process.env.HGW_RESILIENCE_SEED;
  return given === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(given);
}

const ARTIFACTS = resolve(import.meta.dirname, '..', '..', 'test-artifacts');

/** Writes a suite's counts to test-artifacts/<name>.json (kept by CI, ignored by git). */
export function writeArtifact(name: string, content: unknown): string {
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${name}.json`);
  writeFileSync(path, `${JSON.stringify(content, null, 2)}\n`);
  return path;
}

/** One fault of the fault suite: how often it was injected and what the store held before and after. */
export interface FaultRecord {
  readonly injected: number;
  /** Contacts, registrations and closed periods stored before the first injection. */
  readonly recordsBefore: number;
  readonly recordsAfter: number;
  /** Stored records missing or unreadable afterwards (must be 0). */
  readonly recordsLost: number;
  readonly endState: string;
}

/**
 * Adds one fault's counts to test-artifacts/resilience-faults.json. The fault tests live in
 * several files that vitest may run at once, so the file is read, merged and renamed into place
 * under a lock directory.
 */
export async function recordFault(name: string, record: FaultRecord): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, 'resilience-faults.json');
  const lock = `${path}.lock`;
  for (let attempt = 0; ; attempt++) {
    try {
      mkdirSync(lock);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 200) throw error;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
  try {
    const previous = existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as { faults?: Record<string, FaultRecord> }) : {};
    const faults = { ...previous.faults, [name]: record };
    const all = Object.values(faults);
    const totals = {
      faultsInjected: all.reduce((sum, fault) => sum + fault.injected, 0),
      recordsBefore: all.reduce((sum, fault) => sum + fault.recordsBefore, 0),
      recordsAfter: all.reduce((sum, fault) => sum + fault.recordsAfter, 0),
      recordsLost: all.reduce((sum, fault) => sum + fault.recordsLost, 0),
    };
    writeFileSync(`${path}.tmp`, `${JSON.stringify({ updated: new Date().toISOString(), soak: SOAK, totals, faults }, null, 2)}\n`);
    renameSync(`${path}.tmp`, path);
  } finally {
    rmdirSync(lock);
  }
}
