import { mkdirSync, writeFileSync } from 'node:fs';
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

/** A small seeded generator (mulberry32), so a run that found something can be repeated. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

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
